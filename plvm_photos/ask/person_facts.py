"""One person's facts: how many photos they are in, the years and places of those photos, who is
with them most often, their first and latest photo, and their photos filtered by any of these.

The one implementation of these facts: the photos are those ``selection.select`` picks for the
person (current photos, as every question), and the counts are ``aggregates``'s own, the same
functions that answer "who is with <a>?", "who appears most with <a>?", "where has <a> been?",
"which years is <a> in?", "when did I last see <a>?" and "when was <a> first photographed?".
``reads.people`` calls it for the API, the CLI (``plvm-photos person``) and the gallery's person
page, so a page, a command and an answer never disagree. Plain SQL over a DB-API ``Reader``, like
the rest of ``ask``. Hidden people are left out of "often with" (the person asked about is named,
so their own facts are shown, as a question naming them is answered).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from plvm_photos.ask.aggregates import (
    _place_key,
    by_date,
    hidden_ids,
    people_counts,
    place_counts,
    ranking,
    time_counts,
)
from plvm_photos.ask.photos import PhotoRow, item_files, photo_rows, taken_text
from plvm_photos.ask.query import AllOf, DateRange, Person, Query
from plvm_photos.ask.reader import Reader
from plvm_photos.ask.selection import People, Selected, select
from plvm_photos.names import show

PLACE_KIND = "city"  # a place on a person's page: the city (its biggest containing city), as "where has <a> been?"


@dataclass(frozen=True)
class Tally:
    """One line of a person's years, places or companions."""

    key: str  # what the photo filter takes: a year ("2019"), a place ("Paris, France"), a person's id
    label: str  # what is shown: the year, the place, the person's display name
    photos: int


@dataclass(frozen=True)
class Moment:
    """A dated photo: the first or the latest of a person."""

    photo_id: int
    path: str
    taken: str  # ISO 8601, as the camera recorded it
    place: str | None


@dataclass(frozen=True)
class PersonStory:
    photos: int  # current photos they are decided present in
    years: tuple[Tally, ...]  # newest first
    places: tuple[Tally, ...]  # cities, most photos first
    often_with: tuple[Tally, ...]  # the people in the most photos with them first (hidden people left out)
    first: Moment | None  # the oldest dated photo (ties: by path)
    latest: Moment | None  # the newest dated photo
    undated: int  # photos without a camera date (not in ``years``, nor first or latest)
    unplaced: int  # photos without a GPS position (not in ``places``)


def _query(people: People, person_id: int, with_id: int | None = None, year: int | None = None) -> Query:
    """The question whose photos these are: "photos of <a> [and <b>] [in YEAR]"."""
    me = Person(people.by_id[person_id].key)
    who = me if with_id is None else AllOf((me, Person(people.by_id[with_id].key)))
    time = None if year is None else DateRange(datetime(year, 1, 1), datetime(year + 1, 1, 1))
    return Query("list", people=who, time=time)


def person_story(db: Reader, person_id: int) -> PersonStory:
    """The facts of the person ``person_id``; KeyError when there is no such person."""
    people = People(db)
    return _story(db, people, person_id, select(db, _query(people, person_id), people))


def person_story_and_photo_ids(db: Reader, person_id: int, with_id: int | None = None, year: int | None = None,
                               place: str | None = None, newest_first: bool = False) -> tuple[PersonStory, list[int]]:
    """``person_story`` and ``person_photo_ids`` from one selection of the person's photos (a
    person's page shows both: selecting 5 000 photos twice cost a third of its time)."""
    people = People(db)
    found = select(db, _query(people, person_id), people)
    return _story(db, people, person_id, found), _photo_ids(db, people, person_id, with_id, year, place, newest_first,
                                                            found)


def _story(db: Reader, people: People, person_id: int, found: Selected) -> PersonStory:
    # Counted over the photos' ids, not ``matching_sql``: a person's few thousand photos are found
    # by id faster than by their condition again (6 ms, not 15, at 5 421 of 100 000 photos).
    rows = list(found.rows.values())
    skip = {person_id} | hidden_ids(db, (people.by_id[person_id].key,), people)
    together = people_counts(db, found, skip)
    for cid in skip:
        together.pop(cid, None)
    label = {cid: show(people.by_id[cid].display) for cid in together}
    by_label = {name: cid for cid, name in label.items()}
    often = tuple(Tally(str(by_label[name]), name, n) for name, n in ranking(together, label.get))
    years = time_counts(rows, "year")
    places, unplaced = place_counts(db, found, None, PLACE_KIND)
    dated = by_date(rows)
    return PersonStory(
        photos=len(found.ids),
        years=tuple(Tally(key[0], key[0], years[key]) for key in sorted(years, reverse=True)),
        places=tuple(Tally(name, name, n) for name, n in ranking(places)),
        often_with=often,
        first=_moment(dated[0]) if dated else None,
        latest=_moment(dated[-1]) if dated else None,
        undated=len(rows) - len(dated),
        unplaced=unplaced,
    )


