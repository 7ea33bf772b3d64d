"""Scaling out: ``scan --ray local`` against the local process pool, what the object store costs
per photo, and how fast the single writer commits when analysis is free.

1. Throughput: the same photos scanned into fresh libraries by the local pool and by Ray actors
   on a local Ray instance (started once, as a cluster outlives scans; each scan still starts
   and warms its workers), alternating, best of ``--rounds``.
2. Object store: a photo's bytes through ``ray.put`` to an actor that only takes their length,
   against the same call with a few bytes: the overhead per photo of shipping it.
3. The writer: the Indexer with a pool whose analyses are ready at once (stored analyses of real
   photos, 19 people registered), over small distinct files: photos committed per second
   (plan + decide + one transaction + FAISS). Hashing a real photo is timed apart (MB/s).
4. The per-photo costs measured above, turned into the time to index 1 000 000 photos.

    python -m benchmarks.bench_ray [--photos 36] [--workers 2] [--rounds 3] [--commits 300] [--pg-url URL] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_indexing import link_photos, select_photos
from benchmarks.common import data_dir, machine, print_table

TYPICAL_PHOTO_MB = 4.0  # a 12 MP phone or camera JPEG; the shared test photos are far smaller
MILLION = 1_000_000


@dataclass
class Run:
    pool: str
    photos: int
    seconds: float
    cpu_seconds: float  # this process and every process under it (workers; Ray's own daemons)

    @property
    def per_s(self) -> float:
        return self.photos / self.seconds


class TreeCpu:
    """CPU seconds used by this process and its descendants while it runs (sampled from /proc
    every 0.1 s, so that processes which end in between still count: Ray's actors are killed at
    the end of a scan, nobody waits for them)."""

    def __init__(self):
        self.seen: dict[tuple[int, int], float] = {}  # (pid, start time) -> CPU seconds, latest sample
        self.base: dict[tuple[int, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree() -> dict[tuple[int, int], float]:
        tick = os.sysconf("SC_CLK_TCK")
        parents, cpu = {}, {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            cpu[(pid, int(fields[19]))] = (int(fields[11]) + int(fields[12])) / tick
        mine, me = {}, os.getpid()
        for (pid, start), seconds in cpu.items():
            p, depth = pid, 0
            while p not in (me, 0, 1) and depth < 64:
                p, depth = parents.get(p, 0), depth + 1
            if p == me:
                mine[(pid, start)] = seconds
        return mine

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.seen.update(self._tree())

    def __enter__(self) -> "TreeCpu":
        self.base = self._tree()
        self.seen = dict(self.base)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.seen.update(self._tree())

    @property
    def seconds(self) -> float:
        return sum(v - self.base.get(k, 0.0) for k, v in self.seen.items())


@dataclass
class WriterCosts:
    submit_ms: float  # per photo, in the writer: read the file, its date and place, ray.put, the call
    commit_ms: float  # per photo: decide + transaction + FAISS (process time)


# --- 1. throughput -------------------------------------------------------------------------------
def scan_once(folder: Path, library_dir: Path, workers: int, ray: str | None) -> tuple[Run, WriterCosts | None]:
    from plvm_photos.indexing import indexer as indexer_module
    from plvm_photos.library import Library

    spent = {"submit": [], "commit": 0.0, "n": 0}
    original_commit = indexer_module.commit_result

    def timed_commit(*args, **kwargs):
        t = time.process_time()
        try:
            return original_commit(*args, **kwargs)
        finally:
            spent["commit"] += time.process_time() - t
            spent["n"] += 1

    indexer_module.commit_result = timed_commit
    restore = None
    if ray:
        from plvm_photos.indexing.ray_pool import RayPool

        original_submit = RayPool.submit

        def timed_submit(self, job):
            t = time.perf_counter()
            try:
                return original_submit(self, job)
            finally:
                spent["submit"].append(time.perf_counter() - t)

        RayPool.submit = timed_submit
        restore = (RayPool, original_submit)
    try:
        with Library(library_dir) as library, TreeCpu() as cpu:
            started = time.perf_counter()
            summary = library.scan([folder], workers=workers, progress=False, ray=ray)
            seconds = time.perf_counter() - started
    finally:
        indexer_module.commit_result = original_commit
        if restore:
            restore[0].submit = restore[1]
    n = max(spent["n"], 1)
    # The median: the first submit also starts the workers.
    costs = WriterCosts(1000 * statistics.median(spent["submit"]), 1000 * spent["commit"] / n) if ray else None
    name = "Ray actors (--ray local)" if ray else "local process pool"
    return Run(name, summary.analysed + summary.errors, seconds, cpu.seconds), costs


# --- 2. object store ------------------------------------------------------------------------------
def object_store_overhead(paths: list[str], repeats: int = 3) -> dict:
    """Per photo: what ``ray.put`` costs the writer, and how much later an actor has the bytes
    than it would have a call without them (latency the indexer's window of 2 photos per worker
    hides), for the test photos and for a typical 4 MB photo."""
    import ray

    @ray.remote(num_cpus=0)
    class Sink:
        def take(self, data) -> int:
            return len(data)

    sink = Sink.remote()
    ray.get(sink.take.remote(b"warm"))

    def measure(blobs: list[bytes]) -> tuple[float, float]:
        puts, with_bytes, without = [], [], []
        for _ in range(repeats):
            for blob in blobs:
                t = time.perf_counter()
                ref = ray.put(blob)
                puts.append(time.perf_counter() - t)
                ray.get(sink.take.remote(ref))
                with_bytes.append(time.perf_counter() - t)
                t = time.perf_counter()
                ray.get(sink.take.remote(b"x"))
                without.append(time.perf_counter() - t)
        return 1000 * statistics.median(puts), 1000 * (statistics.median(with_bytes) - statistics.median(without))

    photos = [Path(p).read_bytes() for p in paths]
    typical = [os.urandom(int(TYPICAL_PHOTO_MB * 1e6)) for _ in range(4)]
    put_ms, latency_ms = measure(photos)
    put_typical_ms, latency_typical_ms = measure(typical)
    ray.kill(sink)
    return {"photo_mb": statistics.mean(len(b) for b in photos) / 1e6, "put_ms": put_ms, "latency_ms": latency_ms,
            "put_typical_ms": put_typical_ms, "latency_typical_ms": latency_typical_ms}


# --- 3. the single writer -------------------------------------------------------------------------
class FreePool:
    """Analyses that cost nothing: each job's result is ready at once (stored analyses, in turn)."""

    workers = 2

    def __init__(self, analyses: list):
        self.analyses = analyses
        self.n = 0

    def start(self) -> None:
        pass

    def submit(self, job) -> Future:
        from plvm_photos.indexing.analysis import AnalysisResult

        future: Future = Future()
        future.set_result(AnalysisResult(job, self.analyses[self.n % len(self.analyses)], None, 0.0))
        self.n += 1
        return future

    def restart(self) -> None:
        pass

    def stop(self, wait: bool = True) -> None:
        pass


