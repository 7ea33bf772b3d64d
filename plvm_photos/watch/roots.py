"""The watched folders: are they there (mounted, not renamed away), and walking them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Iterator

from plvm_photos.media.kinds import Skipped

log = logging.getLogger("plvm_photos.watch")


def identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of a folder, None when it is not a folder now."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    import stat as stat_mod

    return (st.st_dev, st.st_ino) if stat_mod.S_ISDIR(st.st_mode) else None


@dataclass
class Root:
    path: str  # absolute
    ident: tuple[int, int] | None = None  # what it was when last online
    online: bool = False
    watched: bool = False
    walked: bool = False  # a full walk has finished since it came online

    def check(self) -> str:
        """'same', 'offline' (gone or unmounted), 'online' (back) or 'replaced' (another folder now)."""
        now = identity(self.path)
        if now is None:
            was, self.online = self.online, False
            return "offline" if was else "same"
        if not self.online:
            self.online, self.ident = True, now
            return "online"
        if now != self.ident:
            self.ident = now
            return "replaced"
        return "same"

    def as_dict(self) -> dict:
        return {"path": self.path, "online": self.online, "events": self.watched}


@dataclass
class Walk:
    """A walk of one root in progress: batches still to come and the paths seen so far."""

    root: Root
    batches: Iterator[list[str]]
    seen: set[str] = field(default_factory=set)
    skipped: Skipped = field(default_factory=Skipped)  # files it left out, by kind
