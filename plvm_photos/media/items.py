"""Items made of several files: a RAW+JPEG pair, a Live Photo (a still and its movie).

Files are one item when they lie in the same folder, share a name but for the suffix (compared
without case), are of different kinds (a photo, a camera RAW, a video: two JPEGs of one name are
two photos) and are the same moment: their recorded capture times agree within
``SAME_MOMENT_SECONDS`` (a video's UTC creation time is compared with a photo's local time up to
a whole time-zone offset), or, where either has none, their files' modification times within
``SAME_FILE_TIME_SECONDS``. The item is analysed once, through its best member (a still before a
RAW, a RAW before a video); the others are its companions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from plvm_photos.media.kinds import IMAGE, RAW, VIDEO, media_kind

PREFERENCE = {IMAGE: 0, RAW: 1, VIDEO: 2}  # which member of an item is analysed
SAME_MOMENT_SECONDS = 3.0  # a Live Photo's movie is stamped up to ~1.5 s from its still
SAME_FILE_TIME_SECONDS = 60.0


def stem_key(path: str) -> tuple[str, str]:
    folder, name = os.path.split(path)
    return folder, os.path.splitext(name)[0].casefold()


def item_order(paths: Iterable[str]) -> list[str]:
    """``paths`` with each item's best member first (the walk's order otherwise kept), so that a
    scan analyses it and its companions join it."""
    indexed = list(enumerate(paths))
    first: dict[tuple[str, str], int] = {}
    for i, path in indexed:
        first.setdefault(stem_key(path), i)
    return [p for _, p in sorted(indexed, key=lambda ip: (first[stem_key(ip[1])], PREFERENCE.get(media_kind(ip[1]), 9), ip[0]))]


def siblings(path: str) -> list[str]:
    """Other files of the same folder with the same name but for the suffix, of another kind."""
    folder, stem = stem_key(path)
    kind = media_kind(path)
    out = []
    try:
        with os.scandir(folder or ".") as entries:
            for entry in entries:
                other = os.path.join(folder, entry.name)
                if other != path and stem_key(other)[1] == stem and media_kind(other) not in (None, kind):
                    out.append(other)
    except OSError:
        return []
    return sorted(out, key=lambda p: (PREFERENCE.get(media_kind(p), 9), p))


@dataclass(frozen=True)
class Moment:
    """When a file was recorded (``taken``: the camera's time, None where it has none; its UTC
    offset where known) and its modification time (seconds)."""

    taken: datetime | None
    offset_minutes: int | None
    mtime: float


def same_moment(a: Moment, b: Moment) -> bool:
    """Whether two files were recorded at the same moment (see the module docstring)."""
    if a.taken is None or b.taken is None:
        return abs(a.mtime - b.mtime) <= SAME_FILE_TIME_SECONDS
    (ta, oa), (tb, ob) = (a.taken, a.offset_minutes), (b.taken, b.offset_minutes)
    if oa is not None and ob is not None:
        return abs(((ta - timedelta(minutes=oa)) - (tb - timedelta(minutes=ob))).total_seconds()) <= SAME_MOMENT_SECONDS
    delta = abs((ta - tb).total_seconds())
    if oa is None and ob is None:  # both the camera's local time
        return delta <= SAME_MOMENT_SECONDS
    if delta > 14 * 3600 + SAME_MOMENT_SECONDS:
        return False
    # One is a known offset (a video's UTC time), the other local time: a whole quarter-hour apart.
    return min(delta % 900, 900 - delta % 900) <= SAME_MOMENT_SECONDS