def stored_analyses(library_dir: Path) -> list:
    """Every photo of a scanned library as the analyzer gave it (regions with their vectors)."""
    import numpy as np
    from sqlalchemy import select

    from plvm_photos.db.models import Photo, Region
    from plvm_photos.engines.base import Analysis
    from plvm_photos.engines.base import Region as Found
    from plvm_photos.library import Library

    out = []
    with Library(library_dir) as library, library.session() as s:
        for photo in s.scalars(select(Photo).where(Photo.error.is_(None)).order_by(Photo.id)):
            regions = s.scalars(select(Region).where(Region.photo_id == photo.id).order_by(Region.id))
            out.append(Analysis(photo.width, photo.height, [Found(r.box, r.score, np.frombuffer(r.vector, dtype=np.float32), r.kind)
                                                           for r in regions]))
    return out


def writer_rate(analyses: list, files: int, tmp: Path, db_url: str | None, people: int | None = None) -> dict:
    """``people``: the first this many manifest identities registered (None: all of them)."""
    from plvm_photos.engines.registry import open_engine
    from plvm_photos.evaluation.manifest import register_all
    from plvm_photos.indexing.indexer import Indexer
    from plvm_photos.library import Library

    folder = tmp / f"distinct-{'pg' if db_url else 'sqlite'}"
    folder.mkdir()
    for k in range(files):  # distinct content, a few KB: the planning cost without real hashing
        (folder / f"f{k:05d}.jpg").write_bytes(os.urandom(4096))
    root = data_dir() / "library"
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["identities"] = dict(list(manifest["identities"].items())[:people])
    with Library(tmp / f"writer-{'pg' if db_url else 'sqlite'}", db_url=db_url) as library:
        register_all(library, root, manifest)
        indexer = Indexer(library, open_engine(library), 2)
        indexer.pool = FreePool(analyses)
        indexer.window = 2 * FreePool.workers
        outcomes = []
        started = time.perf_counter()
        cpu = time.process_time()
        for path in sorted(str(p) for p in folder.iterdir()):
            while not indexer.has_room():
                outcomes += indexer.collect(timeout=None)
            outcome = indexer.offer(path)
            outcomes += [outcome] if outcome else []
        outcomes += indexer.drain()
        indexer.stop()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    analysed = sum(o.kind == "analysed" for o in outcomes)
    return {"db": "PostgreSQL" if db_url else "SQLite", "photos": analysed, "per_s": analysed / seconds,
            "cpu_ms": 1000 * cpu / max(analysed, 1), "people": len(manifest["identities"])}


