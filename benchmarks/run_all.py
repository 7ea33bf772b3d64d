"""Every speed benchmark of issue 7, one after another (``make bench``).

    python -m benchmarks.run_all [--quick]

Prints each benchmark's table, then a summary whose first line is ``indexing speed-up: N.Nx``
(our scan on 2 workers over the face_recognition-style pipeline, same photos, same run).
``--quick`` runs each with its own ``QUICK`` sizes (a smoke run, as the test suite does; the
figures to report come from the default).
"""

from __future__ import annotations

import argparse
import time

from benchmarks import bench_add_person, bench_ask, bench_indexing, bench_scale
from benchmarks.common import machine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, not the figures to report")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"machine: {machine()}")

    def sizes(bench, default: dict) -> dict:
        return bench.QUICK if args.quick else default

    indexing = bench_indexing.run(**sizes(bench_indexing, {"photos": 36}), workers=2)
    added = bench_add_person.run(**sizes(bench_add_person, {"faces": 100_000}))
    asked = bench_ask.run(**sizes(bench_ask, {"photos": 100_000, "repeat": 5, "full_repeat": 3}))
    scale = bench_scale.run(**sizes(bench_scale, {"regions": 1_000_000}))

    hit_o, total_o = indexing.recall_ours
    hit_b, total_b = indexing.recall_baseline
    forms = asked.forms
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
