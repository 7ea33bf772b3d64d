"""The library by time, and the lists of photos the gallery pages through: a month, a year, the
photos without a date, a city, a country, the photos without a place, a person, every photo.

One definition of each, shared with ``ask``: a photo's date is the camera's (``ask.selection``:
``taken_source = 'exif'``; a file's modification time is no date), a month is the range
``time_sql`` asks for "photos in March 2020", a city or a country is the containment
``place_sql`` asks for "photos in Paris" (the city and the places within it), a person is a
present verdict (``people_sql``). Every list is in one order, by date: dated photos oldest first
(``taken_at``, then id), then the photos without a date by id; a photo's previous and next are
read in that order with an indexed query each (``neighbours``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from plvm_photos.ask.photos import ROW_COLUMNS, PhotoRow, RowReader
from plvm_photos.ask.query import DateRange, NoPlace, Person, PlaceFilter
from plvm_photos.ask.reader import Reader, session_reader
from plvm_photos.ask.selection import CURRENT, DATED, UNDATED, People, Sql, people_sql, place_sql, time_sql
from plvm_photos.places.place import Place
from plvm_photos.store.library_store import LibraryStore

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
LIST_KEY = re.compile(r"(month):(\d{4})-(\d{2})|(year):(\d{4})|(city):(\d{1,12})|(country):([A-Z]{2})|(person):(\d{1,12})"
                      r"|(undated)|(unplaced)|(all)")


# --- the timeline -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    photos: int

    @property
    def name(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def key(self) -> str:
        return f"month:{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class YearCount:
    year: int
    photos: int
    months: tuple[MonthCount, ...]  # newest first

    @property
    def key(self) -> str:
        return f"year:{self.year:04d}"


@dataclass(frozen=True)
class Timeline:
    years: tuple[YearCount, ...]  # newest first
    undated: int  # current photos without a camera date

    @property
    def dated(self) -> int:
        return sum(y.photos for y in self.years)


def _month_of(db: Reader) -> str:
    return "substr(photos.taken_at, 1, 7)" if db.dialect == "sqlite" else "to_char(photos.taken_at, 'YYYY-MM')"


def timeline(store: LibraryStore) -> Timeline:
    """Current photos per year and month of their camera date, newest first, and those without."""
    with store.session() as s:
        db = session_reader(s)
        rows = db.rows(f"SELECT {_month_of(db)}, COUNT(*) FROM photos WHERE {DATED} AND {CURRENT} GROUP BY 1", [False])
        undated = db.value(f"SELECT COUNT(*) FROM photos WHERE {UNDATED} AND {CURRENT}", [False]) or 0
    months: dict[int, list[MonthCount]] = {}
    for text, n in rows:
        year, month = int(text[:4]), int(text[5:7])
        months.setdefault(year, []).append(MonthCount(year, month, int(n)))
    years = tuple(YearCount(y, sum(m.photos for m in ms), tuple(sorted(ms, key=lambda m: -m.month)))
                  for y, ms in sorted(months.items(), reverse=True))
    return Timeline(years, int(undated))


# --- lists --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhotoList:
    """A list of photos as a link carries it (``key``: "month:2020-03", "city:2988507",
    "country:FR", "person:3", "undated", "unplaced", "all"), its title and where it is listed."""

    key: str
    title: str
    kind: str  # month | year | undated | city | country | unplaced | person | all
    up: str  # the page that lists such lists: /timeline, /places, /person/ID

    @property
    def href(self) -> str:
        return f"/person/{self.key.split(':')[1]}" if self.kind == "person" else f"/photos?list={self.key}"


@dataclass(frozen=True)
class ListedPhoto:
    photo_id: int
    path: str
    width: int
    height: int
    taken: str | None  # the camera's date-time, ISO 8601 (None: no date)
    place: str | None  # "Paris, Île-de-France, France"
    caption: str | None
    kind: str = "photo"


@dataclass(frozen=True)
class ListPage:
    list: PhotoList
    total: int
    photos: list[ListedPhoto]  # this page's, by date


@dataclass(frozen=True)
class Neighbours:
    list: PhotoList
    previous: int | None
    next: int | None
    position: int  # 1-based, in the list
    total: int


def _city(geonameid: int) -> Place | None:
    from plvm_photos.places.geocode import city

    return city(geonameid)


def photo_list(store: LibraryStore, key: str) -> PhotoList:
    """The list ``key`` names; KeyError for a key that names none."""
    found = LIST_KEY.fullmatch(key or "")
    if found is None:
        raise KeyError(key)
    parts = [g for g in found.groups() if g is not None]
    kind = parts[0]
    if kind == "month":
        year, month = int(parts[1]), int(parts[2])
        if not 1 <= month <= 12 or year < 1:
            raise KeyError(key)
        return PhotoList(key, f"{MONTH_NAMES[month - 1]} {year}", kind, "/timeline")
    if kind == "year":
        if int(parts[1]) < 1:
            raise KeyError(key)
        return PhotoList(key, parts[1], kind, "/timeline")
    if kind == "undated":
        return PhotoList(key, "Without a date", kind, "/timeline")
    if kind == "unplaced":
        return PhotoList(key, "Without a location", kind, "/places")
    if kind == "all":
        return PhotoList(key, "All photos", kind, "/timeline")
    if kind == "city":
        place = _city(int(parts[1]))
        if place is None:
            raise KeyError(key)
        return PhotoList(key, place.describe(), kind, "/places")
    if kind == "country":
        with store.session() as s:
            name = session_reader(s).value("SELECT photos.country FROM photos WHERE photos.country_code = ? LIMIT 1",
                                           [parts[1]])
        if name is None:
            raise KeyError(key)
        return PhotoList(key, name, kind, "/places")
    with store.session() as s:  # person
        person = People(session_reader(s)).by_id.get(int(parts[1]))
    if person is None:
        raise KeyError(key)
    return PhotoList(key, f"<{person.display}>", kind, f"/person/{person.id}")


def _month_range(year: int, month: int) -> DateRange:
    end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
    return DateRange(datetime(year, month, 1), end)


def list_condition(db: Reader, plist: PhotoList) -> Sql:
    """The condition on ``photos`` (beside being current) that a photo is in ``plist``, as
    ``ask`` writes it for the same question."""
    value = plist.key.partition(":")[2]
    if plist.kind == "month":
        return time_sql(db, _month_range(int(value[:4]), int(value[5:7])))
    if plist.kind == "year":
        return time_sql(db, DateRange(datetime(int(value), 1, 1), datetime(int(value) + 1, 1, 1) if int(value) < 9999 else None))
    if plist.kind == "undated":
        return Sql(UNDATED, [])
    if plist.kind == "unplaced":
        return place_sql(db, NoPlace())
    if plist.kind == "city":
        return place_sql(db, PlaceFilter("in", _city(int(value))))
    if plist.kind == "country":
        country = Place(name=plist.title, admin1="", country_code=value, country=plist.title, lat=0.0, lon=0.0,
                        level="country", geonameid=0)
        return place_sql(db, PlaceFilter("in", country))
    if plist.kind == "person":
        people = People(db)
        return people_sql(Person(people.by_id[int(value)].key), people)
    return Sql("1 = 1", [])


BY_DATE = f"CASE WHEN {DATED} THEN 0 ELSE 1 END, CASE WHEN {DATED} THEN photos.taken_at END, photos.id"


def _listed(row: PhotoRow) -> ListedPhoto:
    return ListedPhoto(row.id, row.path, row.width, row.height, row.taken, row.place, row.caption, row.kind)


def list_page(store: LibraryStore, plist: PhotoList, offset: int, limit: int) -> ListPage:
    """``limit`` photos of the list from ``offset``, by date, and how many it holds."""
    with store.session() as s:
        db = session_reader(s)
        where = list_condition(db, plist)
        total = db.value(f"SELECT COUNT(*) FROM photos WHERE {where.text} AND {CURRENT}", [*where.params, False]) or 0
        rows = db.rows(f"SELECT photos.id, {ROW_COLUMNS} FROM photos WHERE {where.text} AND {CURRENT} "
                       f"ORDER BY {BY_DATE} LIMIT ? OFFSET ?", [False, *where.params, False, limit, offset])
    reader = RowReader()
    return ListPage(plist, int(total), [_listed(reader.row_of(pid, values)) for pid, *values in rows])


def _dated(db: Reader, photo_id: int):
    """(whether the photo has a camera date, its taken_at as stored); None: no such current photo."""
    found = db.rows(f"SELECT CASE WHEN {DATED} THEN 1 ELSE 0 END, photos.taken_at FROM photos "
                    f"WHERE photos.id = ? AND {CURRENT}", [photo_id, False])
    return (bool(found[0][0]), found[0][1]) if found else None


def neighbours(store: LibraryStore, plist: PhotoList, photo_id: int) -> Neighbours | None:
    """The photos before and after ``photo_id`` in ``plist`` (by date), its place and the list's
    length; None when the photo is not in the list."""
    with store.session() as s:
        db = session_reader(s)
        where = list_condition(db, plist)
        base = f"FROM photos WHERE {where.text} AND {CURRENT}"
        params = [*where.params, False]
        me = _dated(db, photo_id)
        if me is None or db.value(f"SELECT 1 {base} AND photos.id = ?", [*params, photo_id]) is None:
            return None
        dated, taken = me

        def first(condition: str, extra: list, order: str):
            return db.value(f"SELECT photos.id {base} AND {condition} ORDER BY {order} LIMIT 1", [*params, *extra])

        forward, backward = "photos.taken_at, photos.id", "photos.taken_at DESC, photos.id DESC"
        if dated:  # ranges on taken_at, so that the index on (taken_source, taken_at) serves them
            after = first(f"{DATED} AND photos.taken_at >= ? AND NOT (photos.taken_at = ? AND photos.id <= ?)",
                          [taken, taken, photo_id], forward)
            if after is None:
                after = first(UNDATED, [], "photos.id")
            before = first(f"{DATED} AND photos.taken_at <= ? AND NOT (photos.taken_at = ? AND photos.id >= ?)",
                           [taken, taken, photo_id], backward)
            ahead = db.value(f"SELECT COUNT(*) {base} AND {DATED} AND photos.taken_at <= ? "
                             "AND NOT (photos.taken_at = ? AND photos.id >= ?)", [*params, taken, taken, photo_id])
        else:
            after = first(f"{UNDATED} AND photos.id > ?", [photo_id], "photos.id")
            before = first(f"{UNDATED} AND photos.id < ?", [photo_id], "photos.id DESC")
            if before is None:
                before = first(DATED, [], backward)
            ahead = (db.value(f"SELECT COUNT(*) {base} AND {DATED}", params) or 0) + (
                db.value(f"SELECT COUNT(*) {base} AND {UNDATED} AND photos.id < ?", [*params, photo_id]) or 0)
        total = db.value(f"SELECT COUNT(*) {base}", params) or 0
    return Neighbours(plist, before, after, int(ahead or 0) + 1, int(total))


def neighbours_in(plist: PhotoList, ordered: list[int], photo_id: int) -> Neighbours | None:
    """As ``neighbours``, in a list already read whole (a question's answer, in the order shown)."""
    if photo_id not in ordered:
        return None
    k = ordered.index(photo_id)
    return Neighbours(plist, ordered[k - 1] if k > 0 else None, ordered[k + 1] if k + 1 < len(ordered) else None,
                      k + 1, len(ordered))


# --- one photo's date and place ----------------------------------------------------------------------
@dataclass(frozen=True)
class PhotoWhenWhere:
    photo_id: int
    taken: str | None  # the camera's date-time, ISO 8601 (None: no date)
    month: str | None  # its month's list key ("month:2020-03")
    place: str | None  # "Paris, Île-de-France, France"
    city: PhotoList | None  # the list of the city it counts for (a photo in Shinjuku: Tokyo)
    country: PhotoList | None


def when_where(store: LibraryStore, photo_id: int) -> PhotoWhenWhere:
    """When and where the photo was taken, with the lists it belongs to; KeyError for no photo."""
    from plvm_photos.ask.photos import place_text, taken_text
    from plvm_photos.places.geocode import counted_city

    with store.session() as s:
        db = session_reader(s)
        found = db.rows("SELECT photos.taken_at, photos.taken_source, photos.taken_offset_minutes, photos.place_name, "
                        "photos.admin1, photos.country, photos.place_id, photos.country_code, photos.lat "
                        "FROM photos WHERE photos.id = ?", [photo_id])
    if not found:
        raise KeyError(photo_id)
    taken_at, source, offset, name, admin1, country, place_id, code, lat = found[0]
    taken = taken_text(taken_at, source, offset)
    city = counted_city(int(place_id)) if place_id is not None and lat is not None else None
    return PhotoWhenWhere(
        photo_id, taken, f"month:{taken[:7]}" if taken else None, place_text(name, admin1, country) if lat is not None else None,
        PhotoList(f"city:{city.geonameid}", city.describe(), "city", "/places") if city else None,
        PhotoList(f"country:{code}", country, "country", "/places") if code and country and lat is not None else None)
