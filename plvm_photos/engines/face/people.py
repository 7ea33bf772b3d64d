"""Registered people as the face engine decides with them: their reference descriptors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plvm_photos.engines.base import Concepts, References
from plvm_photos.engines.face.decide import PersonVectors
from plvm_photos.engines.face.space import FACE_TAG


@dataclass(frozen=True)
class RegisteredPeople(Concepts):
    vectors: list[PersonVectors]  # people with at least one face reference, by concept id

    @classmethod
    def of(cls, references: References) -> RegisteredPeople:
        """Each person's face references, then the faces the user confirmed as theirs: a person
        imported from XMP tags, or named in the gallery, is found in photos nobody tagged (where
        the engine counts confirmed faces: ``Engine.confirmed_faces_are_references``)."""
        by_concept: dict[int, list[np.ndarray]] = {}
        for ref in references.vectors:
            if ref.tag == FACE_TAG:
                by_concept.setdefault(ref.concept_id, []).append(ref.vector)
        for face in references.confirmed_faces:
            by_concept.setdefault(face.concept_id, []).append(face.vector)
        return cls(names=references.names(),
                   vectors=[PersonVectors(cid, np.stack(vs)) for cid, vs in sorted(by_concept.items())])

    def decided(self) -> frozenset[int]:
        return frozenset(p.concept_id for p in self.vectors)
