"""The analysis workers' lifecycle: they die with their parent, SIGTERM stops a scan like Ctrl-C,
a worker killed mid-scan costs nothing, and a file that kills workers is recorded, not retried."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from plvm_photos.engines.base import Analysis
from plvm_photos.engines.face.engine import FaceEngine
from plvm_photos.indexing.indexer import WORKER_DIED, Indexer
from plvm_photos.library import Library
from tests.watch.helpers import PLVM, REPO, analysis_workers, db_rows, variant


def _session_processes(sid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":  # session id; zombies are already dead
                found.append(int(entry))
    return found


def _photos(folder: Path, sample_photos, n: int) -> Path:
    for k in range(n):
        variant(sample_photos[("astronaut", "hopper", "coffee")[k % 3]], folder / f"p{k:03d}.jpg", k)
    return folder


def _scan(library: Path, folder: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*PLVM, "--library", str(library), "scan", str(folder), "-q", "--workers", "2", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True)


def _wait_for_workers(scan: subprocess.Popen, library: Path, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = analysis_workers(scan.pid)
        if len(workers) >= 2 and (db_rows(library, "SELECT count(*) FROM photos") or [(0,)])[0][0] >= 1:
            return workers
        assert scan.poll() is None, scan.communicate()
        time.sleep(0.05)
    raise AssertionError("the scan's workers did not start")


def _gone(pids, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pids():
            return True
        time.sleep(0.2)
    return False


def test_kill9_of_a_scan_leaves_no_process_behind(tmp_path, sample_photos):
    library, folder = tmp_path / "lib", _photos(tmp_path / "photos", sample_photos, 30)
    scan = _scan(library, folder)
    _wait_for_workers(scan, library)
    os.kill(scan.pid, signal.SIGKILL)
    scan.wait(timeout=10)
    # workers and multiprocessing's resource tracker, reparented, must go too (they held stdout)
    assert _gone(lambda: _session_processes(scan.pid)), _session_processes(scan.pid)
    scan.stdout.close()
    scan.stderr.close()


def test_sigterm_stops_a_scan_cleanly_and_the_next_scan_finishes_it(tmp_path, sample_photos):
    library, folder = tmp_path / "lib", _photos(tmp_path / "photos", sample_photos, 30)
    scan = _scan(library, folder)
    _wait_for_workers(scan, library)
    scan.send_signal(signal.SIGTERM)
    out, err = scan.communicate(timeout=30)
    assert scan.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert _gone(lambda: _session_processes(scan.pid))
    assert db_rows(library, "PRAGMA integrity_check") == [("ok",)]
    done = subprocess.run([*PLVM, "--library", str(library), "scan", str(folder), "-q", "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert db_rows(library, "SELECT count(*) FROM photos") == [(30,)]


def test_a_worker_killed_mid_scan_costs_nothing(tmp_path, sample_photos):
    library, folder = tmp_path / "lib", _photos(tmp_path / "photos", sample_photos, 24)
    scan = _scan(library, folder, "--json")
    workers = _wait_for_workers(scan, library)
    os.kill(workers[0], signal.SIGKILL)
    out, err = scan.communicate(timeout=300)
    assert scan.returncode == 0 and "Traceback" not in err, err
    assert db_rows(library, "SELECT count(*) FROM photos WHERE error IS NULL") == [(24,)]


# --- a file that kills every worker that opens it -------------------------------------------------
@dataclass
class CrashingAnalyzer:
    """The face engine's analyzer, except that a worker dies (as out of memory would kill it) on
    any file whose decoded top-left pixel is pure red."""

    in_process = False
    max_side = 1024

    def warm_up(self) -> None:
        pass

    def analyze(self, image) -> Analysis:
        if tuple(image.pixels[0, 0]) == (255, 0, 0):
            os._exit(9)
        return FaceEngine().analyze(image)


class CrashingEngine(FaceEngine):
    def analyzer(self):
        return CrashingAnalyzer()


def _poison(path: Path, sample_photos) -> Path:
    from PIL import Image

    image = Image.open(sample_photos["coffee"]).convert("RGB")
    image.putpixel((0, 0), (255, 0, 0))
    image.save(path, "PNG")  # lossless: the red pixel survives
    return path


def _index(library: Library, folder: Path, retry_failed: bool = False) -> dict[str, str]:
    indexer = Indexer(library, CrashingEngine(), 2, retry_failed=retry_failed)
    indexer.start()
    outcomes = []
    try:
        with library.session() as s:
            from plvm_photos.indexing.files import known_files

            paths = sorted(str(p) for p in folder.iterdir())
            known = known_files(s, paths)
        for path in paths:
            while not indexer.has_room():
                outcomes += indexer.collect(timeout=None)
            outcome = indexer.offer(path, known.get(path))
            outcomes += [outcome] if outcome else []
        outcomes += indexer.drain()
    finally:
        indexer.stop()
    return {Path(o.path).name: o.kind if o.kind != "error" else o.error for o in outcomes}


def test_a_file_that_kills_workers_is_recorded_and_not_retried_unless_asked(tmp_path, sample_photos):
    folder = tmp_path / "photos"
    _photos(folder, sample_photos, 5)
    _poison(folder / "poison.png", sample_photos)
    with Library(tmp_path / "lib") as library:
        first = _index(library, folder)
        assert first["poison.png"] == WORKER_DIED
        assert sorted(k for k, v in first.items() if v == "analysed") == [f"p{k:03d}.jpg" for k in range(5)]
        assert _index(library, folder) == {name: "unchanged" for name in first}  # recorded: not tried again
        again = _index(library, folder, retry_failed=True)
        assert again["poison.png"] == WORKER_DIED and again["p000.jpg"] == "unchanged"


_EARLY_SERVER = """
import os
from multiprocessing import forkserver

from plvm_photos.engines.face.engine import FaceAnalyzer
from plvm_photos.indexing.pool import AnalysisPool, start_fork_server

if __name__ == "__main__":
    start_fork_server(FaceAnalyzer(), 2)
    print(forkserver._forkserver._forkserver_pid)
    pool = AnalysisPool(FaceAnalyzer(), 2)
    pool.start()
    print(pool._pool.submit(os.getppid).result())  # the parent of a worker
    pool.stop()
"""


def test_the_fork_server_starts_before_the_first_photo_and_the_workers_come_from_it(tmp_path):
    """``start_fork_server`` (the scan calls it before walking the folders, the demo before
    registering people) starts the server at once; the pool's workers are then forked from it."""
    script = tmp_path / "early_server.py"
    script.write_text(_EARLY_SERVER)
    done = subprocess.run([PLVM[0], str(script)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    server, workers_parent = done.stdout.split()
    assert server != "None" and int(workers_parent) == int(server)
