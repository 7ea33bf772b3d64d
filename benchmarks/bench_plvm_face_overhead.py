"""What the plvm engine adds to the face engine's path, on a synthetic library of N face regions.

The face index's signature query (run when a process first touches the index) must stay as fast
as before for face-only libraries; the engine-setting read happens once per scan / add-person.
Baseline: the query as it was before the plvm engine, run in the same process.

    python -m benchmarks.bench_plvm_face_overhead [--regions N] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
from sqlalchemy import func, insert, select

from plvm_photos.db.models import Photo, Region
from plvm_photos.db.queries import region_signature
from plvm_photos.library import Library


def best(fn, n: int = 7) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-plvm-face-") as tmp, Library(tmp) as library:
        _measure(library, n)


def _measure(library: Library, n: int) -> None:
    vector = np.zeros(128, np.float32).tobytes()
    with library.transaction() as s:
        s.execute(insert(Photo), [{"sha256": f"{i:064x}"} for i in range(n // 2)])
        s.execute(insert(Region), [{"photo_id": 1 + i // 2, "kind": "face", "left": 0, "top": 0, "right": 1,
                                    "bottom": 1, "score": 1.0, "vector": vector} for i in range(n)])

    def before():
        with library.session() as s:
            s.execute(select(func.count(Region.id), func.coalesce(func.sum(Region.id), 0))).one()

    baseline = best(before)
    def signature():
        with library.session() as s:
            region_signature(s, ("face",))

    face_only = best(signature)
    setting = best(lambda: library.settings.engine, 50)
    library.mark_mixed_regions()
    mixed = best(signature)
    print(f"| {'regions':>8} | {'before':>9} | {'face-only now':>13} | {'ratio':>5} | {'mixed (kind filter)':>19} | "
          f"{'engine setting read':>19} |")
    print(f"| {n:>8} | {baseline * 1e3:>6.2f} ms | {face_only * 1e3:>10.2f} ms | {face_only / baseline:>5.2f} | "
          f"{mixed * 1e3:>16.2f} ms | {setting * 1e3:>16.3f} ms |")


QUICK = {"n": 1000}  # a smoke run: not the figures to report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help=f"a smoke run ({QUICK['n']} regions), not the figures")
    args = parser.parse_args(argv)
    measure(**QUICK) if args.quick else measure(args.regions)


if __name__ == "__main__":
    main()
