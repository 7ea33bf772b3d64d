"""The watcher's per-file database work: what to do with a settled file, and storing results.

Everything here runs on the watcher's single writer thread, one transaction per file or photo.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from plvm_photos.indexing.analysis import AnalysisResult
from plvm_photos.db.models import Concept, File, Photo, Reference, Verdict
from plvm_photos.library import Library
from plvm_photos.indexing.commit import FileStat, commit_analysis, upsert_file
from plvm_photos.indexing.verdicts import RegisteredPeople


def take_write_lock(session: Session) -> None:
    """Start the write transaction now (SQLite), so what is read next cannot change before commit.

    Without it, a person added between reading the registered people and committing a photo
    would never be decided for that photo.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE settings SET value = value WHERE 1 = 0"))


class PeopleCache:
    """Registered people, reloaded only when the concepts or their references change."""

    def __init__(self):
        self._signature = None
        self._people: RegisteredPeople | None = None
        self.reloads = 0

    @staticmethod
    def signature(session: Session) -> tuple:
        refs = session.execute(select(func.count(Reference.id), func.coalesce(func.sum(Reference.id), 0))).one()
        names = session.execute(select(Concept.id, Concept.name).order_by(Concept.id)).all()
        return (tuple(refs), tuple(map(tuple, names)))

    def get(self, session: Session) -> RegisteredPeople:
        signature = self.signature(session)
        if self._people is None or signature != self._signature:
            self._people = RegisteredPeople.load(session)
            self._signature = signature
            self.reloads += 1
        return self._people


@dataclass(frozen=True)
class Known:
    """The database's row for a path, if any."""

    size: int
    mtime_ns: int
    missing: bool
    photo_id: int | None
    error: str | None

    def unchanged(self, size: int, mtime_ns: int) -> bool:
        return (
            not self.missing
            and (self.photo_id is not None or self.error is not None)
            and (self.size, self.mtime_ns) == (size, mtime_ns)
        )


def known_files(library: Library, paths: list[str]) -> dict[str, Known]:
    out: dict[str, Known] = {}
    with library.session() as s:
        for start in range(0, len(paths), 500):
            for row in s.scalars(select(File).where(File.path.in_(paths[start : start + 500]))):
                out[row.path] = Known(row.size, row.mtime_ns, row.missing, row.photo_id, row.error)
    return out


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
class Attached:
    photo_id: int
    error: str | None
    restored: bool  # the path was marked missing and is back


def attach_known_content(library: Library, stat: FileStat, sha256: str) -> Attached | None:
    """Record ``stat.path`` as a file of an already analysed photo; None when the content is new."""
    with library.transaction() as s:
        photo = s.scalar(select(Photo).where(Photo.sha256 == sha256))
        if photo is None:
            return None
        previous = s.scalar(select(File.missing).where(File.path == stat.path))
        upsert_file(s, stat, photo.id)
        return Attached(photo.id, photo.error, bool(previous))


def record_error(library: Library, path: str, message: str, missing: bool = False) -> None:
    """Record a file that is not a usable photo (or that vanished before it could be read)."""
    size, mtime_ns = quick_stat(path) or (0, 0)
    with library.transaction() as s:
        row = upsert_file(s, FileStat(path, size, mtime_ns), None, error=message)
        row.missing = missing


@dataclass(frozen=True)
class Stored:
    photo_id: int
    faces: int
    present: list[str]  # registered people decided present
    error: str | None


def store_result(library: Library, result: AnalysisResult, stats: list[FileStat], people: PeopleCache) -> Stored:
    """One photo's analysis, verdicts, caption and files in one transaction; then the FAISS cache."""
    def people_of(session: Session) -> RegisteredPeople:
        take_write_lock(session)
        return people.get(session)

    committed = commit_analysis(library, result, stats, people_of)
    with library.session() as s:
        present = list(
            s.scalars(
                select(Concept.name)
                .join(Verdict, Verdict.concept_id == Concept.id)
                .where(Verdict.photo_id == committed.photo_id, Verdict.present.is_(True))
                .order_by(Concept.name)
            )
        )
    return Stored(committed.photo_id, committed.faces, present, committed.error)
