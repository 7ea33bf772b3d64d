"""What a watcher has done and what it has queued, in a JSON file it rewrites atomically.

``plvm-photos status`` reads this file and asks the lock who is running; the file alone cannot
say whether its writer is still alive (a ``kill -9`` leaves it behind).
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from plvm_photos.watch.lock import holder

STATUS_FILE = "watch-status.json"
RECENT = 20  # errors and photos kept in the status file


@dataclass
class WatchCounters:
    analysed: int = 0  # photos decoded and analysed
    faces: int = 0  # faces found in them
    known_content: int = 0  # new paths whose content the library already had (no analysis)
    unchanged: int = 0  # files seen on a scan that were already indexed
    moved: int = 0  # renames and moves applied without analysis
    missing: int = 0  # files marked missing (deleted or moved away)
    restored: int = 0  # missing files that came back
    errors: int = 0  # files recorded with an error
    retried: int = 0  # decodes tried again because the file was young or changing
    worker_crashes: int = 0  # analysis processes that died and were replaced


@dataclass
class WatchStatus:
    pid: int
    library: str
    roots: list[dict]
    workers: int
    settle_seconds: float
    rescan_seconds: float
    started_at: float = field(default_factory=time.time)
    updated_at: float = 0.0
    state: str = "starting"  # starting | catching-up | busy | idle | stopping | stopped
    counters: WatchCounters = field(default_factory=WatchCounters)
    queue: dict = field(default_factory=dict)  # settling, in_flight, in_flight_max, window, walking
    last_rescan_at: float | None = None
    rescans: int = 0
    recent_photos: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    recent_errors: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    # files found and not indexed, by kind (video, raw, sidecar, unknown): the last walk of each
    # root, and what events brought since
    skipped: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["recent_photos"] = list(self.recent_photos)
        data["recent_errors"] = list(self.recent_errors)
        return data


def status_path(library_root: Path) -> Path:
    return Path(library_root) / STATUS_FILE


def write_status(library_root: Path, status: WatchStatus) -> None:
    status.updated_at = time.time()
    path = status_path(library_root)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status.as_dict(), indent=1))
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one


def read_status(library_root: Path) -> dict:
    """The last status written, with ``running`` (and ``pid``) from the lock."""
    pid = holder(Path(library_root))
    try:
        data = json.loads(status_path(library_root).read_text())
    except (OSError, ValueError):
        data = {}
    data["running"] = pid is not None
    if pid is not None:
        data["pid"] = pid
    elif data and data.get("state") not in (None, "stopped"):
        data["state"] = "died"  # the last watcher did not exit cleanly (killed, crashed, power cut)
    return data
