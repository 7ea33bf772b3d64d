"""Helpers shared by the benchmarks: where the photos are, and plain-text tables."""

from __future__ import annotations

import os
import platform
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """../shared/data (or $PLVM_TEST_DATA), as the tests find it."""
    path = Path(os.environ.get("PLVM_TEST_DATA", REPO.parent / "shared" / "data"))
    if not (path / "library" / "manifest.json").exists():
        raise SystemExit(f"benchmark photos not found at {path} (set PLVM_TEST_DATA to the shared data folder)")
    return path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores usable, Python {platform.python_version()}, {platform.system()}"


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.rjust(w) if n and _numeric(c) else c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("x", "", 1).replace("-", "", 1).isdigit()


def timed(fn, device: str, repeat: int, warmup: int = 1, setup=None) -> float:
    """Median seconds of ``fn()`` on a torch ``device`` (CUDA work waited for), after ``warmup``
    untimed runs; ``setup()``, when given, runs before each run and is not timed."""
    import statistics
    import time

    import torch

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(warmup):
        if setup:
            setup()
        fn()
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
