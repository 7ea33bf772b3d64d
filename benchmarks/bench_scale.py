"""The database and FAISS index at 1 000 000 face regions (synthetic dlib-like descriptors).

Builds a library with bulk inserts, then measures: size on disk, the index build through
``Library.index`` (the type ``vector_index`` picks for this size), opening the library and
loading the saved index in a fresh process (time and peak memory), and prefilter query latency
of exact search (IndexFlat) at several sizes against the approximate index at full size, with
its recall against exact search (range search at the prefilter radius, and 10 nearest).

    python -m benchmarks.bench_scale [--regions 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.common import print_table

QUERIES = 50
OPEN_SCRIPT = """
import json, resource, sys, time
t = time.perf_counter()
from plvm_photos.library import Library
lib = Library(sys.argv[1])
opened = time.perf_counter() - t
index = lib.index
loaded = time.perf_counter() - t
print(json.dumps({"open_s": opened, "open_and_index_s": loaded, "kind": index.kind, "regions": len(index),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@dataclass
class ScaleResult:
    regions: int
    build_db_s: float
    db_mb: float
    index_kind: str
    index_build_s: float
    index_mb: float
    open: dict
    latency: list[tuple[str, int, float]] = field(default_factory=list)  # (kind, regions, ms per query)
    range_recall: float = 0.0
    knn_recall: float = 0.0
    range_found: int = 0


def _timed_queries(index, queries: np.ndarray, radius: float) -> tuple[float, list[set[int]]]:
    found = []
    t = time.perf_counter()
    for q in queries:
        found.append({n.region_id for n in index.within(q, radius)})
    return (time.perf_counter() - t) / len(queries) * 1000, found


def run(regions: int = 1_000_000) -> ScaleResult:
    from benchmarks.synth import FACE_NOISE, build_regions, unit_rows
    from plvm_photos.db.queries import region_vectors
    from plvm_photos.engines.face.decide import DecisionRule
    from plvm_photos.library import Library
    from plvm_photos.store.layout import FACE_INDEX_FILE
    from plvm_photos.store.vector_index import FLAT, VectorIndex

    radius = DecisionRule().prefilter_radius
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp) / "library"
        synth = build_regions(root, regions)
        db_mb = (root / "library.db").stat().st_size / 1e6

        t = time.perf_counter()
        with Library(root) as library:
            index = library.index  # built from the database and saved
            with library.session() as s:
                batches = list(region_vectors(s, ("face",)))
        index_build = time.perf_counter() - t
        index_mb = (root / FACE_INDEX_FILE).stat().st_size / 1e6

        opened = json.loads(
            subprocess.run([sys.executable, "-c", OPEN_SCRIPT, str(root)], capture_output=True, text=True, check=True).stdout
        )

        # Queries: stored faces seen again with the noise of another photo of the same person.
        rng = np.random.default_rng(5)
        all_vectors = np.concatenate([v for _, v in batches])
        all_ids = np.concatenate([np.asarray(i) for i, _ in batches])
        picks = rng.integers(0, len(all_vectors), QUERIES)
        queries = (all_vectors[picks] + unit_rows(rng, QUERIES, FACE_NOISE)).astype(np.float32)

        result = ScaleResult(regions, synth.seconds, db_mb, index.kind, index_build, index_mb, opened)
        exact_found: list[set[int]] = []
        for size in sorted({min(regions, s) for s in (100_000, 250_000, 500_000, regions)}):
            flat = VectorIndex(all_vectors.shape[1], FLAT)
            flat.add(all_ids[:size], all_vectors[:size])
            ms, found = _timed_queries(flat, queries, radius)
            result.latency.append(("exact (IndexFlatL2)", size, ms))
            if size == regions:
                exact_found = found
                exact_knn = [{n.region_id for n in flat.nearest(q, 10)} for q in queries]
            del flat
        if index.kind != FLAT:
            ms, approx_found = _timed_queries(index, queries, radius)
            result.latency.append((f"{index.kind} (as chosen)", regions, ms))
            total = sum(len(e) for e in exact_found)
            result.range_found = total
            result.range_recall = sum(len(e & a) for e, a in zip(exact_found, approx_found)) / max(total, 1)
            approx_knn = [{n.region_id for n in index.nearest(q, 10)} for q in queries]
            result.knn_recall = sum(len(e & a) for e, a in zip(exact_knn, approx_knn)) / (10 * len(queries))
        else:
            result.range_recall = result.knn_recall = 1.0
    report(result)
    return result


def report(r: ScaleResult) -> None:
    print(f"\nScale: {r.regions} synthetic face regions (2 per photo)")
    print_table(
        ["measure", "value"],
        [
            ["database build (bulk insert)", f"{r.build_db_s:.1f} s"],
            ["library.db on disk", f"{r.db_mb:.0f} MB"],
            ["index type chosen", r.index_kind],
            ["index build from the database (+ save)", f"{r.index_build_s:.1f} s"],
            ["index.faiss on disk", f"{r.index_mb:.0f} MB"],
            ["open library (fresh process, imports included)", f"{r.open['open_s']:.2f} s"],
            ["open + load saved index", f"{r.open['open_and_index_s']:.2f} s"],
            ["peak RSS of that process", f"{r.open['peak_rss_mb']:.0f} MB"],
        ],
    )
    print_table(
        ["prefilter search", "regions", "ms/query"],
        [[kind, size, f"{ms:.1f}"] for kind, size, ms in r.latency],
    )
    if r.index_kind != "flat":
        exact_ms = next(ms for kind, size, ms in r.latency if size == r.regions and kind.startswith("exact"))
        approx_ms = r.latency[-1][2]
        print(f"{r.index_kind} vs exact at {r.regions}: {exact_ms / approx_ms:.1f}x faster per query; recall of the "
              f"prefilter radius {r.range_recall:.3f} ({r.range_found} exact hits over {QUERIES} queries), "
              f"10-NN recall {r.knn_recall:.3f}")


QUICK = {"regions": 2000}  # a smoke run (``--quick``, ``run_all --quick``): not the figures to report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help=f"a smoke run ({QUICK['regions']} regions), not the figures")
    args = parser.parse_args(argv)
    run(**QUICK) if args.quick else run(args.regions)


if __name__ == "__main__":
    main()
