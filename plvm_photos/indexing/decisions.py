"""Deciding stored photos again, for every engine, without holding the write lock while it thinks.

What changes verdicts of photos already in the library — a person added, a reference added, a
person removed, a match rejected — goes through ``update_decisions``:

1. preview, on a read-only session: the photos concerned (the prefilter), decided by the engine
   against the concepts as they will be (``Engine.with_references`` / ``Engine.without``);
2. commit, in one write transaction: the change itself (``write``), then the previewed decisions,
   except for photos that changed meanwhile (new candidates a scan committed, photos analysed
   again), which are decided there and then. If the registered concepts themselves changed
   meanwhile, every photo is decided again inside the transaction.

An engine that runs a model (plvm) thus holds the lock only for what changed during its preview;
the face engine decides in microseconds either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from plvm_photos.db.models import Confirmation, Photo, Region, Rejection
from plvm_photos.db.models import Verdict as VerdictRow
from plvm_photos.db.queries import CHUNK, NOT_A_FACE, marked_region_ids, photo_paths, photos_of_regions
from plvm_photos.engines.base import Decision, Engine, PhotoToDecide, ReferenceVector, StoredRegion, Verdict
from plvm_photos.errors import ImageError
from plvm_photos.indexing.concepts import concepts_signature, registered_concepts

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class Decided:
    photo_id: int
    regions: tuple[int, ...]  # the region ids it was decided on (a reanalysed photo has others)
    decision: Decision


def photos_to_decide(store: LibraryStore, engine: Engine, session: Session, photo_ids) -> dict[int, PhotoToDecide]:
    """The stored photos as ``Engine.decide`` sees them (regions, rejections, confirmations,
    previous verdicts)."""
    ids = sorted(set(photo_ids))
    out: dict[int, PhotoToDecide] = {}
    max_side = engine.analyzer().max_side
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(chunk), Photo.error.is_(None)))}
        regions: dict[int, list[StoredRegion]] = {pid: [] for pid in photos}
        for r in session.scalars(select(Region).where(Region.photo_id.in_(list(photos)),  # not a face: never anyone
                                                      Region.id.not_in(marked_region_ids(NOT_A_FACE))).order_by(Region.id)):
            regions[r.photo_id].append(StoredRegion(r.id, r.kind, r.box, np.frombuffer(r.vector, dtype=np.float32)))
        rejected: dict[int, set] = {pid: set() for pid in photos}
        for pid, cid, rid in session.execute(select(Rejection.photo_id, Rejection.concept_id, Rejection.region_id)
                                             .where(Rejection.photo_id.in_(list(photos)))).all():
            rejected[pid].add((rid, cid))
        confirmed: dict[int, set] = {pid: set() for pid in photos}
        for pid, cid, rid in session.execute(select(Confirmation.photo_id, Confirmation.concept_id, Confirmation.region_id)
                                             .where(Confirmation.photo_id.in_(list(photos)))).all():
            confirmed[pid].add((rid, cid))
        previous: dict[int, dict[int, Verdict]] = {pid: {} for pid in photos}
        for v in session.scalars(select(VerdictRow).where(VerdictRow.photo_id.in_(list(photos)))):
            previous[v.photo_id][v.concept_id] = Verdict(bool(v.present), float(v.score), v.region_id, v.distance)
        paths = photo_paths(session, list(photos))
        for pid, photo in photos.items():
            out[pid] = PhotoToDecide(
                photo.width or 1, photo.height or 1, regions[pid], frozenset(rejected[pid]),
                image=_decoder(paths.get(pid), max_side), previous=previous[pid], previous_caption=photo.caption,
                confirmed=frozenset(confirmed[pid]),
            )
    return out


def _decoder(path: str | None, max_side: int) -> Callable:
    def load():
        from plvm_photos.imaging import decode

        if path is None:
            raise FileNotFoundError("the photo has no file")
        return decode(path, max_side=max_side)

    return load


def decide_photos(store: LibraryStore, engine: Engine, session: Session, photo_ids, concepts,
                  changed: frozenset[int] | None) -> list[Decided]:
    decided = []
    for pid, photo in photos_to_decide(store, engine, session, photo_ids).items():
        try:
            decision = engine.decide(photo, concepts, changed)
        except (OSError, ImageError):  # an engine that reads pixels, and the file is gone or changed
            continue
        decided.append(Decided(pid, tuple(r.key for r in photo.regions), decision))
    return decided


def apply_decisions(session: Session, decided: list[Decided], engine_name: str, ids: dict[int, int] | None = None) -> None:
    """Store each photo's verdicts and caption (``ids`` maps provisional concept ids to real ones),
    in bulk statements: one per 500 photos, not one per photo."""
    ids = ids or {}
    for start in range(0, len(decided), CHUNK):
        chunk = decided[start : start + CHUNK]
        session.execute(delete(VerdictRow).where(VerdictRow.photo_id.in_([d.photo_id for d in chunk])))
        rows = [{"photo_id": d.photo_id, "concept_id": ids.get(cid, cid), "region_id": v.region_key, "present": v.present,
                 "score": v.score, "distance": v.distance, "engine": engine_name}
                for d in chunk for cid, v in d.decision.verdicts.items()]
        if rows:
            session.execute(insert(VerdictRow), rows)
        session.execute(update(Photo), [{"id": d.photo_id, "caption": d.decision.caption} for d in chunk])
    session.flush()


def current_regions(session: Session, photo_ids) -> dict[int, tuple[int, ...]]:
    ids = sorted(set(photo_ids))
    out: dict[int, list[int]] = {pid: [] for pid in ids}
    for start in range(0, len(ids), CHUNK):
        for pid, rid in session.execute(select(Region.photo_id, Region.id).where(Region.photo_id.in_(ids[start : start + CHUNK]))
                                        .order_by(Region.id)).all():
            out[pid].append(rid)
    return {pid: tuple(r) for pid, r in out.items()}


def prefilter_candidates(store: LibraryStore, engine: Engine, session: Session,
                         vectors: list[ReferenceVector]) -> set[int]:
    """Photos with a region near one of these reference vectors: the FAISS prefilter, in the
    database state of ``session`` (regions other processes committed are caught up first)."""
    region_ids: set[int] = set()
    for ref in vectors:
        if not ref.prefilter:
            continue
        space = engine.space(ref.tag)
        index = store.indexes.catch_up(session, space, len(ref.vector))
        region_ids.update(n.region_id for n in index.within(ref.vector, space.radius))
    return photos_of_regions(session, region_ids)


@dataclass(frozen=True)
class Updated:
    candidates: int  # photos ``photos_of`` named (at commit time)
    photos: int  # photos decided
    ids: dict[int, int]  # what ``write`` returned: provisional concept id -> stored id


def update_decisions(
    store: LibraryStore,
    engine: Engine,
    *,
    photos_of: Callable[[Session], set[int]],
    preview: Callable[[object], object],
    write: Callable[[Session], dict[int, int]],
    changed: frozenset[int],
) -> Updated:
    """See the module docstring. ``photos_of(session)`` names the photos to decide (called before
    ``write`` in each phase), ``preview(concepts)`` gives the concepts as they will be after
    ``write(session)``, which makes the change and returns provisional -> stored concept ids."""
    with store.session() as s:
        signature = concepts_signature(s)
        photo_ids = photos_of(s)
        previewed = decide_photos(store, engine, s, photo_ids, preview(registered_concepts(s, engine)), changed)
    with store.write_transaction() as s:
        unchanged_concepts = concepts_signature(s) == signature
        now = photos_of(s)
        ids = write(s)
        s.flush()
        if unchanged_concepts:
            regions = current_regions(s, [d.photo_id for d in previewed])
            keep = [d for d in previewed if d.photo_id in now and regions.get(d.photo_id) == d.regions]
        else:
            keep = []
        kept_ids = {d.photo_id for d in keep}
        redo = sorted(now - kept_ids)
        fresh = decide_photos(store, engine, s, redo, registered_concepts(s, engine), frozenset(ids.get(c, c) for c in changed))
        apply_decisions(s, keep, engine.name, ids)
        apply_decisions(s, fresh, engine.name)
    return Updated(len(now), len(keep) + len(fresh), ids)
