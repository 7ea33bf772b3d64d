"""Merging two people who are one: ``keep`` keeps its name, ``other`` is folded into it.

The other's references, confirmed faces and rejections move to ``keep`` (where both confirmed a
face in the same photo, ``keep``'s stays: a person is in a photo once; a face both confirmed and
rejected stays confirmed); then ``other`` is removed and every photo either was decided on is
decided again. One transaction, one undo journal entry: undo restores ``other`` with its id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from plvm_photos.curation import journal
from plvm_photos.curation.journal import Recorder
from plvm_photos.curation.redecide import decide_again, photos_of_concepts
from plvm_photos.db.models import Concept, Confirmation, Reference, Rejection
from plvm_photos.db.queries import present_photo_count
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.names import show
from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class Merged:
    person: str  # the display name kept
    merged: str  # the display name folded in
    references: int  # references moved
    confirmed: int  # confirmed faces moved
    photos: int  # current photos the person is in now


def merge_people(store: LibraryStore, keep: str, other: str) -> Merged:
    engine = open_engine(store)
    with store.write_transaction() as s:
        kept, folded = store.concept(s, keep), store.concept(s, other)
        if kept.id == folded.id:
            raise LibraryError(f"{show(kept.display)} and {show(folded.display)} are the same person")
        if kept.kind != folded.kind:
            raise LibraryError(f"{show(kept.display)} is a {kept.kind} and {show(folded.display)} a {folded.kind}")
        rec = Recorder(s)
        rec.photos |= photos_of_concepts(s, {kept.id, folded.id})
        refs = list(s.scalars(select(Reference).where(Reference.concept_id == folded.id)))
        for ref in refs:
            rec.update(ref, concept_id=kept.id)
        kept_photos = set(s.scalars(select(Confirmation.photo_id).where(Confirmation.concept_id == kept.id)))
        moved = 0
        for c in list(s.scalars(select(Confirmation).where(Confirmation.concept_id == folded.id))):
            if c.photo_id in kept_photos:
                rec.delete(c)
            else:
                rec.update(c, concept_id=kept.id)
                moved += 1
        confirmed = set(s.scalars(select(Confirmation.region_id).where(Confirmation.concept_id == kept.id)))
        existing = {(r.photo_id, r.region_id) for r in s.scalars(select(Rejection).where(Rejection.concept_id == kept.id))}
        for r in list(s.scalars(select(Rejection).where(Rejection.concept_id == folded.id))):
            if (r.photo_id, r.region_id) in existing or r.region_id in confirmed:
                rec.delete(r)
            else:
                rec.update(r, concept_id=kept.id)
        s.expire(folded)
        rec.delete_concept(s.get(Concept, folded.id))
        decide_again(store, engine, s, rec.photos, frozenset({kept.id}))
        summary = f"merged {show(folded.display)} into {show(kept.display)}"
        finished = journal.finish(rec, "merge", summary)
        result = Merged(kept.display, folded.display, len(refs), moved, present_photo_count(s, kept.id))
    journal.after_commit(store, finished)
    return result
