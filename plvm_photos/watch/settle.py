"""Waiting until a file is complete: its size and mtime stay the same for a settle time.

A file whose mtime is already older than the settle time (found by a scan, or copied with its
original mtime) is ready at first sight; a file just written waits until nothing has changed it
for ``settle`` seconds. A decode that fails on a young file is retried once more by the caller.
"""

from __future__ import annotations

import heapq
import os
import stat as stat_mod
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Observed:
    """What a path was when it settled."""

    path: str
    kind: str  # file | dir | other (FIFO, socket, device) | gone | error
    size: int = 0
    mtime_ns: int = 0
    error: str | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.size, self.mtime_ns)


def observe(path: str) -> Observed:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        try:
            os.lstat(path)
        except FileNotFoundError:
            return Observed(path, "gone")
        return Observed(path, "error", error="broken symbolic link (its target does not exist)")
    except OSError as exc:  # ELOOP (symlink loop), EACCES on a folder above, ENAMETOOLONG...
        return Observed(path, "error", error=exc.strerror or str(exc))
    if stat_mod.S_ISREG(st.st_mode):
        kind = "file"
    elif stat_mod.S_ISDIR(st.st_mode):
        kind = "dir"
    else:
        kind = "other"
    return Observed(path, kind, st.st_size, st.st_mtime_ns)


@dataclass
class _Entry:
    seen: Observed | None = None
    since: float = 0.0  # monotonic time when ``seen`` was first observed
    due: float = 0.0
    version: int = 0
    settle: float | None = None  # this path's own settle time (shorter once its writer closed it)


class Settler:
    """Paths waiting to settle. ``touch`` (re)starts a path's wait; ``ready`` returns settled ones."""

    def __init__(
        self,
        settle: float,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        observe_fn: Callable[[str], Observed] = observe,
    ):
        self.settle = settle
        self._clock, self._wall, self._observe = clock, wall, observe_fn
        self._entries: dict[str, _Entry] = {}
        self._heap: list[tuple[float, int, str]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: str) -> bool:
        return path in self._entries

    def touch(self, path: str, delay: float = 0.0, settle: float | None = None) -> None:
        """(Re)start ``path``'s wait; ``settle`` overrides the settle time until the next touch."""
        entry = self._entries.get(path)
        if entry is None:
            entry = self._entries[path] = _Entry()
        entry.seen = None  # something happened to it: observe afresh
        entry.settle = settle
        entry.version += 1
        entry.due = self._clock() + delay
        heapq.heappush(self._heap, (entry.due, entry.version, path))

    def discard(self, path: str) -> None:
        self._entries.pop(path, None)

    def next_due(self) -> float | None:
        """Monotonic time of the next check (None when nothing waits)."""
        while self._heap:
            due, version, path = self._heap[0]
            entry = self._entries.get(path)
            if entry is None or entry.version != version:
                heapq.heappop(self._heap)
                continue
            return due
        return None

    def ready(self, limit: int) -> list[Observed]:
        """Up to ``limit`` settled paths (removed from the waiting set)."""
        out: list[Observed] = []
        now = self._clock()
        while self._heap and len(out) < limit:
            due, version, path = self._heap[0]
            entry = self._entries.get(path)
            if entry is None or entry.version != version:
                heapq.heappop(self._heap)
                continue
            if due > now:
                break
            heapq.heappop(self._heap)
            seen = self._observe(path)
            settle = self.settle if entry.settle is None else entry.settle
            if seen.kind != "file" or self._quiet_for(entry, seen, now) >= settle:
                del self._entries[path]
                out.append(seen)
                continue
            wait = max(0.02, settle - self._quiet_for(entry, seen, now))
            entry.version += 1
            entry.due = now + wait
            heapq.heappush(self._heap, (entry.due, entry.version, path))
        return out

    def _quiet_for(self, entry: _Entry, seen: Observed, now: float) -> float:
        """Seconds the file has provably not changed: since first seen like this, or since its mtime."""
        if entry.seen is None or entry.seen.key != seen.key:
            entry.seen, entry.since = seen, now
        by_mtime = self._wall() - seen.mtime_ns / 1e9
        by_watching = now - entry.since
        # A future mtime (clock skew on a network share) proves nothing: rely on watching then.
        return max(by_watching, by_mtime) if by_mtime >= 0 else by_watching
