"""Registered people as the face engine decides with them: their reference descriptors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Confirmation, Reference, Region
from plvm_photos.engines.face.decide import PersonVectors
from plvm_photos.engines.face.space import FACE_KIND, FACE_TAG


@dataclass(frozen=True)
class RegisteredPeople:
    vectors: list[PersonVectors]  # people with at least one face reference, by concept id
    names: dict[int, str]  # every concept's display name (what captions show), by id

    @classmethod
    def load(cls, session: Session) -> "RegisteredPeople":
        by_concept: dict[int, list[np.ndarray]] = {}
        rows = session.execute(select(Reference.concept_id, Reference.vector).where(Reference.engine == FACE_TAG)
                               .order_by(Reference.id)).all()
        # Faces the user confirmed recognise their person as references do: a person imported
        # from XMP tags, or named in the gallery, is found in photos nobody tagged.
        rows += session.execute(select(Confirmation.concept_id, Region.vector)
                                .join(Region, Region.id == Confirmation.region_id)
                                .where(Region.kind == FACE_KIND).order_by(Confirmation.id)).all()
        for concept_id, blob in rows:
            by_concept.setdefault(concept_id, []).append(np.frombuffer(blob, dtype=np.float32))
        names = dict(session.execute(select(Concept.id, Concept.display)).all())
        return cls([PersonVectors(cid, np.stack(vs)) for cid, vs in sorted(by_concept.items())], names)
