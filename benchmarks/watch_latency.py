"""Watcher latency and burst throughput, on the real test photos.

Latency: a photo is written into a watched folder; the clock runs from the moment its file is
closed until its verdicts can be read from the database by another process (what ``ask`` sees).
One photo at a time, the watcher idle in between. Baseline in the same run: the time to decode
and analyse the same photo in this process with a warm engine (the floor no pipeline can beat);
the difference is settle time + hashing + queueing + one transaction.

Burst: all test photos copied into the watched folder at once; time until every one is analysed,
and the peak resident memory of the watcher and its analysis processes. Baseline in the same
run: ``Library.scan`` of the same photos with the same number of workers.

    python -m benchmarks.watch_latency [--latency 12] [--burst 0 (= all)] [--settle 1.0] [--workers 2] [--quick]

``--quick``: a smoke run (one photo each, two people registered), not the figures to report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, data_dir, machine, print_table

PLVM = [sys.executable, "-c", "from plvm_photos.cli.app import main; main()"]


_connections: dict[Path, sqlite3.Connection] = {}


def _query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """A read as ask would do it; one connection kept open so polling costs little CPU."""
    con = _connections.get(db)
    if con is None:
        con = _connections[db] = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []


def _decided(db: Path, path: str) -> bool:
    """The photo at ``path`` is analysed and its verdicts are committed (what ask would read)."""
    rows = _query(
        db,
        "SELECT p.analyzed_at FROM files f JOIN photos p ON p.id = f.photo_id WHERE f.path = ? AND p.error IS NULL",
        (path,),
    )
    return bool(rows)


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
            except OSError:
                continue
    return out


class Watcher:
    def __init__(self, library: Path, root: Path, settle: float, workers: int):
        self.log = open(library.parent / "watch-bench.log", "w")
        self.lines_path = library.parent / "watch-bench.jsonl"
        self.lines = open(self.lines_path, "w")
        self.proc = subprocess.Popen(
            [*PLVM, "--library", str(library), "watch", str(root), "--settle", str(settle), "--workers", str(workers), "--rescan", "0", "--json"],
            stdout=self.lines,
            stderr=self.log,
            cwd=REPO,
        )
        self.status_file = library / "watch-status.json"

    def wait_idle(self, timeout: float = 300) -> dict:
        since = time.time()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                st = json.loads(self.status_file.read_text())
                if st.get("state") == "idle" and st.get("updated_at", 0) > since + 0.2:
                    return st
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"watcher exited with {self.proc.returncode}")
            time.sleep(0.1)
        raise SystemExit("watcher did not become idle")

    def peak_mb(self) -> tuple[float, float]:
        """(watcher, watcher + its processes) peak RSS in MB."""
        own = _peak_rss_mb(self.proc.pid)
        return own, own + sum(_peak_rss_mb(c) for c in _children(self.proc.pid))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.log.close()
        self.lines.close()
        return code

    def analysis_seconds(self) -> dict[str, float]:
        """Per photo path: seconds from submission to the pool until committed (the watcher's --json)."""
        out = {}
        for line in self.lines_path.read_text().splitlines():
            event = json.loads(line)
            if event.get("event") == "analysed":
                out[event["path"]] = event["seconds"]
        return out


QUICK = {"latency": 1, "burst": 1, "settle": 0.2, "people": 2}  # a smoke run: not the figures to report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=int, default=12, help="photos for the latency measurement")
    parser.add_argument("--burst", type=int, default=0, help="photos in the burst (0: all test photos)")
    parser.add_argument("--settle", type=float, default=1.0, help="the watcher's --settle")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--people", type=int, default=0, help="people registered (0: every manifest identity)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (1 photo each, 2 people), not the figures")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)

    from plvm_photos.engines.registry import open_engine
    from plvm_photos.evaluation.manifest import register_all
    from plvm_photos.indexing.analysis import AnalysisJob, analyze_file
    from plvm_photos.library import Library

    data = data_dir() / "library"
    manifest = json.loads((data / "manifest.json").read_text())
    if args.people:
        manifest = {**manifest, "identities": dict(list(manifest["identities"].items())[: args.people])}
    images, seen = [], set()
    for im in manifest["images"]:
        if im["sha256"] not in seen:
            seen.add(im["sha256"])
            images.append(im)
    latency_set = [im for im in images if im["kind"] == "single"][: args.latency]
    burst_set = [im for im in images if im not in latency_set][: args.burst or None]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"photos: {len(latency_set)} for latency, {len(burst_set)} in the burst; settle {args.settle} s, {args.workers} workers")

    work = Path(tempfile.mkdtemp(prefix="plvm-watch-bench-"))
    try:
        library, root = work / "lib", work / "photos"
        root.mkdir()
        with Library(library) as lib:
            register_all(lib, data, manifest)
            analyzer = open_engine(lib).analyzer()  # the engine the watcher runs, as configured

        # Baseline 1: decode + analyse in this process, warm.
        analyzer.warm_up()
        floor = []
        for im in latency_set:
            t = time.perf_counter()
            analyze_file(analyzer, AnalysisJob(str(data / im["path"]), im["sha256"]))
            floor.append(time.perf_counter() - t)

        watcher = Watcher(library, root, args.settle, args.workers)
        watcher.wait_idle()
        db = library / "library.db"
        latencies, latency_paths = [], []
        for n, im in enumerate(latency_set):
            target = root / f"lat-{n:03d}{Path(im['path']).suffix}"
            payload = (data / im["path"]).read_bytes()
            with open(target, "wb") as fh:
                fh.write(payload)
            closed = time.perf_counter()
            while not _decided(db, str(target)):
                time.sleep(0.01)
            latencies.append(time.perf_counter() - closed)
            latency_paths.append(str(target))
            time.sleep(0.5)  # idle between photos

        watcher.wait_idle()
        burst_dir = root / "burst"
        burst_dir.mkdir()
        start = time.perf_counter()
        targets = []
        for n, im in enumerate(burst_set):
            target = burst_dir / f"b-{n:04d}{Path(im['path']).suffix}"
            shutil.copyfile(data / im["path"], target)
            targets.append(str(target))
        pending = set(targets)
        while pending:
            done = {p for (p,) in _query(db, "SELECT f.path FROM files f JOIN photos p ON p.id = f.photo_id WHERE f.path LIKE ?", (f"{burst_dir}/%",))}
            pending -= done
            time.sleep(0.2)
        burst_seconds = time.perf_counter() - start
        status = watcher.wait_idle()
        own_mb, total_mb = watcher.peak_mb()
        code = watcher.stop()
        in_pool = watcher.analysis_seconds()
        before_pool = [lat - in_pool[p] for lat, p in zip(latencies, latency_paths) if p in in_pool]

        # Baseline 2: scan of the same photos, same workers, fresh library (people registered).
        scan_lib, scan_root = work / "scan-lib", work / "scan-photos"
        scan_root.mkdir()
        for n, im in enumerate(burst_set):
            shutil.copyfile(data / im["path"], scan_root / f"b-{n:04d}{Path(im['path']).suffix}")
        with Library(scan_lib) as lib:
            register_all(lib, data, manifest)
            t = time.perf_counter()
            summary = lib.scan([scan_root], workers=args.workers, progress=False)
            scan_seconds = time.perf_counter() - t
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med, med_floor = statistics.median(latencies), statistics.median(floor)
    p90 = sorted(latencies)[max(0, int(round(0.9 * len(latencies))) - 1)]
    print()
    print_table(
        ["measure", "watch", "baseline", "ratio"],
        [
            ["latency median (s), closed -> verdict queryable", f"{med:.3f}", f"{med_floor:.3f}", f"{med / med_floor:.2f}x"],
            ["latency p90 (s)", f"{p90:.3f}", "", ""],
            ["  of which settle + hash + queue (median s)", f"{statistics.median(before_pool):.3f}", "", ""],
            ["  of which pool analysis + commit (median s)", f"{statistics.median(in_pool[p] for p in latency_paths if p in in_pool):.3f}", f"{med_floor:.3f}", ""],
            ["latency max (s)", f"{max(latencies):.3f}", f"{max(floor):.3f}", ""],
            [f"burst of {len(burst_set)}: seconds", f"{burst_seconds:.1f}", f"{scan_seconds:.1f}", f"{burst_seconds / scan_seconds:.2f}x"],
            ["burst photos/s", f"{len(burst_set) / burst_seconds:.2f}", f"{summary.analysed / scan_seconds:.2f}", ""],
            ["peak RSS watcher (MB)", f"{own_mb:.0f}", "", ""],
            ["peak RSS watcher + workers (MB)", f"{total_mb:.0f}", "", ""],
            ["in flight at most / window", f"{status['queue']['in_flight_max']}/{status['queue']['window']}", "", ""],
        ],
    )
    print()
    print("baseline: latency = decode + analyse in-process with a warm engine; burst = Library.scan, same workers")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (timings on a busy machine are slower)")
    print(f"target: latency median < 2 s on 2 idle cores -> {'met' if med < 2.0 else 'NOT met'}; watcher exit code {code}")


if __name__ == "__main__":
    main()