def _moment(row: PhotoRow) -> Moment:
    return Moment(row.id, row.path, row.taken, row.place)


def person_photo_ids(db: Reader, person_id: int, with_id: int | None = None, year: int | None = None,
                     place: str | None = None, newest_first: bool = False) -> list[int]:
    """The person's photos (with ``with_id`` too, taken in ``year``, at ``place`` as ``PersonStory.places``
    names it) by date: oldest first (``newest_first``: newest first), ties by path as ``by_date``,
    the undated last by path. Reads only what the order needs (a page reads its photos' rows with
    ``photo_rows``). KeyError for an unknown person."""
    return _photo_ids(db, People(db), person_id, with_id, year, place, newest_first)


def _photo_ids(db: Reader, people: People, person_id: int, with_id: int | None, year: int | None, place: str | None,
               newest_first: bool, everyone: Selected | None = None) -> list[int]:
    """``person_photo_ids``; ``everyone``: all the person's photos with their rows, as ``_story``
    selected them, taken as they are where no person or year narrows them."""
    if everyone is not None and with_id is None and year is None:
        ids, rows = everyone.ids, everyone.rows
    else:
        ids, rows = select(db, _query(people, person_id, with_id, year), people, with_rows=False).ids, {}
    if place is not None:
        ids = _at_place(db, ids, place)
    if rows:
        taken = {pid: rows[pid].taken for pid in ids}
        paths = {pid: rows[pid].path for pid in ids}
    else:
        taken = _taken(db, ids)
        paths = {pid: files[0] for pid, files in item_files(db, ids).items()}
    dated = sorted((pid for pid in ids if taken[pid]), key=lambda pid: (taken[pid], paths.get(pid, "")))
    undated = sorted((pid for pid in ids if not taken[pid]), key=lambda pid: paths.get(pid, ""))
    return (dated[::-1] if newest_first else dated) + undated


def _at_place(db: Reader, ids: list[int], place: str) -> list[int]:
    """Those of ``ids`` taken at ``place`` (a key of ``PersonStory.places``)."""
    keys: dict[tuple, str | None] = {}  # a place's key, worked out once per place
    out = []
    for condition, params in db.id_filters("photos.id", ids):
        for pid, *spot in db.rows("SELECT photos.id, photos.place_id, photos.place_name, photos.admin1, photos.country, "
                                  f"photos.country_code FROM photos WHERE {condition}", params):
            spot = tuple(spot)
            if spot not in keys:
                keys[spot] = _place_key(PLACE_KIND, *spot)
            if keys[spot] == place:
                out.append(pid)
    return sorted(out)


def _taken(db: Reader, ids: list[int]) -> dict[int, str | None]:
    return {pid: taken_text(at, source, offset)
            for condition, params in db.id_filters("photos.id", ids)
            for pid, at, source, offset in db.rows("SELECT photos.id, photos.taken_at, photos.taken_source, "
                                                   f"photos.taken_offset_minutes FROM photos WHERE {condition}", params)}


def person_photo_rows(db: Reader, photo_ids: list[int]) -> list[PhotoRow]:
    """The rows of ``photo_ids`` (from ``person_photo_ids``), in that order."""
    rows = photo_rows(db, photo_ids)
    return [rows[pid] for pid in photo_ids if pid in rows]


def boxes_of(db: Reader, person_id: int, photo_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """Photo id -> the box of the person in it (photos where they are present without a box: none)."""
    out = {}
    for condition, params in db.id_filters("verdicts.photo_id", photo_ids):
        for pid, left, top, right, bottom in db.rows(
                'SELECT verdicts.photo_id, regions."left", regions.top, regions."right", regions.bottom FROM verdicts '
                f"JOIN regions ON regions.id = verdicts.region_id WHERE {condition} AND verdicts.concept_id = ? "
                "AND verdicts.present = ?", [*params, person_id, True]):
            out[pid] = (left, top, right, bottom)
    return out
