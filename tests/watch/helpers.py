"""Helpers for the watcher tests: run ``plvm-photos watch`` as a real process and observe it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
# Not ``-m plvm_photos.cli.app``: run as __main__, cli.py's app would be a second copy that the
# command modules (watch, status) do not register on.
PLVM = [sys.executable, "-c", "from plvm_photos.cli.app import main; main()"]


def cli(library: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PLVM, "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


class Watcher:
    """A ``plvm-photos watch --json`` process; its JSON lines are collected as they come."""

    def __init__(self, library: Path, roots: list[Path], settle: float = 0.3, rescan: float = 0, workers: int = 2, extra: tuple = ()):
        self.library = library
        self.stderr_path = library.parent / f"watch-stderr-{time.monotonic_ns()}.log"
        library.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [
                *PLVM, "--library", str(library), "watch", *map(str, roots),
                "--json", "--settle", str(settle), "--rescan", str(rescan), "--workers", str(workers), *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=REPO,
        )
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            try:
                self.events.append(json.loads(raw))
            except ValueError:
                self.events.append({"event": "unparsed", "line": raw.decode("utf-8", "replace")})

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def of(self, kind: str) -> list[dict]:
        return [e for e in list(self.events) if e.get("event") == kind]

    def wait_for(self, predicate, timeout: float = 60, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if self.proc.poll() is not None:
                raise AssertionError(f"watcher exited ({self.proc.returncode}) while waiting for {what}:\n{self.stderr[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; watcher log:\n{self.stderr[-3000:]}")

    def status(self) -> dict:
        try:
            return json.loads((self.library / "watch-status.json").read_text())
        except (OSError, ValueError):
            return {}

    def wait_idle(self, timeout: float = 60) -> dict:
        """Idle in a status written after this call began (nothing settling, walking or in flight)."""
        since = time.time()

        def idle():
            st = self.status()
            return st if st.get("state") == "idle" and st.get("updated_at", 0) > since + 0.2 else None

        return self.wait_for(idle, timeout, "the watcher to be idle")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            self._reader.join(timeout=5)
            self._stderr.close()
        return code

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=5)
        self._stderr.close()


@pytest.fixture
def watchers():
    """Start watchers with ``watchers(library, roots, ...)``; any left running are stopped."""
    started: list[Watcher] = []

    def start(library: Path, roots: list[Path], **kw) -> Watcher:
        w = Watcher(library, roots, **kw)
        started.append(w)
        return w

    yield start
    for w in started:
        if w.proc.poll() is None:
            w.kill()


def variant(source: Path, target: Path, k: int, size: int | None = None) -> Path:
    """A copy of ``source`` with different bytes, optionally shrunk.

    The JPEG comment makes the bytes unique (a one-pixel change alone can quantise away).
    """
    image = Image.open(source).convert("RGB")
    if size:
        image.thumbnail((size, size))
    pixels = np.asarray(image).copy()
    pixels[0, 0] = [k % 256, (k // 256) % 256, 7]
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(target, quality=90, comment=f"variant {k}".encode())
    return target


def db_rows(library: Path, sql: str, params: tuple = ()) -> list[tuple]:
    import sqlite3

    con = sqlite3.connect(library / "library.db", timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # the watcher has not created the library yet
            return []
        raise
    finally:
        con.close()


def file_row(library: Path, path: Path) -> dict | None:
    from plvm_photos.fsnames import to_db

    rows = db_rows(
        library,
        "SELECT f.photo_id, f.missing, f.error, p.error, p.analyzed_at, f.size FROM files f "
        "LEFT JOIN photos p ON p.id = f.photo_id WHERE f.path = ?",
        (to_db(str(path)),),
    )
    if not rows:
        return None
    photo_id, missing, error, photo_error, analyzed_at, size = rows[0]
    return {"photo_id": photo_id, "missing": bool(missing), "error": error, "photo_error": photo_error, "analyzed_at": analyzed_at, "size": size}


def analysed(library: Path, path: Path) -> dict | None:
    row = file_row(library, path)
    return row if row and row["photo_id"] and not row["photo_error"] and not row["missing"] else None


def present_people(library: Path, path: Path) -> set[str]:
    from plvm_photos.fsnames import to_db

    return {
        name
        for (name,) in db_rows(
            library,
            "SELECT c.name FROM files f JOIN verdicts v ON v.photo_id = f.photo_id JOIN concepts c ON c.id = v.concept_id "
            "WHERE f.path = ? AND v.present = 1",
            (to_db(str(path)),),
        )
    }


def analysis_workers(pid: int) -> list[int]:
    """The analysis worker processes of the scan or watcher ``pid``: they are forked by its
    multiprocessing fork server (a child of ``pid``), so they are the server's children."""
    servers = [c for c in children(pid) if "multiprocessing.forkserver" in _cmdline(c)]
    return [worker for server in servers for worker in children(server)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out
