"""The registered concepts an engine decides with, reloaded only when they change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Confirmation, Reference
from plvm_photos.engines.base import Engine


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
    concepts: object  # what ``engine.concepts`` returned


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
            self._snapshot = ConceptsSnapshot(signature, self.engine.concepts(session))
            self.reloads += 1
        return self._snapshot
