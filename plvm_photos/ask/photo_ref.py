"""The photo a question names: a path, a file name, a unique tail of a path, or #ID."""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes

from plvm_photos.ask.reader import Reader
from plvm_photos.errors import LibraryError
from plvm_photos.fsnames import from_db, to_db

# A path's last component, lower-cased, in each database's SQL: the expression of the index
# ix_files_name (migration 0006), so a file name is found without reading every path.
FILE_NAME_KEY = {
    "sqlite": "lower(replace(path, rtrim(path, replace(path, '/', '')), ''))",
    "postgresql": "lower(regexp_replace(path, '^.*/', ''))",
}


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


MAX_ID = 2**63 - 1
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _files_ending_with(db: Reader, tail: str) -> list[tuple[int | None, str, bool]]:
    """(photo id, stored path, missing) of the files whose path ends with ``/tail``; on SQLite
    ASCII letters match in either case (as its LIKE did), elsewhere exactly."""
    name = os.path.basename(tail)
    # the name as a path stored percent-encoded (fsnames) holds it, and as a plain path does
    encoded = quote_from_bytes(os.fsencode(name), safe="/")
    stored_forms = [encoded, name if to_db(name) == name else encoded]
    rows = db.rows(
        f"SELECT photo_id, path, missing FROM files WHERE {FILE_NAME_KEY[db.dialect]} IN (lower(?), lower(?))",
        stored_forms,
    )
    suffix = os.sep + tail
    if db.dialect == "sqlite":
        suffix = _ascii_lower(suffix)
        return [row for row in rows if _ascii_lower(from_db(row[1])).endswith(suffix)]
    return [row for row in rows if from_db(row[1]).endswith(suffix)]


def resolve_photo(db: Reader, ref: str) -> int:
    """The photo id ``ref`` names: "#12", a path (absolute, relative to here, or ~), a file name
    or a tail of a path ("2019/beach.jpg") that only one photo's files end with."""
    return resolve_file(db, ref)[0]


def resolve_ref(db: Reader, ref) -> int:
    """The photo id a question's ``query.PhotoRef`` names (see ``resolve_ref_file``)."""
    return resolve_ref_file(db, ref)[0]


def resolve_ref_file(db: Reader, ref) -> tuple[int, str | None]:
    """(photo id, the file's own path) of a question's ``query.PhotoRef``: "#12", or its name,
    where written with words before it that may be part of the name ("red carpet.jpg") that
    longer name first. A longer name that no file has, where the shorter one is, is an error
    naming both: the words before it are not dropped unread."""
    if ref.photo_id is not None:
        return resolve_file(db, f"#{ref.photo_id}")
    for name in ref.spaced:
        try:
            return resolve_file(db, name, stem=ref.stem)
        except LibraryError:
            continue
    if ref.spaced:
        try:
            resolve_file(db, ref.ref, stem=ref.stem)
        except LibraryError:
            raise LibraryError(f"no photo {ref.spaced[0]!r} in the library (scan its folder first)") from None
        raise LibraryError(f"no photo {ref.spaced[0]!r} in the library; to ask about {ref.ref!r}, name it alone or in quotes")
    return resolve_file(db, ref.ref, stem=ref.stem)


def resolve_file(db: Reader, ref: str, stem: bool = False) -> tuple[int, str | None]:
    """(photo id, the file's own path) of ``ref`` (see ``resolve_photo``): the path of the file
    the question named, not of another copy of the same photo; None for "#12". ``stem``: ``ref``
    has no suffix ("c03"), and a file of that name with any image suffix matches."""
    if ref.startswith("#") and ref[1:].isdigit():
        # ids are 64-bit: a larger number names no photo (and would overflow the database's integer)
        if int(ref[1:]) > MAX_ID or db.value("SELECT photos.id FROM photos WHERE photos.id = ?", [int(ref[1:])]) is None:
            raise LibraryError(f"no photo with id {ref}")
        return int(ref[1:]), None
    absolute = os.path.abspath(os.path.expanduser(ref))
    photo_id = db.value("SELECT files.photo_id FROM files WHERE files.path = ?", [to_db(absolute)])
    if photo_id is not None:
        return photo_id, absolute
    tail = os.path.normpath(ref).lstrip(os.sep)
    while tail.startswith(".." + os.sep):
        tail = tail[3:]
    rows = _files_with_stem(db, tail) if stem else _files_ending_with(db, tail)
    ids = {pid for pid, _, _ in rows if pid is not None}
    present = {pid for pid, _, missing in rows if pid is not None and not missing}
    if len(present) == 1 or (not present and len(ids) == 1):
        chosen = (present or ids).pop()
        paths = sorted(from_db(p) for pid, p, missing in rows if pid == chosen and (not missing or not present))
        return chosen, paths[0] if len(paths) == 1 else None
    if ids:
        listing = "\n  ".join(sorted(from_db(p) for _, p, _ in rows)[:10])
        raise LibraryError(f"several photos are named {ref!r}; give more of the path, the full path or #ID:\n  {listing}")
    what = f"photo or video named {ref!r} (with any suffix)" if stem else f"photo {ref!r}"
    near = _names_starting(db, os.path.splitext(os.path.basename(tail))[0])
    hint = f"; did you mean {' or '.join(near)}?" if near else " (scan its folder first)"
    raise LibraryError(f"no {what} in the library{hint}")


def _names_starting(db: Reader, stem: str, most: int = 3) -> list[str]:
    """File names in the library that begin with ``stem`` ("beach" -> beach.mov), by name: what a
    question naming a file that is not there may have meant (an error's path: a scan of the names)."""
    if not stem:
        return []
    key = FILE_NAME_KEY[db.dialect]
    pattern = _ascii_lower(stem).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.rows(f"SELECT path FROM files WHERE {key} LIKE ? ESCAPE '\\' ORDER BY {key}, path LIMIT ?", [pattern, most * 4])
    return list(dict.fromkeys(os.path.basename(from_db(path)) for (path,) in rows))[:most]


def _files_with_stem(db: Reader, tail: str) -> list[tuple[int | None, str, bool]]:
    """The files whose path ends with ``/tail`` plus any image suffix ("c03" -> c03.jpg)."""
    from plvm_photos.ask.tokens import IMAGE_SUFFIXES

    found = []
    for suffix in IMAGE_SUFFIXES:
        found.extend(_files_ending_with(db, tail + suffix))
    return found
