"""Copies of reference photos kept in the library, so a concept survives its source file.

A copy is named ``NAME-HASH12.ext`` and written to a temporary file, fsynced and renamed into
place, so a crash never leaves a truncated copy under the final name; an existing copy is used
only when its content hash is the source's (a truncated copy from an older version is replaced).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from plvm_photos.errors import LibraryError, os_failure
from plvm_photos.imaging import sha256_file
from plvm_photos.safe_write import open_regular


def keep_reference_copy(folder: Path, source: Path, name: str, sha256: str) -> str:
    """The file name (inside ``folder``) of a verified copy of ``source``; a ``LibraryError``
    naming the folder when it cannot take one (not writable, a full disk)."""
    try:
        return _copy(folder, source, name, sha256)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) == source:
            raise
        reason = os_failure(OSError(exc.errno, exc.strerror or str(exc)))
        raise LibraryError(f"cannot keep a copy of the reference photo in {folder}: {reason}") from None


def _copy(folder: Path, source: Path, name: str, sha256: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}-{sha256[:12]}{source.suffix.lower()}"
    if target.is_file() and not target.is_symlink() and sha256_file(target) == sha256:
        return target.name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".copy-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, open_regular(source) as src:  # never waits on a FIFO put there meanwhile
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if sha256_file(tmp) != sha256:
            raise OSError(f"{source} changed while it was being copied")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target.name
