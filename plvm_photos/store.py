"""Writing one photo's analysis, its file and its verdicts: one transaction per photo."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from .analysis import AnalysisResult
from .db.models import File, Photo, Region, utcnow
from .decide import DecisionRule
from .verdicts import RegisteredPeople, decide_and_store


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
