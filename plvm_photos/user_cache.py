"""The user's cache folder: things derived from installed packages that are slow to make and quick
to read (the HOG detector, MTCNN's weights, the place index).

Each file's name says what it was made from (a package version, the shipped data's size), so another
version makes another file. A cache that cannot be written costs only the time to make the thing
again; a damaged file is made again by whoever reads it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/plvm-photos``, else ``~/.cache/plvm-photos``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plvm-photos"


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Make ``path`` by ``write(name)`` into a temporary file of its own beside it, then rename that
    into place: processes writing the same file at once each rename a whole one, and a reader never
    sees half a file. Creates missing folders; raises ``OSError`` where it cannot write."""
    import tempfile  # here: ``ask`` reads the cache on its fast path and never writes it

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
