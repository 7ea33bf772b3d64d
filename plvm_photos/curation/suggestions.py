""""Is this <mike>?": faces just too far from a person to be decided theirs, nearest first.

The face engine decides a face is a person under ``threshold`` (descriptor distance) and stores a
verdict that is not present for every person within ``prefilter_radius`` of some face of the
photo: those stored verdicts are exactly the photos with a face "just over the threshold". Here
the face itself is found (the nearest face of the photo that nobody claims and the user has not
rejected for that person) and offered; accepting names it (``confirm.name_faces``), refusing
rejects it (``confirm.reject_face``). Hidden people are not suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from plvm_photos.db.models import Concept, Confirmation, Region, Rejection, Verdict
from plvm_photos.db.queries import current_photo_ids, photo_paths
from plvm_photos.engines.registry import open_engine
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
    rule = getattr(engine, "rule", None)
    if rule is None:
        return []
    with store.session() as s:
        rows = s.execute(
            select(Verdict.photo_id, Verdict.concept_id)
            .join(Concept, Concept.id == Verdict.concept_id)
            .where(Verdict.present.is_(False), Verdict.distance.is_not(None), Verdict.distance < rule.prefilter_radius,
                   Concept.hidden.is_(False), Verdict.photo_id.in_(current_photo_ids()))
            .order_by(Verdict.distance, Verdict.id).limit(MAX_CANDIDATES)
        ).all()
        if not rows:
            return []
        people = {p.concept_id: p.vectors for p in engine.concepts(s).vectors}
        names = dict(s.execute(select(Concept.id, Concept.display)).all())
        photos = sorted({pid for pid, _ in rows})
        claimed = set(s.scalars(select(Verdict.region_id).where(Verdict.photo_id.in_(photos), Verdict.present.is_(True))))
        claimed |= set(s.scalars(select(Confirmation.region_id).where(Confirmation.photo_id.in_(photos))))
        rejected = set(s.execute(select(Rejection.photo_id, Rejection.region_id, Rejection.concept_id)
                                 .where(Rejection.photo_id.in_(photos))).all())
        faces: dict[int, list[Region]] = {pid: [] for pid in photos}
        for r in s.scalars(select(Region).where(Region.photo_id.in_(photos), Region.kind == engine.face_kind)):
            if r.id not in claimed:
                faces[r.photo_id].append(r)
        paths = photo_paths(s, photos)
    found = []
    for pid, cid in rows:
        refs = people.get(cid)
        free = [r for r in faces[pid] if (pid, r.id, cid) not in rejected and (pid, None, cid) not in rejected]
        if refs is None or not free:
            continue
        vectors = np.stack([np.frombuffer(r.vector, dtype=np.float32) for r in free])
        d = np.linalg.norm(vectors[:, None, :] - refs[None, :, :], axis=2).min(axis=1)
        best = int(d.argmin())
        if d[best] < rule.prefilter_radius:
            r = free[best]
            found.append(Suggestion(r.id, pid, paths.get(pid, ""), r.box, cid, names[cid], float(d[best])))
    found.sort(key=lambda x: (x.distance, x.region_id))
    return found
