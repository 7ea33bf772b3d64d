"""People as the CLI and the gallery show them: the list with counts, the names, one person's facts
and photos. Names are the display form (``names``), everywhere. A person's story (years, places,
often with, first and latest photo) and their photos by date are ``ask.person_facts``'s, the
same facts ``ask`` answers with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from plvm_photos.ask.person_facts import (Moment, PersonStory, Tally, boxes_of, person_photo_ids, person_photo_rows,
                                          person_story, person_story_and_photo_ids)
from plvm_photos.ask.reader import session_reader
from plvm_photos.db.models import Concept, Confirmation, Reference, Verdict
from plvm_photos.db.queries import current_photo_ids
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
    photos: int = 0  # current photos they are decided present in
    years: tuple[Tally, ...] = ()  # newest first
    places: tuple[Tally, ...] = ()  # cities, most photos first
    often_with: tuple[Tally, ...] = ()  # who is in the most photos with them (key: their id)
    first: Moment | None = None  # the oldest dated photo
    latest: Moment | None = None  # the newest dated photo
    undated: int = 0  # photos without a camera date
    unplaced: int = 0  # photos without a GPS position


@dataclass(frozen=True)
class PersonPhoto:
    photo_id: int
    path: str  # its first present file
    sha256: str
    width: int
    height: int
    box: Box | None  # where they are (None: present without a box)
    taken: str | None = None  # the camera's date (ISO 8601)
    place: str | None = None


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
        return _facts(s, concept_id, person_story(session_reader(s), concept_id))


def _facts(s, concept_id: int, story: PersonStory) -> PersonFacts:
    concept = s.get(Concept, concept_id)
    if concept is None:
        raise KeyError(concept_id)
    references = len(set(s.scalars(select(Reference.image).where(Reference.concept_id == concept_id))))
    confirmed = len(list(s.scalars(select(Confirmation.id).where(Confirmation.concept_id == concept_id))))
    return PersonFacts(concept.id, concept.display, bool(concept.hidden), references, confirmed, story.photos,
                       story.years, story.places, story.often_with, story.first, story.latest, story.undated,
                       story.unplaced)


@dataclass(frozen=True)
class PersonPhotoPage:
    total: int  # photos of the list (of every page)
    photos: list[PersonPhoto]  # those of this page


def person_photos(store: LibraryStore, concept_id: int, with_id: int | None = None, year: int | None = None,
                  place: str | None = None) -> list[PersonPhoto]:
    """The current photos the person is decided present in (with ``with_id`` too, in ``year``, at
    ``place`` as ``PersonFacts.places`` names it), oldest first, the undated last; KeyError when
    there is no such person (or no person ``with_id``)."""
    return person_photo_page(store, concept_id, with_id, year, place).photos


def person_photo_page(store: LibraryStore, concept_id: int, with_id: int | None = None, year: int | None = None,
                      place: str | None = None, newest_first: bool = False, start: int = 0,
                      count: int | None = None) -> PersonPhotoPage:
    """``count`` of those photos from ``start`` (all: None), ``newest_first`` or oldest first (the
    undated last); only the photos of the page are read whole."""
    with store.session() as s:
        db = session_reader(s)
        return _page(db, concept_id, person_photo_ids(db, concept_id, with_id, year, place, newest_first), start, count)


def person_view(store: LibraryStore, concept_id: int, with_id: int | None = None, year: int | None = None,
                place: str | None = None, newest_first: bool = False, start: int = 0,
                count: int | None = None) -> tuple[PersonFacts, PersonPhotoPage]:
    """``person_facts`` and ``person_photo_page`` at once, from one reading of the person's photos:
    what a person's page shows."""
    with store.session() as s:
        db = session_reader(s)
        story, ids = person_story_and_photo_ids(db, concept_id, with_id, year, place, newest_first)  # KeyError: no one
        return _facts(s, concept_id, story), _page(db, concept_id, ids, start, count)


def _page(db, concept_id: int, ids: list[int], start: int, count: int | None) -> PersonPhotoPage:
    chosen = ids[start:] if count is None else ids[start : start + count]
    rows = person_photo_rows(db, chosen)
    boxes = boxes_of(db, concept_id, chosen)
    sha = {pid: digest for condition, params in db.id_filters("photos.id", chosen)
           for pid, digest in db.rows(f"SELECT photos.id, photos.sha256 FROM photos WHERE {condition}", params)}
    return PersonPhotoPage(len(ids), [PersonPhoto(r.id, r.path, sha.get(r.id, ""), r.width, r.height, boxes.get(r.id),
                                                  r.taken, r.place) for r in rows])
