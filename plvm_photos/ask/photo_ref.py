"""The photo a question names: a path, a file name, a unique tail of a path, or #ID."""

from __future__ import annotations

import os

from plvm_photos.ask.reader import Reader
from plvm_photos.fsnames import from_db, to_db
from plvm_photos.errors import LibraryError


def _like_suffix(text: str) -> str:
    """A LIKE pattern matching values that end with ``text`` (escape character '/')."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return "%" + escaped


def resolve_photo(db: Reader, ref: str) -> int:
    """The photo id ``ref`` names: "#12", a path (absolute, relative to here, or ~), a file name
    or a tail of a path ("2019/beach.jpg") that only one photo's files end with."""
    if ref.startswith("#") and ref[1:].isdigit():
        if db.value("SELECT photos.id FROM photos WHERE photos.id = ?", [int(ref[1:])]) is None:
            raise LibraryError(f"no photo with id {ref}")
        return int(ref[1:])
    absolute = os.path.abspath(os.path.expanduser(ref))
    photo_id = db.value("SELECT files.photo_id FROM files WHERE files.path = ?", [to_db(absolute)])
    if photo_id is not None:
        return photo_id
    tail = os.path.normpath(ref).lstrip(os.sep)
    while tail.startswith(".." + os.sep):
        tail = tail[3:]
    rows = db.rows(
        "SELECT files.photo_id, files.path, files.missing FROM files WHERE files.path LIKE ? ESCAPE '/'",
        [_like_suffix(os.sep + tail)],
    )
    ids = {pid for pid, _, _ in rows if pid is not None}
    present = {pid for pid, _, missing in rows if pid is not None and not missing}
    if len(present) == 1 or (not present and len(ids) == 1):
        return (present or ids).pop()
    if ids:
        listing = "\n  ".join(sorted(from_db(p) for _, p, _ in rows)[:10])
        raise LibraryError(f"several photos are named {ref!r}; give more of the path, the full path or #ID:\n  {listing}")
    raise LibraryError(f"no photo {ref!r} in the library (scan its folder first)")
