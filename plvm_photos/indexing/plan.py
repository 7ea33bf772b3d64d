"""What to do with one path: the same decision for ``scan`` and ``watch``.

A path is skipped when the database already has it as it is (same size and mtime, analysed by
this engine, or recorded as unusable); anything that is not a regular file is recorded as an
error before anything reads it (a FIFO would block a reader forever, ``/dev/zero`` never ends);
otherwise its content is hashed, and the caller attaches the path to known content or analyses it.
"""

from __future__ import annotations

import os
import stat as stat_mod
from dataclasses import dataclass

from plvm_photos.indexing.files import ChangedWhileReading, FileStat, Known, hash_stable

NOT_A_FILE = "not a regular file (FIFO, socket or device)"
A_FOLDER = "a folder named like an image, not an image file"
EMPTY = "empty file (0 bytes)"
BROKEN_LINK = "broken symbolic link (its target does not exist)"


@dataclass(frozen=True)
class Planned:
    action: str  # "unchanged" | "content" | "error" | "changing" | "gone"
    stat: FileStat | None = None
    sha256: str | None = None
    error: str | None = None


def plan_path(path: str, known: Known | None, engine_name: str, reanalyze: bool = False,
              retry_failed: bool = False) -> Planned:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            return Planned("error", error=BROKEN_LINK)
        return Planned("gone")
    except OSError as exc:  # a symlink loop, permission denied on a folder
        return Planned("error", error=f"cannot read: {exc.strerror or exc}")
    if stat_mod.S_ISDIR(st.st_mode):
        return Planned("error", error=A_FOLDER)
    if not stat_mod.S_ISREG(st.st_mode):
        return Planned("error", error=NOT_A_FILE)
    if (
        known is not None
        and not reanalyze
        and known.unchanged(st.st_size, st.st_mtime_ns, engine_name)
        and not (retry_failed and (known.error is not None or known.photo_error is not None))
    ):
        return Planned("unchanged")
    if st.st_size == 0:
        return Planned("error", error=EMPTY)
    try:
        sha256, stat = hash_stable(path)
    except ChangedWhileReading:
        return Planned("changing")
    except FileNotFoundError:
        return Planned("gone")
    except OSError as exc:  # permission denied, I/O error
        return Planned("error", error=f"cannot read: {exc.strerror or exc}")
    return Planned("content", stat, sha256)
