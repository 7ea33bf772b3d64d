"""One watcher per library: an fcntl lock on ``watch.lock`` in the library folder, holding the pid;
for a library in PostgreSQL, which several machines share, an advisory lock in the database.

The kernel drops the file lock when the process dies (even by ``kill -9``), so a stale lock file
never blocks a restart. ``holder()`` asks the kernel who holds the lock (F_GETLK) without taking
it, so ``plvm-photos status`` cannot make a starting watcher fail. The server drops an advisory
lock when the connection that took it ends (the process died, its machine went away).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plvm_photos.errors import LibraryError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from plvm_photos.store.library_store import LibraryStore

LOCK_FILE = "watch.lock"
APPLICATION = "plvm-photos watch"  # the lock connection's application_name: "<APPLICATION> <pid>@<host>"


class WatcherRunning(LibraryError):
    def __init__(self, root: Path | str, pid: int | None, host: str | None = None):
        who = f"pid {pid}" if pid else "another process"
        if host:
            who += f" on {host}"
        super().__init__(
            f"a watcher is already running on the library {root} ({who}); only one may run at a time. "
            f"Stop it first (kill {pid or '<pid>'}{' there' if host else ''}) or see what it is doing with "
            "`plvm-photos status`" + (" on that machine." if host else ".")
        )
        self.pid = pid
        self.host = host


def watch_lock(store: LibraryStore) -> "WatchLock | DatabaseWatchLock":
    """The lock that keeps a second watcher off this library: in the database where machines share it."""
    if store.db.dialect.name == "postgresql":
        return DatabaseWatchLock(store.db)
    return WatchLock(store.root)


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


class DatabaseWatchLock:
    """A PostgreSQL session advisory lock (``pg_try_advisory_lock``) on a key derived from the
    database's name, held on a connection of its own while the watcher runs."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._conn: Connection | None = None
        self.key: int | None = None

    def acquire(self) -> None:
        from sqlalchemy import text

        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            name = f"{APPLICATION} {os.getpid()}@{socket.gethostname()}"[:63]
            conn.execute(text("SELECT set_config('application_name', :name, false)"), {"name": name})
            database = conn.execute(text("SELECT current_database()")).scalar()
            self.key = advisory_key(database)
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            if not taken:
                pid, host = database_holder(conn, self.key)
                raise WatcherRunning(f"in database {database}", pid, host)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def release(self) -> None:
        if self._conn is None:
            return
        from sqlalchemy import text

        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except Exception:  # the connection is gone: so is the lock
            pass
        finally:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "DatabaseWatchLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def advisory_key(database: str) -> int:
    """A signed 64-bit advisory-lock key for the watcher of ``database``."""
    digest = hashlib.sha256(f"{APPLICATION}\0{database}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def database_holder(conn: Connection, key: int) -> tuple[int | None, str | None]:
    """(pid, host) of the watcher holding ``key``, from its connection's application_name."""
    from sqlalchemy import text

    name = conn.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid::text::bigint = :high AND l.objid::text::bigint = :low AND l.objsubid = 1"
    ), {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF}).scalar()
    found = re.fullmatch(rf"{re.escape(APPLICATION)} (\d+)@(.*)", name or "")
    return (int(found.group(1)), found.group(2) or None) if found else (None, None)


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
