"""Whether a library's database changed since a reader last looked, in microseconds.

SQLite's ``PRAGMA data_version``, asked on a connection of its own that never writes, changes
whenever any other connection (this process's sessions, a scan or ``watch`` in another process)
commits. On another database nothing is known: every call says "may have changed".
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ChangeWatch:
    def __init__(self, db_url: str):
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        prefix = "sqlite:///"
        if db_url.startswith(prefix) and Path(db_url[len(prefix):]).is_file():
            try:
                uri = Path(db_url[len(prefix):]).resolve().as_uri()
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            except sqlite3.Error:
                self._conn = None

    def version(self) -> int | None:
        """A number that differs from the last one whenever the database changed in between
        (None: cannot tell)."""
        if self._conn is None:
            return None
        with self._lock:
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
