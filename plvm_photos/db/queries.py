"""Queries many parts of the product share: which photos are current, and their paths."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from plvm_photos.db.current import current_photo_sql
from plvm_photos.db.models import FaceMark, File, Photo, Region, Setting, Verdict

CHUNK = 500  # ids per IN (...) list
MIXED_REGIONS_KEY = "internal.mixed_regions"  # set once regions of kinds other than 'face' were stored
# Regions deleted or changed, ever: counted by triggers on ``regions`` (migration 0004).
REGION_REMOVALS_KEY = "internal.region_removals"


def is_current_photo():
    """The condition on ``photos`` that a photo is current (``db.current``, the one definition)."""
    return text(current_photo_sql(":missing")).bindparams(missing=False)


NOT_A_FACE, HIDDEN_FACE = "not_a_face", "hidden"  # the marks of ``FaceMark``
MARK_WORDS = {NOT_A_FACE: "not a face", HIDDEN_FACE: "hidden"}  # how a mark is said


def marked_region_ids(*marks: str):
    """The ids of the face regions the user marked (any of ``marks``; none given: any mark)."""
    query = select(FaceMark.region_id)
    return query.where(FaceMark.mark.in_(marks)) if marks else query


def current_photo_ids():
    """The ids of the current photos (a subquery)."""
    return select(Photo.id).where(is_current_photo())


def present_photo_count(session: Session, concept_id: int) -> int:
    """How many current photos show the concept. Each of its verdicts looks up its photo and that
    photo's files (indexes), instead of listing every current photo (0.4 s at 1 M photos)."""
    return int(session.scalar(
        select(func.count(func.distinct(Verdict.photo_id))).select_from(Verdict).join(Photo, Photo.id == Verdict.photo_id)
        .where(Verdict.concept_id == concept_id, Verdict.present.is_(True), is_current_photo())))


def photo_paths(session: Session, photo_ids) -> dict[int, str]:
    """One path per photo: the first present file, else the first file (for history)."""
    ids = list(photo_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(File.photo_id, File.path, File.missing)
            .where(File.photo_id.in_(ids[start : start + CHUNK]))
            .order_by(File.missing, File.id)
        ).all()
        for photo_id, path, _missing in rows:
            out.setdefault(photo_id, path)
    return out


def all_photo_paths(session: Session, photo_ids) -> dict[int, list[str]]:
    """Every current path of each photo; photos with none keep their last known path."""
    ids = list(photo_ids)
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(File.photo_id, File.path, File.missing)
            .where(File.photo_id.in_(ids[start : start + CHUNK]))
            .order_by(File.path)
        ).all()
        for photo_id, path, missing in rows:
            if not missing:
                out.setdefault(photo_id, []).append(path)
        for photo_id, path, _ in rows:
            out.setdefault(photo_id, [path])
    return out


def photos_of_regions(session: Session, region_ids) -> set[int]:
    ids = sorted(set(region_ids))
    photos: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        photos.update(session.scalars(select(Region.photo_id).where(Region.id.in_(ids[start : start + CHUNK]))))
    return photos


def only_face_regions(session: Session) -> bool:
    """True while no engine ever stored regions of kinds other than 'face' (then a kind filter is a
    no-op, and filtering on the unindexed kind column costs ~4x at 100k regions)."""
    return session.scalar(select(Setting.value).where(Setting.key == MIXED_REGIONS_KEY)) is None


def region_signature(session: Session, kinds: tuple[str, ...]) -> tuple[int, int]:
    """(count, highest id) of the regions of ``kinds``: what a vector index must hold.

    Two queries: SQLite answers a lone ``count(*)`` from its smallest index and a lone ``max(id)``
    from the end of the table (~10 ms at 1 M regions); asked together, or for a sum, it reads
    every row (~140 ms)."""
    count, highest = select(func.count()).select_from(Region), select(func.max(Region.id))
    if not (kinds == ("face",) and only_face_regions(session)):
        count, highest = count.where(Region.kind.in_(kinds)), highest.where(Region.kind.in_(kinds))
    return int(session.scalar(count)), int(session.scalar(highest) or 0)


def region_removals(session: Session) -> int | None:
    """How many regions were ever deleted or changed (None: a database without the counter)."""
    value = session.scalar(select(Setting.value).where(Setting.key == REGION_REMOVALS_KEY))
    return None if value is None else int(value)


def region_vectors(session: Session, kinds: tuple[str, ...], after: int = 0, batch: int = 50_000):
    """(ids, float32 vectors) batches of the regions of ``kinds`` with id > ``after``, in id order."""
    import numpy as np

    only_faces = kinds == ("face",) and only_face_regions(session)
    last = after
    while True:
        query = select(Region.id, Region.vector).where(Region.id > last)
        if not only_faces:
            query = query.where(Region.kind.in_(kinds))
        rows = session.execute(query.order_by(Region.id).limit(batch)).all()
        if not rows:
            return
        ids = [r[0] for r in rows]
        yield ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        last = ids[-1]


def unknown_faces_query(*columns):
    """Faces in current photos that no registered person is present as and the user did not mark
    (not a face, hidden)."""
    claimed = select(Verdict.region_id).where(Verdict.present.is_(True), Verdict.region_id.is_not(None))
    # Joined to its photo rather than ``photo_id IN (current photos)``: SQLite walks the regions in id
    # order and looks each photo up, instead of listing every current photo and sorting (0.2 s, not 0.3,
    # at 96 000 faces).
    return (select(*columns).join(Photo, Photo.id == Region.photo_id)
            .where(Region.kind == "face", is_current_photo(), Region.id.not_in(claimed),
                   Region.id.not_in(marked_region_ids()))
            .order_by(Region.id))
