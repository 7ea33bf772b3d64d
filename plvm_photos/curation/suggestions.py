""""Is this <mike>?": faces just too far from a person to be decided theirs, nearest first.

The face engine decides a face is a person under ``threshold`` (descriptor distance) and stores a
verdict that is not present for every person within ``prefilter_radius`` of some face of the
photo: those stored verdicts are exactly the photos with a face "just over the threshold". Here
the engine finds the face itself (``Engine.suggest``: the nearest face of the photo that nobody
claims and the user has not rejected for that person) and it is offered; accepting names it
(``confirm.name_faces``), refusing rejects it (``confirm.reject_face``). Hidden people are not
suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from plvm_photos.db.models import Concept, Confirmation, FaceMark, Region, Rejection, Verdict
from plvm_photos.db.queries import current_photo_ids, marked_region_ids, photo_paths
from plvm_photos.engines.base import StoredRegion
from plvm_photos.engines.registry import open_engine
from plvm_photos.indexing.concepts import registered_concepts
from plvm_photos.store.library_store import LibraryStore

MAX_CANDIDATES = 2000  # verdicts looked at, nearest first


@dataclass(frozen=True)
class Suggestion:
    region_id: int
    photo_id: int
    path: str
    box: tuple[int, int, int, int]
    concept_id: int
    person: str  # display name
    distance: float


def suggestions(store: LibraryStore) -> list[Suggestion]:
    """Every suggestion, nearest first (empty for engines that do not decide by distance)."""
    engine = open_engine(store)
    radius = engine.near_miss_radius
    if radius is None:
        return []
    with store.session() as s:
        rows = s.execute(
            select(Verdict.photo_id, Verdict.concept_id)
            .join(Concept, Concept.id == Verdict.concept_id)
            .where(Verdict.present.is_(False), Verdict.distance.is_not(None), Verdict.distance < radius,
                   Concept.hidden.is_(False), Verdict.photo_id.in_(current_photo_ids()))
            .order_by(Verdict.distance, Verdict.id).limit(MAX_CANDIDATES)
        ).all()
        if not rows:
            return []
        concepts = registered_concepts(s, engine)
        photos = sorted({pid for pid, _ in rows})
        claimed = set(s.scalars(select(Verdict.region_id).where(Verdict.photo_id.in_(photos), Verdict.present.is_(True))))
        claimed |= set(s.scalars(select(Confirmation.region_id).where(Confirmation.photo_id.in_(photos))))
        claimed |= set(s.scalars(marked_region_ids().where(FaceMark.photo_id.in_(photos))))  # not a face, hidden
        rejected = set(s.execute(select(Rejection.photo_id, Rejection.region_id, Rejection.concept_id)
                                 .where(Rejection.photo_id.in_(photos))).all())
        faces: dict[int, list[StoredRegion]] = {pid: [] for pid in photos}
        for r in s.scalars(select(Region).where(Region.photo_id.in_(photos), Region.kind == engine.face_kind)):
            if r.id not in claimed:
                faces[r.photo_id].append(StoredRegion(r.id, r.kind, r.box, np.frombuffer(r.vector, dtype=np.float32)))
        paths = photo_paths(s, photos)
    found = []
    for pid, cid in rows:
        free = [r for r in faces[pid] if (pid, r.key, cid) not in rejected and (pid, None, cid) not in rejected]
        near = engine.suggest(concepts, cid, free)
        if near is not None:
            box = next(r.box for r in free if r.key == near.region_key)
            found.append(Suggestion(near.region_key, pid, paths.get(pid, ""), box, cid, concepts.names[cid], near.distance))
    found.sort(key=lambda x: (x.distance, x.region_id))
    return found
