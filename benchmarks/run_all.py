"""Every speed benchmark of issue 7, one after another (``make bench``).

    python -m benchmarks.run_all [--quick]

Prints each benchmark's table, then a summary whose first line is ``indexing speed-up: N.Nx``
(our scan on 2 workers over the face_recognition-style pipeline, same photos, same run).
``--quick`` uses smaller sizes (for a smoke run; the figures to report come from the default).
"""

from __future__ import annotations

import argparse
import time

from benchmarks import bench_add_person, bench_ask, bench_indexing, bench_scale
from benchmarks.common import machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not the figures to report")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"machine: {machine()}")
    photos, faces, library, regions = (8, 20_000, 20_000, 100_000) if args.quick else (36, 100_000, 100_000, 1_000_000)

    indexing = bench_indexing.run(photos=photos, workers=2)
    added = bench_add_person.run(faces=faces)
    asked = bench_ask.run(photos=library, repeat=3 if args.quick else 5, full_repeat=1 if args.quick else 3)
    scale = bench_scale.run(regions=regions)

    hit_o, total_o = indexing.recall_ours
    hit_b, total_b = indexing.recall_baseline
    forms = asked.per_form[:-1]
    ask_median = sorted(t for _, t, _, _ in forms)[len(forms) // 2]
    print("\nSummary")
    print(f"indexing speed-up: {indexing.speedup:.1f}x")
    print(f"CPU-time ratio: {indexing.cpu_ratio:.1f}x")
    print(f"  {indexing.ours.photos_per_s:.2f} vs {indexing.baseline.photos_per_s:.2f} photos/s on {indexing.ours.photos} photos; "
          f"manifest faces found {hit_o}/{total_o} vs {hit_b}/{total_b} (targets: >= 6x wall, >= 3x CPU, equal recall)")
    print(f"add-person on {added.faces} faces: {added.beyond_reference:.3f} s beyond the reference's analysis "
          f"({added.reference_seconds:.2f} s) (target < 1 s)")
    print(f"ask median on {asked.photos} photos: {ask_median:.3f} s; python -c pass {asked.python_pass:.3f} s (target < 0.3 s)")
    print(f"scale at {scale.regions} regions: db {scale.db_mb:.0f} MB, index {scale.index_kind} {scale.index_mb:.0f} MB, "
          f"open+index {scale.open['open_and_index_s']:.1f} s, peak {scale.open['peak_rss_mb']:.0f} MB, "
          f"range recall {scale.range_recall:.3f}")
    print(f"all benchmarks: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
