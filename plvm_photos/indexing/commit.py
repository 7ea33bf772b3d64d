"""Committing one analysed photo: its regions, verdicts, caption and files in one transaction.

The engine decides the photo before the write transaction (it may run a model); the transaction
then checks that the registered concepts are still those it decided against — a person added,
removed or renamed meanwhile makes it decide again there — so a photo is always stored with the
verdicts and names of the people registered when it is committed. The new regions join the
vector indexes after the commit; a crash in between leaves the cache behind the database, which
the next open detects (signature mismatch) and repairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Confirmation, FaceMark, Photo, Region, RegionPose, Rejection, utcnow
from plvm_photos.db.queries import NOT_A_FACE
from plvm_photos.db.models import Verdict as VerdictRow
from plvm_photos.engines.base import Decision, Engine, PhotoToDecide, StoredRegion
from plvm_photos.indexing.analysis import AnalysisResult, segments_json
from plvm_photos.indexing.concepts import ConceptsCache
from plvm_photos.indexing.facts import apply_facts
from plvm_photos.indexing.files import FileStat, upsert_file

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class Committed:
    photo_id: int
    faces: int
    present: list[str]  # the registered concepts decided present, by name
    error: str | None  # why the content is not a usable image


def commit_result(store: LibraryStore, engine: Engine, concepts: ConceptsCache, result: AnalysisResult,
                  stats: list[FileStat]) -> Committed:
    """Store ``result`` for the content at ``stats`` (the first is the path analysed)."""
    analysis = result.analysis
    if analysis is None:
        with store.transaction() as s:
            photo, _ = _replace_photo(s, _photo_row(s, result.job.sha256), result.job.sha256, engine.name)
            photo.error, photo.width, photo.height, photo.caption = result.error, None, None, None
            photo.kind, photo.duration = result.kind, None
            s.flush()
            for stat in stats:
                upsert_file(s, stat, photo.id)
            s.flush()
            return Committed(photo.id, 0, [], result.error)
    regions = [StoredRegion(i, r.kind, r.box, np.asarray(r.vector, dtype=np.float32)) for i, r in enumerate(analysis.regions)]
    if any(r.kind != "face" for r in regions):
        store.mark_mixed_regions()
    for space in engine.spaces:  # loaded before the commit, so the new regions are added once
        vectors = [r.vector for r in regions if r.kind in space.region_kinds]
        if vectors:
            store.indexes.get(space, len(vectors[0]))
    max_side = engine.analyzer().max_side
    sha256 = result.job.sha256
    with store.session() as s:
        snapshot = concepts.last(s)  # checked in the write transaction below
        photo, kept = _to_decide(s, s.scalar(select(Photo.id).where(Photo.sha256 == sha256)), result, regions, max_side)
    decision = engine.decide(photo, snapshot.concepts, None)
    with store.write_transaction() as s:
        current = concepts.get(s)
        existing = _photo_row(s, sha256)
        now, kept_now = _to_decide(s, existing.id if existing is not None else None, result, regions, max_side)
        if current.signature != snapshot.signature or _user_facts(now, kept_now) != _user_facts(photo, kept):
            photo, kept = now, kept_now
            decision = engine.decide(photo, current.concepts, None)
        # Every column set before the first flush: a new photo is one INSERT, not an INSERT and UPDATEs.
        row, removed = _replace_photo(s, existing, sha256, engine.name)
        row.error = None
        row.width, row.height = analysis.width, analysis.height
        row.caption = decision.caption
        row.kind, row.duration = result.kind, result.duration
        if result.facts is not None:
            apply_facts(row, result.facts)
        stored = {i: Region(kind=r.kind, left=r.box[0], top=r.box[1], right=r.box[2], bottom=r.box[3],
                            score=float(found.score), vector=r.vector.tobytes(), segments=segments_json(result, i))
                  for i, (r, found) in enumerate(zip(regions, analysis.regions)) if i not in kept.dropped}
        row.regions.extend(stored.values())
        s.flush()
        _store_cues(s, stored, kept, analysis.regions)
        region_ids = [stored[i].id if i in stored else None for i in range(len(regions))] + list(kept.user_ids)
        present = _store_decision(s, row, decision, region_ids, engine.name)
        for stat in stats:
            upsert_file(s, stat, row.id)
        s.flush()
        committed = Committed(row.id, sum(r.kind == engine.face_kind for r in regions), present, None)
        added = [(r.id, r.kind, np.frombuffer(r.vector, dtype=np.float32)) for r in stored.values()]
    _update_indexes(store, engine, removed, added)
    return committed


def _store_cues(session: Session, stored: dict[int, Region], kept: KeptRegions, found: list) -> None:
    """The people-pose stage's cues of the new regions and, for a face the user drew or
    confirmed, those of the new detection of it (what the stage saw then, not a stale view)."""
    target = {i: region.id for i, region in stored.items()} | dict(kept.covered)
    for i, region_id in target.items():
        cues = found[i].cues
        if cues is not None:
            session.merge(RegionPose(region_id=region_id, cues=cues.to_json()))


def _kept(photo_id: int):
    """The regions of a photo that analysing it again keeps: those the user drew, confirmed,
    rejected a person on (a rejection is of that face: it must never widen to the whole photo) or
    marked (not a face, hidden)."""
    said = union(select(Confirmation.region_id).where(Confirmation.photo_id == photo_id),
                 select(Rejection.region_id).where(Rejection.photo_id == photo_id, Rejection.region_id.is_not(None)),
                 select(FaceMark.region_id).where(FaceMark.photo_id == photo_id))
    return (Region.photo_id == photo_id) & (Region.by_user.is_(True) | Region.id.in_(said))


@dataclass(frozen=True)
class KeptRegions:
    """The faces the user drew, confirmed or rejected someone on, in a photo analysed again: they
    stay (with their ids, confirmations and rejections); a new detection of the same face (by
    overlap) is dropped, so the fact stays on the face the user saw, matched or not."""

    user_ids: tuple[int, ...] = ()  # decided under keys len(new regions) + i
    dropped: frozenset[int] = frozenset()  # positions of new regions that overlap one of them
    covered: tuple[tuple[int, int], ...] = ()  # (position of a dropped region, the user region id it overlaps)


def _to_decide(session: Session, photo_id: int | None, result: AnalysisResult, regions: list[StoredRegion],
               max_side: int) -> tuple[PhotoToDecide, KeptRegions]:
    """The new analysis as a photo to decide (``photo_id``: its row, None for new content). A
    photo analysed again keeps what the user said about it: the regions of ``_kept`` with their
    confirmations and rejections, and the photo-wide rejections."""
    from plvm_photos.positions import iou

    user = [] if photo_id is None else list(session.scalars(select(Region).where(_kept(photo_id)).order_by(Region.id)))
    key_of = {r.id: len(regions) + i for i, r in enumerate(user)}
    covered = []
    for i, r in enumerate(regions):
        nearest = max(user, key=lambda u: iou(r.box, u.box), default=None)
        if nearest is not None and iou(r.box, nearest.box) > 0.3:
            covered.append((i, nearest.id))
    dropped = frozenset(i for i, _ in covered)
    rejected = [] if photo_id is None else session.execute(
        select(Rejection.region_id, Rejection.concept_id).where(Rejection.photo_id == photo_id)).all()
    confirmed = [] if photo_id is None else session.execute(
        select(Confirmation.region_id, Confirmation.concept_id).where(Confirmation.photo_id == photo_id)).all()
    analysis = result.analysis

    def image():
        if result.image is not None:
            return result.image
        from plvm_photos.imaging import decode

        return decode(result.job.path, max_side=max_side)

    not_faces = set() if photo_id is None else set(session.scalars(
        select(FaceMark.region_id).where(FaceMark.photo_id == photo_id, FaceMark.mark == NOT_A_FACE)))
    kept = [StoredRegion(key_of[u.id], u.kind, u.box, np.frombuffer(u.vector, dtype=np.float32)) for u in user
            if u.id not in not_faces]  # a face the user said is none is kept, and never decided as anyone
    photo = PhotoToDecide(
        analysis.width, analysis.height, [r for i, r in enumerate(regions) if i not in dropped] + kept,
        frozenset((None if rid is None else key_of[rid], cid) for rid, cid in rejected if rid is None or rid in key_of), image,
        confirmed=frozenset((key_of[rid], cid) for rid, cid in confirmed if rid in key_of),
    )
    return photo, KeptRegions(tuple(u.id for u in user), dropped, tuple(covered))


def _user_facts(photo: PhotoToDecide, kept: KeptRegions) -> tuple:
    """What the user said about the photo that its decision depends on: when this changed between
    deciding and committing (a face confirmed, a match rejected), the commit decides again."""
    return kept, photo.rejected, photo.confirmed, tuple(r.key for r in photo.regions)


def _photo_row(session: Session, sha256: str) -> Photo | None:
    return session.scalar(select(Photo).where(Photo.sha256 == sha256))


def _replace_photo(session: Session, photo: Photo | None, sha256: str, engine_name: str) -> tuple[Photo, list[tuple[int, str]]]:
    """``photo``, the row for this content, emptied of an earlier analysis (but for the user's
    regions), or a new row (added, not yet flushed); returns the (id, kind) of the regions removed."""
    removed: list[tuple[int, str]] = []
    if photo is None:
        photo = Photo(sha256=sha256)
        session.add(photo)
    else:
        kept = set(session.scalars(select(Region.id).where(_kept(photo.id))))
        removed = [(r.id, r.kind) for r in photo.regions if r.id not in kept]
        for old in list(photo.regions):
            if old.id not in kept:
                session.delete(old)
        for verdict in list(photo.verdicts):
            session.delete(verdict)
        session.flush()  # the old rows go before new ones are added
    photo.engine = engine_name
    photo.analyzed_at = utcnow()
    return photo, removed


def _store_decision(session: Session, photo: Photo, decision: Decision, region_ids: list[int], engine_name: str) -> list[str]:
    """The verdict rows (the caption is set with the photo's other columns)."""
    if not decision.verdicts:
        return []
    names = dict(session.execute(select(Concept.id, Concept.name).where(Concept.id.in_(list(decision.verdicts)))).all())
    present = []
    for cid, v in decision.verdicts.items():
        if cid not in names:
            continue  # removed between the decision and this transaction's check: nothing to store
        region_id = region_ids[v.region_key] if v.region_key is not None else None
        session.add(VerdictRow(photo_id=photo.id, concept_id=cid, region_id=region_id, present=v.present,
                               score=v.score, distance=v.distance, engine=engine_name))
        if v.present:
            present.append(names[cid])
    return sorted(present)


def _update_indexes(store: LibraryStore, engine: Engine, removed: list[tuple[int, str]],
                    added: list[tuple[int, str, np.ndarray]]) -> None:
    store.indexes.forget(removed)
    store.indexes.add_regions(engine.spaces, added)
