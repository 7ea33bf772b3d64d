"""Writing one photo's analysis, its file and its verdicts: one transaction per photo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plvm_photos.indexing.analysis import AnalysisResult
from plvm_photos.db.models import File, Photo, Region, utcnow
from plvm_photos.engines.face.decide import DecisionRule
from plvm_photos.indexing.verdicts import RegisteredPeople, decide_and_store

if TYPE_CHECKING:
    from plvm_photos.library import Library


@dataclass(frozen=True)
class FileStat:
    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str) -> "FileStat":
        st = os.stat(path)
        return cls(path, st.st_size, st.st_mtime_ns)


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
    row.seen_at = utcnow()
    return row


def store_analysis(
    session: Session,
    result: AnalysisResult,
    stat: FileStat,
    people: RegisteredPeople,
    rule: DecisionRule,
    engine: str = "face",
) -> tuple[Photo, list[Region]]:
    """Store the photo (or its decode error), its regions, verdicts, caption and file."""
    photo = session.scalar(select(Photo).where(Photo.sha256 == result.job.sha256))
    if photo is None:
        photo = Photo(sha256=result.job.sha256)
        session.add(photo)
    else:  # analysed again (e.g. an earlier error): start from a clean slate
        for old in list(photo.regions):
            session.delete(old)
    regions: list[Region] = []
    photo.engine = engine
    photo.analyzed_at = utcnow()
    if result.analysis is None:
        photo.error = result.error
        photo.width = photo.height = None
        photo.caption = None
    else:
        photo.error = None
        photo.width, photo.height = result.analysis.width, result.analysis.height
        for found in result.analysis.regions:
            left, top, right, bottom = found.box
            region = Region(
                kind=found.kind,
                left=left,
                top=top,
                right=right,
                bottom=bottom,
                score=found.score,
                vector=np.asarray(found.vector, dtype=np.float32).tobytes(),
            )
            photo.regions.append(region)
            regions.append(region)
    session.flush()
    if result.analysis is not None:
        decide_and_store(session, photo, regions, people, rule, engine)
    upsert_file(session, stat, photo.id)
    return photo, regions


# --- file-level changes the watcher sees: moves, renames, deletes (no re-analysis) -----------


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
    for start in range(0, len(paths), 500):
        for row in session.scalars(select(File).where(File.path.in_(paths[start : start + 500]), File.missing.is_(False))):
            row.missing = True
            marked += 1
    return marked


def files_under(session: Session, folder: str, missing: bool | None = False) -> list[File]:
    """File rows under ``folder`` (present ones by default, all with None), non-UTF-8 paths too."""
    from plvm_photos.db.fspath import ENCODED_PREFIX

    prefix = folder.rstrip(os.sep) + os.sep
    plain = select(File).where(File.path.startswith(prefix, autoescape=True))
    # Encoded (non-UTF-8) paths do not share the plain prefix; there are few, filter them here.
    encoded = select(File).where(_raw_path_startswith(ENCODED_PREFIX))
    if missing is not None:
        plain, encoded = plain.where(File.missing.is_(missing)), encoded.where(File.missing.is_(missing))
    rows = list(session.scalars(plain))
    rows.extend(r for r in session.scalars(encoded) if r.path.startswith(prefix))
    return rows


def _raw_path_startswith(prefix: str):
    from sqlalchemy import literal_column

    return literal_column("files.path").startswith(prefix, autoescape=True)


@dataclass(frozen=True)
class CommittedPhoto:
    photo_id: int
    faces: int
    error: str | None  # why the content is not a usable image


def commit_analysis(
    library: Library,
    result: AnalysisResult,
    stats: list[FileStat],
    people_of: Callable[[Session], RegisteredPeople],
) -> CommittedPhoto:
    """Store one photo for all its paths in one transaction, then add its faces to the FAISS cache.

    ``people_of`` gives the registered people from inside the transaction (the watcher takes the
    write lock there first, so a person added meanwhile is not missed).
    """
    with library.transaction() as s:
        photo, regions = store_analysis(s, result, stats[0], people_of(s), library.rule)
        for extra in stats[1:]:
            upsert_file(s, extra, photo.id)
        s.flush()
        region_ids = [r.id for r in regions]
        vectors = [np.frombuffer(r.vector, dtype=np.float32) for r in regions]
        committed = CommittedPhoto(photo.id, len(region_ids), photo.error)
    # After the commit: a crash here leaves the cache behind the database, which the next open
    # detects (signature mismatch) and repairs by rebuilding.
    if region_ids:
        library.index.add(region_ids, np.stack(vectors))
        library.mark_index_dirty()
    return committed