@contextmanager
def scratch_database(server_url: str):
    """A new database on the server of ``server_url``, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"bench_ray_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def hash_rate(paths: list[str]) -> float:
    """MB/s of sha256 over files (the planner hashes every new file)."""
    from plvm_photos.imaging import sha256_file

    size = sum(os.path.getsize(p) for p in paths)
    started = time.perf_counter()
    for p in paths:
        sha256_file(p)
    return size / 1e6 / (time.perf_counter() - started)


def analysis_cpu_ms(paths: list[str]) -> float:
    """Process time per photo of decode + face analysis, in this process, warm."""
    from plvm_photos.engines.face.engine import FaceAnalyzer
    from plvm_photos.indexing.analysis import AnalysisJob, analyze_file

    analyzer = FaceAnalyzer()
    analyzer.warm_up()
    started = time.process_time()
    for p in paths:
        analyze_file(analyzer, AnalysisJob(p, ""))
    return 1000 * (time.process_time() - started) / len(paths)


# --- 4. the estimate ------------------------------------------------------------------------------
def estimate(analysis_ms: float, writer: dict, submit_ms: float, hash_mb_s: float, store: dict) -> tuple[float, list[list]]:
    """The writer's ms per typical photo, and hours for 1 M photos: the slowest stage's rate. The
    writer is one thread: its CPU time per photo is its time per photo once it has a core of its
    own (the wall-clock rate measured here shares 2 cores with everything else)."""
    writer_ms = (writer["cpu_ms"]  # plan, decide, commit (a 4 KB file hashed)
                 + submit_ms + store["put_typical_ms"] - store["put_ms"]  # read, date and place, put, call
                 + 1000 * TYPICAL_PHOTO_MB / hash_mb_s)  # hashing the real size
    writer_per_s = 1000 / writer_ms
    nic_per_s = 117 / TYPICAL_PHOTO_MB  # 1 Gbit/s: every photo comes in from the NAS and goes out to a worker
    rows = []
    for name, cores in (("1 CPU node x 2 cores", 2), ("4 CPU nodes x 16 cores", 64), ("16 CPU nodes x 16 cores", 256),
                        ("1 GPU node, 16 cores (face engine: CPU)", 16)):
        analysis_per_s = cores * 1000 / analysis_ms
        stages = {"analysis": analysis_per_s, "the single writer": writer_per_s, "1 Gbit/s network": nic_per_s}
        limit = min(stages, key=stages.get)
        rows.append([name, f"{analysis_per_s:.0f}", f"{writer_per_s:.0f}", f"{nic_per_s:.0f}",
                     f"{MILLION / stages[limit] / 3600:.1f}", limit])
    return writer_ms, rows


QUICK = {"photos": 2, "workers": 1, "rounds": 1, "commits": 10, "people": 2}  # a smoke run: not the figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=36, help="manifest photos scanned (0 = all 108)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commits", type=int, default=300, help="photos the free-analysis writer commits")
    parser.add_argument("--pg-url", help="also measure the writer on PostgreSQL (a scratch database on this URL's server)")
    parser.add_argument("--people", type=int, default=0, help="people registered for the writer (0: every identity)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run (2 photos, 1 worker, 1 round, 10 commits, 2 people), not the figures")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)

    from plvm_photos.indexing.ray_cluster import connect, disconnect

    root = data_dir() / "library"
    manifest = json.loads((root / "manifest.json").read_text())
    images = select_photos(manifest, args.photos or None)
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ.setdefault("RAY_TMPDIR", str(tmp))  # Ray's session files go with the benchmark's
        link_photos(images, root, tmp / "photos")
        paths = [str(root / im["path"]) for im in images]
        connection = connect("local", args.workers)  # one local Ray for every scan, as a cluster would be
        try:
            runs: dict[str, list[Run]] = {"local": [], "ray": []}
            costs: list[WriterCosts] = []
            for r in range(args.rounds):
                runs["local"].append(scan_once(tmp / "photos", tmp / f"local-{r}", args.workers, None)[0])
                run, cost = scan_once(tmp / "photos", tmp / f"ray-{r}", args.workers, "local")
                runs["ray"].append(run)
                costs.append(cost)
            store = object_store_overhead(paths)
        finally:
            disconnect(connection)
        analyses = stored_analyses(tmp / "local-0")
        writers = [writer_rate(analyses, args.commits, tmp, None, args.people or None)]
        if args.pg_url:
            with scratch_database(args.pg_url) as url:
                writers.append(writer_rate(analyses, args.commits, tmp, url, args.people or None))
        hashing = hash_rate(paths)
        analysis_ms = analysis_cpu_ms(paths)
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    best = {k: max(v, key=lambda run: run.per_s) for k, v in runs.items()}
    # Other jobs on the machine come and go: each Ray round is compared with the local round just
    # before it, and the median of those ratios is the result.
    paired = statistics.median(local.seconds / ray.seconds for local, ray in zip(runs["local"], runs["ray"]))
    cpu = {k: statistics.median(run.cpu_seconds / run.photos for run in v) for k, v in runs.items()}
    print(f"\n1. Throughput: {len(images)} photos of ../shared/data/library, {args.workers} workers, {args.rounds} rounds")
    print_table(["pool", "photos", "wall s (each round)", "photos/s (best)", "CPU s per photo (median, all processes)"],
                [[best[k].pool, best[k].photos, " ".join(f"{run.seconds:.1f}" for run in v), f"{best[k].per_s:.2f}",
                  f"{cpu[k]:.3f}"] for k, v in runs.items()])
    submit_ms = statistics.median(c.submit_ms for c in costs)
    commit_ms = statistics.median(c.commit_ms for c in costs)
    print(f"writer per photo on Ray: {submit_ms:.1f} ms to read it and send it (read, date and place, ray.put, call), "
          f"{commit_ms:.1f} ms CPU to commit it")

    print(f"\n2. Object store, per photo ({store['photo_mb']:.2f} MB on average; typical: {TYPICAL_PHOTO_MB:.0f} MB of random bytes)")
    print_table(["photo", "ray.put in the writer ms", "bytes reach the actor later by ms"],
                [["test photos", f"{store['put_ms']:.2f}", f"{store['latency_ms']:.2f}"],
                 [f"{TYPICAL_PHOTO_MB:.0f} MB", f"{store['put_typical_ms']:.2f}", f"{store['latency_typical_ms']:.2f}"]])

    print(f"\n3. The single writer, analysis free ({writers[0]['people']} people registered; {args.commits} distinct "
          "files of 4 KB)")
    print_table(["database", "photos", "committed photos/s", "writer CPU ms/photo"],
                [[w["db"], w["photos"], f"{w['per_s']:.1f}", f"{w['cpu_ms']:.1f}"] for w in writers])
    print(f"sha256 of the photos: {hashing:.0f} MB/s; face analysis (decode + HOG + MTCNN + ResNet): {analysis_ms:.0f} ms CPU per photo")

    writer_ms, rows = estimate(analysis_ms, writers[0], submit_ms, hashing, store)
    print(f"\n4. 1 000 000 photos of {TYPICAL_PHOTO_MB:.0f} MB, face engine, writer on SQLite: {writer_ms:.0f} ms of the "
          "writer per photo (its CPU time, plus hashing and sending a 4 MB photo)")
    print_table(["cluster", "analysis photos/s", "writer photos/s", "network photos/s", "hours", "limited by"], rows)
    if len(writers) > 1:
        pg_ms, pg_rows = estimate(analysis_ms, writers[1], submit_ms, hashing, store)
        print(f"writer on PostgreSQL: {pg_ms:.0f} ms per photo, {pg_rows[-2][4]} hours on 16 CPU nodes ({pg_rows[-2][5]})")

    print(f"ray/local CPU per photo: {cpu['ray'] / cpu['local']:.2f}")
    print(f"ray/local throughput: {paired:.2f}")


if __name__ == "__main__":
    main()
