"""Face descriptor speed: dlib's ResNet one face at a time vs the same network batched on numpy.

Faces: dlib HOG (upsample 1) + 5-point landmarks on photos of ../shared/data/library decoded at
1024 px as the engine decodes them (setup, not timed). Timed, per face:

* dlib: ``compute_face_descriptor(pixels, shape, 0)``, one face per call (what the engine does;
  chip extraction included; dlib-bin has no BLAS, so its thread setting changes nothing);
* ours: ``resnet.face_chips`` (dlib's own chip extraction) once, then
  ``ResNetDescriptor.describe`` on batches of 1, 8 and 32 chips, with ONE BLAS thread
  (``threadpoolctl.threadpool_limits(1)``) and with all of them;
* jitter (a few faces): dlib with num_jitters=10 vs ours with jitters=10.

Every figure is the best of ``--repeat`` runs (default 3), with the spread (max - min) beside it:
on a shared machine the best run is the one least disturbed by other work. "CPU ms" is this
process's CPU time per face (best run) for the one-thread runs: it hardly moves with other load.

    python -m benchmarks.bench_descriptor [--photos 40] [--repeat 3] [--quick]

The last line is ``descriptor speed-up: N.Nx``: dlib's ms per face over ours (chip + describe at
its default batch of 8, one thread).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np

from benchmarks.common import data_dir, machine, print_table


@dataclass
class Timing:
    best: float  # wall ms per face, best run
    spread: float  # max - min over the runs
    cpu: float  # CPU ms per face (this process, all threads), best run


def _time(fn, faces: int, repeat: int) -> Timing:
    runs, cpu = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        fn()
        runs.append(1000 * (time.perf_counter() - start) / faces)
        cpu.append(1000 * (time.process_time() - cpu_start) / faces)
    return Timing(min(runs), max(runs) - min(runs), min(cpu))


def collect(photos: int | None) -> list[tuple[np.ndarray, list]]:
    """(pixels, shapes) of the chosen photos that have faces."""
    from plvm_photos.engines.face.engine import dlib_models
    from plvm_photos.imaging import decode

    root = data_dir() / "library"
    images = json.loads((root / "manifest.json").read_text())["images"]
    if photos and photos < len(images):
        step = len(images) / photos
        images = [images[int(i * step)] for i in range(photos)]
    detector, shaper = dlib_models()
    out = []
    for image in images:
        pixels = decode(root / image["path"], max_side=1024).pixels
        shapes = [shaper(pixels, r) for r in detector(pixels, 1)]
        if shapes:
            out.append((pixels, shapes))
    return out


def run(photos: int | None = 40, repeat: int = 3, jitter_faces: int = 4) -> float:
    from threadpoolctl import threadpool_info, threadpool_limits

    from plvm_photos.engines.face.engine import dlib_descriptor_model
    from plvm_photos.engines.face.resnet import ResNetDescriptor, face_chips

    faces = collect(photos)
    n = sum(len(shapes) for _, shapes in faces)
    describer = dlib_descriptor_model()
    start = time.perf_counter()
    net = ResNetDescriptor.load()
    load_s = time.perf_counter() - start

    def dlib_all(jitters: int = 0, limit: int | None = None) -> np.ndarray:
        pairs = [(p, s) for p, shapes in faces for s in shapes][:limit]
        return np.array([describer.compute_face_descriptor(p, s, jitters) for p, s in pairs], dtype=np.float32)

    def chips_all() -> np.ndarray:
        return np.concatenate([face_chips(p, shapes) for p, shapes in faces])

    theirs = dlib_all()
    chips = chips_all()
    threads = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

    rows = []
    t_dlib = _time(dlib_all, n, repeat)
    t_chip = _time(chips_all, n, repeat)
    rows.append(["dlib compute_face_descriptor, 1 face a call", f"{t_dlib.best:.2f}", f"{t_dlib.spread:.2f}", f"{t_dlib.cpu:.2f}",
                 f"{t_dlib.best:.2f}", f"{t_dlib.spread:.2f}", "0 (reference)"])
    rows.append(["ours: face_chips (dlib.get_face_chip)", f"{t_chip.best:.2f}", f"{t_chip.spread:.2f}", f"{t_chip.cpu:.2f}", "", "", ""])
    per_batch, default_batch = {}, net.batch
    for batch in sorted({1, 8, 32, default_batch}):
        net.batch = batch
        ours = net.describe(chips)
        diff = float(np.abs(ours - theirs).max())
        with threadpool_limits(1, user_api="blas"):
            one = _time(lambda: net.describe(chips), n, repeat)
        every = _time(lambda: net.describe(chips), n, repeat)
        per_batch[batch] = one
        rows.append([f"ours: describe, batch {batch}", f"{one.best:.2f}", f"{one.spread:.2f}", f"{one.cpu:.2f}", f"{every.best:.2f}",
                     f"{every.spread:.2f}", f"{diff:.1e}"])
    net.batch = default_batch

    k = min(jitter_faces, n)
    if k:
        t_jd = _time(lambda: dlib_all(10, k), k, 1)
        t_jo = _time(lambda: net.describe(chips[:k], jitters=10), k, repeat)
        rows.append([f"dlib, num_jitters=10 ({k} faces, 1 run)", f"{t_jd.best:.1f}", "", f"{t_jd.cpu:.1f}", f"{t_jd.best:.1f}", "", ""])
        rows.append([f"ours, jitters=10 ({k} faces; always 1 thread)", f"{t_jo.best:.1f}", f"{t_jo.spread:.1f}", f"{t_jo.cpu:.1f}", "", "", ""])

    print(f"machine: {machine()}")
    print(f"\nFace descriptor: {n} faces from {len(faces)} photos of ../shared/data/library; ms per face, best of {repeat} "
          f"(spread = max - min); all threads = {threads} BLAS threads; network parsed from the .dat in {load_s:.2f} s")
    print_table(["descriptor", "1 thread ms", "spread", "CPU ms", f"{threads} threads ms", "spread", "max |ours - dlib|"], rows)
    ours_best = per_batch[default_batch].best + t_chip.best
    speedup = t_dlib.best / ours_best
    cpu_ratio = t_dlib.cpu / (per_batch[default_batch].cpu + t_chip.cpu)
    print(f"(ours at the default batch of {default_batch} on one thread, chip extraction included: {ours_best:.2f} ms per face; "
          f"CPU-time ratio {cpu_ratio:.1f}x)")
    print(f"descriptor speed-up: {speedup:.1f}x")
    return speedup


QUICK = {"photos": 1, "repeat": 1, "jitter_faces": 1}  # a smoke run: not the figures to report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40, help="how many manifest photos (0 = all 108)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jitter-faces", type=int, default=4, help="faces for the num_jitters=10 rows (0: none)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (1 photo, 1 repeat), not the figures to report")
    args = parser.parse_args(argv)
    if args.quick:
        run(**QUICK)
    else:
        run(args.photos or None, args.repeat, args.jitter_faces)


if __name__ == "__main__":
    main()
