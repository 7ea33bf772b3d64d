"""People as the CLI and the gallery show them: the list with counts, the names, one person's facts
and photos. Names are the display form (``names``), everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from plvm_photos.db.models import Concept, Confirmation, Photo, Reference, Region, Verdict
from plvm_photos.db.queries import current_photo_ids, photo_paths
from plvm_photos.store.library_store import LibraryStore

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str  # the display form
    kind: str
    photos: int  # current photos they are decided present in
    references: int  # reference photos (a photo described in several vector spaces counts once)
    hidden: bool = False


@dataclass(frozen=True)
class PersonName:
    id: int
    key: str  # what lookups compare
    display: str  # what is shown


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str  # the display form
    hidden: bool
    references: int  # reference photos
    confirmed: int  # faces the user confirmed as them


@dataclass(frozen=True)
class PersonPhoto:
    photo_id: int
    path: str  # its first present file
    sha256: str
    width: int
    height: int
    box: Box | None  # where they are (None: present without a box)


def people(store: LibraryStore, hidden: bool = False) -> list[PersonSummary]:
    """Registered people by key; hidden ones only with ``hidden``."""
    with store.session() as s:
        photo_counts = dict(
            s.execute(
                select(Verdict.concept_id, func.count(func.distinct(Verdict.photo_id)))
                .where(Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids()))
                .group_by(Verdict.concept_id)
            ).all()
        )
        ref_counts = dict(
            s.execute(select(Reference.concept_id, func.count(func.distinct(Reference.image)))
                      .group_by(Reference.concept_id)).all()
        )
        listed = select(Concept).order_by(Concept.name)
        return [
            PersonSummary(c.id, c.display, c.kind, int(photo_counts.get(c.id, 0)), int(ref_counts.get(c.id, 0)), bool(c.hidden))
            for c in s.scalars(listed if hidden else listed.where(Concept.hidden.is_(False)))
        ]


def person_names(store: LibraryStore) -> list[PersonName]:
    """Every registered person (hidden ones too), by key."""
    with store.session() as s:
        return [PersonName(*row) for row in s.execute(select(Concept.id, Concept.name, Concept.display).order_by(Concept.name))]


def find_person(store: LibraryStore, name: str) -> PersonName:
    """The person ``name`` (written any way that normalises to their key); UnknownPersonError."""
    with store.session() as s:
        concept = store.concept(s, name)
        return PersonName(concept.id, concept.name, concept.display)


def person_facts(store: LibraryStore, concept_id: int) -> PersonFacts:
    """KeyError when there is no such person."""
    with store.session() as s:
        concept = s.get(Concept, concept_id)
        if concept is None:
            raise KeyError(concept_id)
        references = len(set(s.scalars(select(Reference.image).where(Reference.concept_id == concept_id))))
        confirmed = len(list(s.scalars(select(Confirmation.id).where(Confirmation.concept_id == concept_id))))
        return PersonFacts(concept.id, concept.display, bool(concept.hidden), references, confirmed)


def person_photos(store: LibraryStore, concept_id: int) -> list[PersonPhoto]:
    """The current photos the person is decided present in, by path; KeyError when there is no such
    person."""
    with store.session() as s:
        if s.get(Concept, concept_id) is None:
            raise KeyError(concept_id)
        rows = s.execute(
            select(Photo.id, Photo.sha256, Photo.width, Photo.height, Region.left, Region.top, Region.right, Region.bottom)
            .join(Verdict, Verdict.photo_id == Photo.id)
            .outerjoin(Region, Region.id == Verdict.region_id)
            .where(Verdict.concept_id == concept_id, Verdict.present.is_(True), Photo.id.in_(current_photo_ids()))
        ).all()
        paths = photo_paths(s, [r[0] for r in rows])
    found = [PersonPhoto(pid, paths.get(pid, ""), sha, w or 1, h or 1, (l, t, r, b) if l is not None else None)
             for pid, sha, w, h, l, t, r, b in rows]
    return sorted(found, key=lambda p: p.path)

