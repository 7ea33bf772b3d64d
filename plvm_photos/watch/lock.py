"""One watcher per library: an fcntl lock on ``watch.lock`` in the library folder, holding the pid.

The kernel drops the lock when the process dies (even by ``kill -9``), so a stale lock file never
blocks a restart. ``holder()`` asks the kernel who holds the lock (F_GETLK) without taking it, so
``plvm-photos status`` cannot make a starting watcher fail.
"""

from __future__ import annotations

import fcntl
import os
import struct
import sys
from pathlib import Path

from plvm_photos.errors import LibraryError

LOCK_FILE = "watch.lock"


class WatcherRunning(LibraryError):
    def __init__(self, root: Path, pid: int | None):
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"a watcher is already running on the library {root} ({who}); only one may run at a time. "
            f"Stop it first (kill {pid or '<pid>'}) or see what it is doing with `plvm-photos status`."
        )
        self.pid = pid


class WatchLock:
    def __init__(self, library_root: Path):
        self.path = Path(library_root) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise WatcherRunning(self.path.parent, holder(self.path.parent) or _pid_in_file(self.path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self) -> "WatchLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def holder(library_root: Path) -> int | None:
    """The pid of the running watcher on this library, or None when none holds the lock."""
    path = Path(library_root) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        if sys.platform.startswith("linux"):
            # struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid.
            request = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
            l_type, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, request))
            return pid if l_type != fcntl.F_UNLCK else None
        pid = _pid_in_file(path)  # elsewhere: trust the pid file when that process is alive
        if pid:
            try:
                os.kill(pid, 0)
                return pid
            except OSError:
                return None
        return None
    finally:
        os.close(fd)


def _pid_in_file(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
