"""Deciding photos again inside a curation action's write transaction, and which photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Confirmation, Reference, Rejection, Verdict
from plvm_photos.engines.base import Engine, ReferenceVector
from plvm_photos.engines.face.space import FACE_TAG
from plvm_photos.indexing.concepts import registered_concepts
from plvm_photos.indexing.decisions import apply_decisions, decide_photos, prefilter_candidates

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore


def decide_again(store: LibraryStore, engine: Engine, session: Session, photo_ids: Iterable[int],
                 changed: frozenset[int] | None) -> int:
    """Decide ``photo_ids`` against the concepts as ``session`` sees them; returns how many."""
    ids = set(photo_ids)
    if not ids:
        return 0
    decided = decide_photos(store, engine, session, ids, registered_concepts(session, engine), changed)
    apply_decisions(session, decided, engine.name)
    return len(decided)


def photos_of_concepts(session: Session, concept_ids: Iterable[int]) -> set[int]:
    """Photos with a verdict, confirmation or rejection of any of these concepts."""
    ids = sorted(set(concept_ids))
    if not ids:
        return set()
    found: set[int] = set()
    for model in (Verdict, Confirmation, Rejection):
        found.update(session.scalars(select(model.photo_id).where(model.concept_id.in_(ids))))
    return found


def face_candidates(store: LibraryStore, engine: Engine, session: Session, vectors: list[np.ndarray]) -> set[int]:
    """Photos whose verdicts a confirmed face changes beyond its own photo: the prefilter's
    candidates for it, where the engine recognises people by their confirmed faces."""
    if not vectors or not engine.confirmed_faces_are_references:
        return set()
    refs = [ReferenceVector(FACE_TAG, (0, 0, 0, 0), np.asarray(v, dtype=np.float32)) for v in vectors]
    return prefilter_candidates(store, engine, session, refs)


def restored_candidates(store: LibraryStore, engine: Engine, session: Session, references: list[Reference],
                        confirmed_faces: list[np.ndarray]) -> set[int]:
    """Photos that references and confirmed faces put back (by an undo or a redo) may be in: what
    the prefilter passes for them, as when they were first added."""
    tags = {space.reference_tag for space in engine.spaces}
    refs = [ReferenceVector(r.engine, (r.left, r.top, r.right, r.bottom), np.frombuffer(r.vector, dtype=np.float32))
            for r in references if r.engine in tags]
    return prefilter_candidates(store, engine, session, refs) | face_candidates(store, engine, session, confirmed_faces)
