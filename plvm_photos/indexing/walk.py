"""Finding photos under a folder: the same walk for ``scan`` and ``watch``.

Paths named like images are yielded, files and folders alike (a folder named ``x.jpg`` is
recorded as not being an image, rather than skipped silently). Symlinked folders are followed
once, with loop protection (a folder already walked, by any path, is not walked again), and the
library's own folder is never entered, wherever it lies.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

from plvm_photos.imaging import is_image_path


def walk_images(root: str, skip: str | None = None,
                on_error: Callable[[str, str], None] | None = None) -> Iterator[str]:
    """Absolute paths named like images under ``root`` (or ``root`` itself, when it is a file)."""
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        if is_image_path(Path(root)):
            yield root
        return
    skip_id = _identity(skip) if skip else None
    walked: set[tuple[int, int]] = set()

    def report(exc: OSError) -> None:
        if on_error is not None:
            on_error(exc.filename or root, f"cannot read folder: {exc.strerror or exc}")

    for folder, dirs, files in os.walk(root, onerror=report, followlinks=True):
        ident = _identity(folder)
        if ident is None or ident in walked or ident == skip_id:
            dirs[:] = []
            continue
        walked.add(ident)
        dirs.sort()
        kept = []
        for name in dirs:
            path = os.path.join(folder, name)
            if is_image_path(Path(name)):
                yield path  # a folder named like an image: the caller records what it is
            elif _identity(path) not in walked and _identity(path) != skip_id:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if is_image_path(Path(name)):
                yield os.path.join(folder, name)


def walk_batches(root: str, skip: str | None = None, batch: int = 500,
                 on_error: Callable[[str, str], None] | None = None) -> Iterator[list[str]]:
    out: list[str] = []
    for path in walk_images(root, skip, on_error):
        out.append(path)
        if len(out) >= batch:
            yield out
            out = []
    if out:
        yield out


def _identity(path: str | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, TypeError):
        return None
    return (st.st_dev, st.st_ino)
