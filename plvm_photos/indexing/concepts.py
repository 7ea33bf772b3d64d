"""The registered concepts an engine decides with: read from the library (the one place engines'
concepts are loaded from the database), and reloaded only when they change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Confirmation, Reference, Region
from plvm_photos.engines.base import (
    ConfirmedFace,
    Concepts,
    Engine,
    References,
    StoredConcept,
    StoredReference,
)


def load_references(session: Session, confirmed_face_kind: str | None = None) -> References:
    """Every registered concept and reference vector; with ``confirmed_face_kind``, also the faces
    (regions of that kind) the user confirmed as someone."""
    concepts = tuple(StoredConcept(cid, name, display, kind) for cid, name, display, kind in session.execute(
        select(Concept.id, Concept.name, Concept.display, Concept.kind).order_by(Concept.id)))
    vectors = tuple(StoredReference(cid, tag, image, np.frombuffer(blob, dtype=np.float32))
                    for cid, tag, image, blob in session.execute(
                        select(Reference.concept_id, Reference.engine, Reference.image, Reference.vector)
                        .order_by(Reference.concept_id, Reference.id)))
    confirmed: tuple[ConfirmedFace, ...] = ()
    if confirmed_face_kind is not None:
        confirmed = tuple(ConfirmedFace(cid, np.frombuffer(blob, dtype=np.float32)) for cid, blob in session.execute(
            select(Confirmation.concept_id, Region.vector).join(Region, Region.id == Confirmation.region_id)
            .where(Region.kind == confirmed_face_kind).order_by(Confirmation.id)))
    return References(concepts, vectors, confirmed)


def registered_concepts(session: Session, engine: Engine) -> Concepts:
    """The concepts as ``engine`` decides with them now (as ``session`` sees the library)."""
    kind = engine.face_kind if engine.confirmed_faces_are_references else None
    return engine.concepts(load_references(session, kind))


def concepts_signature(session: Session) -> tuple:
    """Changes whenever a concept, a reference or a confirmed face is added, removed or renamed (a
    new display form too: captions show it)."""
    refs = session.execute(select(func.count(Reference.id), func.coalesce(func.sum(Reference.id), 0))).one()
    confirmed = session.execute(select(func.count(Confirmation.id), func.coalesce(func.sum(Confirmation.id), 0),
                                       func.coalesce(func.sum(Confirmation.concept_id), 0))).one()
    names = session.execute(select(Concept.id, Concept.name, Concept.display).order_by(Concept.id)).all()
    return (tuple(refs), tuple(confirmed), tuple(map(tuple, names)))


@dataclass(frozen=True)
class ConceptsSnapshot:
    signature: tuple
    concepts: Concepts


class ConceptsCache:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._snapshot: ConceptsSnapshot | None = None
        self.reloads = 0

    def last(self, session: Session) -> ConceptsSnapshot:
        """The concepts as last read, without checking that they are still current (for a decision
        that ``get`` checks again before it is stored)."""
        return self._snapshot if self._snapshot is not None else self.get(session)

    def get(self, session: Session) -> ConceptsSnapshot:
        """The concepts now: read again when their signature changed."""
        signature = concepts_signature(session)
        if self._snapshot is None or self._snapshot.signature != signature:
            self._snapshot = ConceptsSnapshot(signature, registered_concepts(session, self.engine))
            self.reloads += 1
        return self._snapshot
