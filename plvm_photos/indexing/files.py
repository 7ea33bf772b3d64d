"""File rows: the paths where a photo's content lives, and what the database knows of a path.

Moves, renames, deletes and errors change only file rows, never analyses.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from plvm_photos.fsnames import ENCODED_PREFIX
from plvm_photos.db.models import File, Photo, utcnow

CHUNK = 500
COMPANION = "companion"  # files.role of an item's file that is not the one analysed


@dataclass(frozen=True)
class FileStat:
    path: str
    size: int
    mtime_ns: int
    companion: bool = False  # another file of the item (a RAW+JPEG pair's RAW, a Live Photo's movie)

    @classmethod
    def of(cls, path: str) -> "FileStat":
        st = os.stat(path)
        return cls(path, st.st_size, st.st_mtime_ns)


def quick_stat(path: str) -> tuple[int, int] | None:
    """(size, mtime_ns) following symlinks, else of the link itself; None when gone."""
    for fn in (os.stat, os.lstat):
        try:
            st = fn(path)
            return st.st_size, st.st_mtime_ns
        except OSError:
            continue
    return None


class ChangedWhileReading(Exception):
    pass


def hash_stable(path: str, chunk: int = 1 << 20) -> tuple[str, FileStat]:
    """The file's sha256 and stat; raises ChangedWhileReading when it changed meanwhile."""
    before = FileStat.of(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    after = FileStat.of(path)
    if after != before:
        raise ChangedWhileReading(path)
    return digest.hexdigest(), after


@dataclass(frozen=True)
class Known:
    """The database's row for a path, if any."""

    size: int
    mtime_ns: int
    missing: bool
    photo_id: int | None
    error: str | None
    photo_engine: str | None  # the engine that analysed its photo
    photo_error: str | None

    def unchanged(self, size: int, mtime_ns: int, engine: str | None = None) -> bool:
        """Same size and mtime as recorded, and nothing left to do for it: analysed (by
        ``engine``, when given) or recorded as unusable."""
        if self.missing or (self.size, self.mtime_ns) != (size, mtime_ns):
            return False
        if self.photo_id is None:
            return self.error is not None
        return engine is None or self.photo_error is not None or self.photo_engine == engine


def known_files(session: Session, paths: list[str]) -> dict[str, Known]:
    out: dict[str, Known] = {}
    for start in range(0, len(paths), CHUNK):
        rows = session.execute(
            select(File, Photo.engine, Photo.error)
            .outerjoin(Photo, Photo.id == File.photo_id)
            .where(File.path.in_(paths[start : start + CHUNK]))
        ).all()
        for row, engine, photo_error in rows:
            out[row.path] = Known(row.size, row.mtime_ns, row.missing, row.photo_id, row.error, engine, photo_error)
    return out


def upsert_file(session: Session, stat: FileStat, photo_id: int | None, error: str | None = None) -> File:
    row = session.scalar(select(File).where(File.path == stat.path))
    if row is None:
        row = File(path=stat.path, size=stat.size, mtime_ns=stat.mtime_ns)
        session.add(row)
    row.photo_id = photo_id
    row.size = stat.size
    row.mtime_ns = stat.mtime_ns
    row.missing = False
    row.error = error
    row.role = COMPANION if stat.companion else None
    row.seen_at = utcnow()
    return row


def item_photo(session: Session, paths: list[str]) -> tuple[str, int] | None:
    """The first of ``paths`` (an item's other files) whose photo is analysed without error, and
    that photo's id; None when none is."""
    for path in paths:
        photo_id = session.scalar(
            select(File.photo_id).join(Photo, Photo.id == File.photo_id)
            .where(File.path == path, File.missing.is_(False), Photo.error.is_(None)))
        if photo_id is not None:
            return path, photo_id
    return None


def record_file_error(session: Session, path: str, message: str, missing: bool = False) -> None:
    """Record a path that is not a usable photo (or that vanished before it could be read)."""
    size, mtime_ns = quick_stat(path) or (0, 0)
    row = upsert_file(session, FileStat(path, size, mtime_ns), None, error=message)
    row.missing = missing


@dataclass(frozen=True)
class Attached:
    photo_id: int
    error: str | None
    restored: bool  # the path was marked missing and is back


def attach_known_content(session: Session, stat: FileStat, sha256: str, engine_name: str) -> Attached | None:
    """Record ``stat.path`` as a file of an already analysed photo; None when the content is new,
    or was analysed by another engine (then it is analysed again)."""
    photo = session.scalar(select(Photo).where(Photo.sha256 == sha256))
    if photo is None or (photo.error is None and photo.engine != engine_name):
        return None
    previous = session.scalar(select(File.missing).where(File.path == stat.path))
    upsert_file(session, stat, photo.id)
    return Attached(photo.id, photo.error, bool(previous))


def move_file(session: Session, old_path: str, stat: FileStat) -> File | None:
    """Give the file row at ``old_path`` its new path, when the content is the one recorded.

    Returns the moved row, or None when ``old_path`` is unknown or its size/mtime differ from
    ``stat`` (then the caller treats the new path as new content). A row already at the new path
    (a file replaced by a rename) is dropped: that path now holds the moved content.
    """
    row = session.scalar(select(File).where(File.path == old_path))
    if row is None or (row.size, row.mtime_ns) != (stat.size, stat.mtime_ns):
        return None
    existing = session.scalar(select(File).where(File.path == stat.path))
    if existing is not None and existing.id != row.id:
        session.delete(existing)
        session.flush()
    row.path = stat.path
    row.missing = False
    row.seen_at = utcnow()
    return row


def move_folder(session: Session, old_dir: str, new_dir: str) -> int:
    """Rewrite the paths of every file under ``old_dir`` to lie under ``new_dir``."""
    old_prefix, new_prefix = old_dir.rstrip(os.sep) + os.sep, new_dir.rstrip(os.sep) + os.sep
    moved = 0
    for row in files_under(session, old_dir, missing=None):
        target = new_prefix + row.path[len(old_prefix) :]
        existing = session.scalar(select(File).where(File.path == target))
        if existing is not None:
            session.delete(existing)
            session.flush()
        row.path = target
        row.seen_at = utcnow()
        moved += 1
    return moved


def mark_missing(session: Session, paths: list[str]) -> int:
    """Mark these files missing (their photos' verdicts stay as history). Returns how many."""
    marked = 0
    for start in range(0, len(paths), CHUNK):
        for row in session.scalars(select(File).where(File.path.in_(paths[start : start + CHUNK]), File.missing.is_(False))):
            row.missing = True
            marked += 1
    return marked


def files_under(session: Session, folder: str, missing: bool | None = False) -> list[File]:
    """File rows under ``folder`` (present ones by default, all with None), non-UTF-8 paths too."""
    prefix = folder.rstrip(os.sep) + os.sep
    plain = select(File).where(File.path.startswith(prefix, autoescape=True))
    # Encoded (non-UTF-8) paths do not share the plain prefix; there are few, filter them here.
    encoded = select(File).where(literal_column("files.path").startswith(ENCODED_PREFIX, autoescape=True))
    if missing is not None:
        plain, encoded = plain.where(File.missing.is_(missing)), encoded.where(File.missing.is_(missing))
    rows = list(session.scalars(plain))
    rows.extend(r for r in session.scalars(encoded) if r.path.startswith(prefix))
    return rows
