"""Deciding and storing a photo's verdicts and caption from its stored regions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Photo, Reference, Region, Rejection, Verdict
from plvm_photos.engines.face.decide import DecisionRule, FaceVector, PersonVectors, decide_photo
from plvm_photos.positions import PlacedPerson, caption


@dataclass(frozen=True)
class RegisteredPeople:
    """Every registered person's reference vectors, loaded once per batch of photos."""

    vectors: list[PersonVectors]
    names: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> "RegisteredPeople":
        by_concept: dict[int, list[np.ndarray]] = {}
        for concept_id, blob in session.execute(select(Reference.concept_id, Reference.vector).where(Reference.engine == "face")).all():
            by_concept.setdefault(concept_id, []).append(np.frombuffer(blob, dtype=np.float32))
        names = dict(session.execute(select(Concept.id, Concept.name)).all())
        vectors = [PersonVectors(cid, np.stack(vs)) for cid, vs in sorted(by_concept.items())]
        return cls(vectors=vectors, names=names)


def vector_of(region: Region) -> np.ndarray:
    return np.frombuffer(region.vector, dtype=np.float32)


def decide_and_store(
    session: Session,
    photo: Photo,
    regions: list[Region],
    people: RegisteredPeople,
    rule: DecisionRule,
    engine: str,
    rejected: frozenset[tuple[int, int]] | None = None,
    replace: bool = True,
) -> None:
    """Replace the photo's verdicts and caption with ones decided from ``regions``.

    Batch callers pass the photo's ``rejected`` pairs and delete its old verdicts themselves
    (``replace=False``): two queries per photo were most of add-person's time at 100 000 faces.
    """
    faces = [FaceVector(r.id, vector_of(r)) for r in regions]
    if rejected is None:
        rejected = rejected_pairs(session, photo.id, regions)
    decided = decide_photo(faces, people.vectors, rule, rejected)
    if replace:
        session.execute(delete(Verdict).where(Verdict.photo_id == photo.id))
    for concept_id, v in decided.items():
        session.add(
            Verdict(
                photo_id=photo.id,
                concept_id=concept_id,
                region_id=v.region_id,
                present=v.present,
                score=v.score,
                distance=v.distance,
                engine=engine,
            )
        )
    by_id = {r.id: r for r in regions}
    placed = [
        PlacedPerson(people.names[cid], by_id[v.region_id].box)
        for cid, v in decided.items()
        if v.present and v.region_id in by_id
    ]
    photo.caption = caption(placed, len(regions) - len(placed), photo.width or 1, photo.height or 1)


def rejected_pairs(session: Session, photo_id: int, regions: list[Region]) -> frozenset[tuple[int, int]]:
    """(region id, concept id) pairs the user rejected; a photo-wide rejection covers every face."""
    rows = session.execute(select(Rejection.concept_id, Rejection.region_id).where(Rejection.photo_id == photo_id)).all()
    return _pairs(rows, regions)


def _pairs(rows, regions: list[Region]) -> frozenset[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for concept_id, region_id in rows:
        if region_id is None:
            pairs.update((r.id, concept_id) for r in regions)
        else:
            pairs.add((region_id, concept_id))
    return frozenset(pairs)


def refresh_photos(session: Session, photo_ids: set[int] | list[int], rule: DecisionRule, engine: str = "face") -> int:
    """Decide again every given photo's verdicts from its stored regions (no decoding)."""
    ids = sorted(set(photo_ids))
    people = RegisteredPeople.load(session)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(chunk)))}
        regions: dict[int, list[Region]] = {pid: [] for pid in chunk}
        for region in session.scalars(select(Region).where(Region.photo_id.in_(chunk), Region.kind == "face").order_by(Region.id)):
            regions[region.photo_id].append(region)
        rejections: dict[int, list[tuple[int, int | None]]] = {}
        for photo_id, concept_id, region_id in session.execute(
            select(Rejection.photo_id, Rejection.concept_id, Rejection.region_id).where(Rejection.photo_id.in_(chunk))
        ).all():
            rejections.setdefault(photo_id, []).append((concept_id, region_id))
        session.execute(delete(Verdict).where(Verdict.photo_id.in_(list(photos))))
        for pid in chunk:
            if pid in photos:
                rejected = _pairs(rejections.get(pid, []), regions[pid])
                decide_and_store(session, photos[pid], regions[pid], people, rule, engine, rejected, replace=False)
    return len(ids)
