"""Media speed, as ratios against the JPEG path measured in the same process: a camera RAW
analysed through its embedded preview against a JPEG of the same size, and a video's CPU time
per minute of footage (frames sampled, analysed and followed through the clip).

Targets (issue 26): RAW via its preview <= 1.5x the JPEG; video <= 2 CPU s per minute.

Inputs are made from the shared photos (``tests/media``): for each photo, a JPEG and a DNG whose
preview has the photo's own size (what a camera embeds: a full-size or 1/2-size rendering);
a clip with a person on screen, at 1280x720 and 30 fps with a keyframe every second (a phone's),
``--video-seconds`` long. CPU time is this process's (analysis runs here, one thread), each
input analysed ``--repeat`` times after one warm-up.

    python -m benchmarks.bench_media [--photos 12] [--video-seconds 60] [--repeat 3]
    python -m benchmarks.bench_media --quick   # tiny inputs: proves it runs, not a measurement
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import data_dir, machine, print_table


def _cpu(fn, repeat: int) -> float:
    fn()  # warm-up: imports, caches
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--video-seconds", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny inputs, one repeat: proves the script runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.photos, args.video_seconds, args.repeat = 2, 6.0, 1
    from PIL import Image

    from plvm_photos.engines.face.engine import FaceAnalyzer
    from plvm_photos.indexing.analysis import AnalysisJob, analyze_file
    from plvm_photos.media.video import VideoSampling
    from tests.media.clips import Shown, write_clip
    from tests.media.dng import write_dng
    from tests.media.exif import write_jpeg

    library = data_dir() / "library"
    manifest = json.loads((library / "manifest.json").read_text())
    singles = [img["path"] for img in manifest["images"] if img["kind"] == "single"]
    chosen = singles[:: max(1, len(singles) // args.photos)][: args.photos]
    analyzer = FaceAnalyzer()
    analyzer.warm_up()
    rows, jpeg_cpu, raw_cpu = [], 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n, rel in enumerate(chosen):
            image = Image.open(library / rel).convert("RGB")
            jpeg = write_jpeg(folder / f"p{n}.jpg", image)
            raw = write_dng(folder / f"p{n}.dng", image, max(image.size))
            j = _cpu(lambda: analyze_file(analyzer, AnalysisJob(str(jpeg), "")), args.repeat)
            r = _cpu(lambda: analyze_file(analyzer, AnalysisJob(str(raw), "")), args.repeat)
            jpeg_cpu, raw_cpu = jpeg_cpu + j, raw_cpu + r
            rows.append([rel, f"{image.width}x{image.height}", f"{j:.3f}", f"{r:.3f}", f"{r / j:.2f}x"])
        size = (480, 320) if args.quick else (1280, 720)
        face = Image.open(library / chosen[0])
        clip = write_clip(folder / "clip.mp4", args.video_seconds, [Shown(face, 0, args.video_seconds)], size=size,
                          fps=5 if args.quick else 30, gop=5 if args.quick else 30)
        job = AnalysisJob(str(clip), "", VideoSampling())
        video = _cpu(lambda: analyze_file(analyzer, job), args.repeat)
        result = analyze_file(analyzer, job)
    per_minute = video * 60 / args.video_seconds
    print(f"machine: {machine()}  (CPU seconds of this process; the machine may be shared)")
    print_table(["photo", "size", "JPEG cpu s", "RAW cpu s", "RAW/JPEG"], rows)
    print()
    ratio = raw_cpu / jpeg_cpu
    print(f"RAW via preview / JPEG of the same size: {ratio:.2f}x (target <= 1.5x)")
    print(f"video {size[0]}x{size[1]}, {args.video_seconds:.0f} s: {video:.2f} CPU s = {per_minute:.2f} CPU s per minute "
          f"(target <= 2); {len(result.segments or ())} face(s) followed; "
          f"{per_minute / (jpeg_cpu / len(chosen)):.1f} JPEG photos' worth per minute")
    return {"raw_over_jpeg": ratio, "video_cpu_per_minute": per_minute, "quick": args.quick}


if __name__ == "__main__":
    main()
