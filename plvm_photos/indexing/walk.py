"""Finding photos and videos under a folder: the same walk for ``scan`` and ``watch``.

Paths named like something the library indexes (``media.kinds``: photos, camera RAW, videos) are
yielded, files and folders alike (a folder named ``x.jpg`` is recorded as not being an image,
rather than skipped silently). Every other file is counted in ``skipped`` by kind (videos or RAW
left out by an option, sidecars, files of unknown type), so a report can say what was passed
over. Symlinked folders are followed once, with loop protection (a folder already walked, by any
path, is not walked again), and the library's own folder is never entered, wherever it lies.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

from plvm_photos.media.kinds import MediaOptions, Skipped, classify, media_kind

ALL_MEDIA = MediaOptions()


def walk_images(root: str, skip: str | None = None, on_error: Callable[[str, str], None] | None = None,
                media: MediaOptions = ALL_MEDIA, skipped: Skipped | None = None) -> Iterator[str]:
    """Absolute paths to index under ``root`` (or ``root`` itself, when it is a file)."""
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        if _wanted(root, media, skipped):
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
            if media.wanted(media_kind(name)):
                yield path  # a folder named like a photo: the caller records what it is
            elif _identity(path) not in walked and _identity(path) != skip_id:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = os.path.join(folder, name)
            if _wanted(path, media, skipped):
                yield path


def _wanted(path: str, media: MediaOptions, skipped: Skipped | None) -> bool:
    kind, left_out = classify(path, media)
    if left_out is not None and skipped is not None:
        skipped.add(left_out, path)
    return kind is not None


def walk_batches(root: str, skip: str | None = None, batch: int = 500,
                 on_error: Callable[[str, str], None] | None = None, media: MediaOptions = ALL_MEDIA,
                 skipped: Skipped | None = None) -> Iterator[list[str]]:
    out: list[str] = []
    for path in walk_images(root, skip, on_error, media, skipped):
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
