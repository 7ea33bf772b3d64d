"""A query's filters as SQL over current photos: people expressions, time ranges and places.

- People: a person holds for a photo when a present verdict of theirs is stored for it;
  ``AllOf``/``AnyOf``/``Not`` are AND/OR/NOT of those; ``Only`` is every named person present and
  no present verdict of anyone else (strangers' faces do not count).
- Time: the camera's date (``taken_source = 'exif'``). A file's modification time says when it
  was copied or edited, not taken, so a photo with only that has no date here. A season is
  matched by the range of the photo's hemisphere (latitude below 0: the southern one).
- Media: ``Query.media`` keeps only photos (a camera RAW is one) or only videos (``photos.kind``).
- Place: containment (``PlaceFilter``): a continent, country or region by the stored codes of the
  photo's reverse-geocoded city, a city by that city's id being the city's or one of its parts'
  (``photos.place_id``, indexed); "near" by great-circle distance, prefiltered in SQL by a
  bounding box and decided exactly here. "or" / "not" / "without a location" combine them.
- ``Nobody``: no present verdict of anyone; ``NoOne``: no face region at all; ``Strangers``: a
  face region that no present verdict names.

``select`` returns the matching photos and the photos left out for lacking a date or a GPS
position that might otherwise have matched, so no answer drops them silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from plvm_photos.ask.photos import ROW_COLUMNS, ROW_WIDTH, RowReader
from plvm_photos.ask.query import (
    AllOf,
    AnyOf,
    AllPlaces,
    AnyPlace,
    AllTimes,
    AnyTime,
    DayPart,
    EveryFeast,
    EverySeason,
    EveryYear,
    Faces,
    Nobody,
    NoDate,
    NoOne,
    NoPlace,
    Not,
    NotPlace,
    Only,
    Person,
    PlaceFilter,
    SeasonRange,
    Strangers,
    Weekdays,
)
from plvm_photos.places.place import distance_km, named_beside
from plvm_photos.ask.reader import Reader
from plvm_photos.db.current import current_photo_sql
from plvm_photos.errors import UnknownPersonError
from plvm_photos.names import normalize

# A photo's facts are stored whole (``indexing/facts.py``): an 'exif' source always has a date, a
# latitude always a longitude. The conditions are written so that the indexes serve them.
DATED = "photos.taken_source = 'exif'"
UNDATED = "(photos.taken_source IS NULL OR photos.taken_source < 'exif' OR photos.taken_source > 'exif')"
LOCATED = "photos.lat IS NOT NULL"
UNLOCATED = "photos.lat IS NULL"
CURRENT = current_photo_sql("?")  # its parameter: False
KM_PER_DEGREE = 111.19


@dataclass(frozen=True)
class Registered:
    """A registered person as the question names them."""

    id: int
    key: str
    display: str


class People:
    """The registered people (a few rows, read once per question)."""

    def __init__(self, db: Reader):
        rows = db.rows("SELECT concepts.id, concepts.name, concepts.display FROM concepts ORDER BY concepts.name")
        self.by_key = {key: Registered(cid, key, display or key) for cid, key, display in rows}
        self.by_id = {p.id: p for p in self.by_key.values()}

    def get(self, name: str) -> Registered:
        """The person ``name`` (as written in the question) refers to, or UnknownPersonError."""
        found = self.by_key.get(normalize(name))
        if found is None:
            known = sorted((p.display for p in self.by_key.values()), key=str.casefold)
            raise UnknownPersonError(name.strip(), known)
        return found

    def check(self, expr) -> None:
        """Every name in ``expr`` is registered (raises for the first that is not)."""
        if expr is not None:
            for name in expr.names():
                self.get(name)


@dataclass(frozen=True)
class Sql:
    text: str
    params: list


def people_sql(expr, people: People) -> Sql:
    """The condition on ``photos.id`` that ``expr`` holds."""
    if isinstance(expr, Nobody):
        return Sql("NOT EXISTS (SELECT 1 FROM verdicts AS anyone WHERE anyone.photo_id = photos.id AND anyone.present = ?)", [True])
    if isinstance(expr, NoOne):
        return Sql("NOT EXISTS (SELECT 1 FROM regions AS face WHERE face.photo_id = photos.id AND face.kind = 'face')", [])
    if isinstance(expr, Strangers):
        return Sql("EXISTS (SELECT 1 FROM regions AS face WHERE face.photo_id = photos.id AND face.kind = 'face' AND NOT EXISTS "
                   "(SELECT 1 FROM verdicts AS named WHERE named.region_id = face.id AND named.present = ?))", [True])
    if isinstance(expr, Faces):  # faces known or not, counted
        count = "(SELECT COUNT(*) FROM regions AS face WHERE face.photo_id = photos.id AND face.kind = 'face')"
        if expr.most is None:
            return Sql(f"{count} >= ?", [expr.least])
        return Sql(f"{count} BETWEEN ? AND ?", [expr.least, expr.most])
    if isinstance(expr, Person):
        return Sql("photos.id IN (SELECT verdicts.photo_id FROM verdicts WHERE verdicts.concept_id = ? AND verdicts.present = ?)",
                   [people.get(expr.name).id, True])
    if isinstance(expr, (AllOf, AnyOf)):
        parts = [people_sql(item, people) for item in expr.items]
        joiner = " AND " if isinstance(expr, AllOf) else " OR "
        return Sql("(" + joiner.join(p.text for p in parts) + ")", [x for p in parts for x in p.params])
    if isinstance(expr, Not):
        inner = people_sql(expr.item, people)
        return Sql(f"NOT {inner.text}", inner.params)
    if isinstance(expr, Only):
        ids = sorted({people.get(item.name).id for item in expr.items})
        each = people_sql(AllOf(tuple(expr.items)), people)
        others = ("NOT EXISTS (SELECT 1 FROM verdicts AS other WHERE other.photo_id = photos.id AND other.present = ? "
                  f"AND other.concept_id NOT IN ({', '.join('?' * len(ids))}))")
        return Sql(f"({each.text} AND {others})", [*each.params, True, *ids])
    raise TypeError(f"not a people expression: {expr!r}")


def _range_sql(db: Reader, start, end) -> Sql:
    parts, params = [], []
    if start is not None:
        parts.append("photos.taken_at >= ?")
        params.append(db.moment(start))
    if end is not None:
        parts.append("photos.taken_at < ?")
        params.append(db.moment(end))
    return Sql("(" + " AND ".join(parts) + ")", params)


def time_sql(db: Reader, time) -> Sql:
    """The condition that the photo's camera date is in ``time`` (written so that the index on
    (taken_source, taken_at) serves it: a season's two ranges inside the span that holds both)."""
    if isinstance(time, NoDate):
        return Sql(UNDATED, [])
    if isinstance(time, AnyTime):
        parts = [time_sql(db, item) for item in time.items]
        return Sql("(" + " OR ".join(p.text for p in parts) + ")", [x for p in parts for x in p.params])
    if isinstance(time, AllTimes):
        parts = [time_sql(db, item) for item in time.items]
        return Sql("(" + " AND ".join(p.text for p in parts) + ")", [x for p in parts for x in p.params])
    if isinstance(time, EverySeason):  # each photo by its hemisphere's days of every year
        south, north = time_sql(db, time.south), time_sql(db, time.north)
        return Sql(f"((photos.lat < 0 AND {south.text}) OR ((photos.lat IS NULL OR photos.lat >= 0) AND {north.text}))",
                   south.params + north.params)
    if isinstance(time, DayPart):  # the camera's clock, on any date
        hour = "CAST(substr(photos.taken_at, 12, 2) AS INTEGER)" if db.dialect == "sqlite" else "EXTRACT(HOUR FROM photos.taken_at)"
        joiner = "AND" if time.start <= time.end else "OR"
        return Sql(f"({DATED} AND ({hour} >= ? {joiner} {hour} < ?))", [time.start, time.end])
    if isinstance(time, Weekdays):  # the day of the week of the camera's date (SQL counts from Sunday = 0)
        dow = "CAST(strftime('%w', photos.taken_at) AS INTEGER)" if db.dialect == "sqlite" else "EXTRACT(DOW FROM photos.taken_at)"
        days = [(d + 1) % 7 for d in time.days]
        return Sql(f"({DATED} AND {dow} IN ({', '.join('?' * len(days))}))", days)
    if isinstance(time, EveryYear):  # the same days of every year: by month and day of the camera's date
        day = "substr(photos.taken_at, 6, 5)" if db.dialect == "sqlite" else "to_char(photos.taken_at, 'MM-DD')"
        start, end = "%02d-%02d" % time.start, "%02d-%02d" % time.end
        joiner = "AND" if time.start <= time.end else "OR"
        return Sql(f"({DATED} AND ({day} >= ? {joiner} {day} <= ?))", [start, end])
    if isinstance(time, EveryFeast):  # a moving holiday: its day in each year, by the camera's date
        day = "substr(photos.taken_at, 1, 10)" if db.dialect == "sqlite" else "to_char(photos.taken_at, 'YYYY-MM-DD')"
        return Sql(f"({DATED} AND {day} IN ({', '.join('?' * len(time.days))}))", [d.isoformat() for d in time.days])
    if isinstance(time, SeasonRange):
        starts, ends = [time.north.start, time.south.start], [time.north.end, time.south.end]
        outer = _range_sql(db, None if None in starts else min(starts), None if None in ends else max(ends))
        south, north = _range_sql(db, time.south.start, time.south.end), _range_sql(db, time.north.start, time.north.end)
        text = (f"(photos.taken_source = 'exif' AND {outer.text} AND ((photos.lat < 0 AND {south.text}) "
                f"OR ((photos.lat IS NULL OR photos.lat >= 0) AND {north.text})))")
        return Sql(text, outer.params + south.params + north.params)
    inner = _range_sql(db, time.start, time.end)
    return Sql(f"(photos.taken_source = 'exif' AND {inner.text})", inner.params)


@dataclass(frozen=True)
class Box:
    """Latitude and longitude ranges that hold every point within some km of a centre."""

    lat: tuple[float, float]
    lons: tuple[tuple[float, float], ...]  # two ranges where the box crosses the antimeridian


def bounding_box(lat: float, lon: float, km: float) -> Box:
    dlat = km / KM_PER_DEGREE
    low, high = lat - dlat, lat + dlat
    if low <= -90 or high >= 90:  # a pole is inside: every longitude
        return Box((max(low, -90.0), min(high, 90.0)), ((-180.0, 180.0),))
    # a degree of longitude is shortest at the latitude farthest from the equator in the box
    dlon = 1.01 * km / (KM_PER_DEGREE * math.cos(math.radians(max(abs(low), abs(high)))))
    if dlon >= 180:
        return Box((low, high), ((-180.0, 180.0),))
    west, east = lon - dlon, lon + dlon
    if west < -180:
        return Box((low, high), ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box((low, high), ((west, 180.0), (-180.0, east - 360)))
    return Box((low, high), ((west, east),))


def _box_sql(box: Box) -> Sql:
    lons = " OR ".join("photos.lon BETWEEN ? AND ?" for _ in box.lons)
    return Sql(f"(photos.lat BETWEEN ? AND ? AND ({lons}))", [*box.lat, *(x for pair in box.lons for x in pair)])


def place_sql(db: Reader, place) -> Sql:
    """A condition every photo ``place`` matches satisfies; ``place_matches`` decides exactly."""
    if isinstance(place, NoPlace):
        return Sql(UNLOCATED, [])
    if isinstance(place, (AnyPlace, AllPlaces)):
        parts = [place_sql(db, item) for item in place.items]
        joiner = " OR " if isinstance(place, AnyPlace) else " AND "
        return Sql("(" + joiner.join(p.text for p in parts) + ")", [x for p in parts for x in p.params])
    if isinstance(place, NotPlace):
        inner = place_sql(db, place.item)
        return Sql(f"({LOCATED} AND NOT {inner.text})", inner.params)
    target = place.place
    if place.relation == "near":
        box = _box_sql(bounding_box(target.lat, target.lon, place.radius_km or 0.0))
        return Sql(f"({LOCATED} AND {box.text})", box.params)
    if target.level == "continent":
        return Sql(f"({LOCATED} AND photos.country_code IN ({', '.join('?' * len(target.countries))}))", list(target.countries))
    if target.level == "country":
        return Sql(f"({LOCATED} AND photos.country_code = ?)", [target.country_code])
    if target.level == "region":
        return Sql(f"({LOCATED} AND photos.country_code = ? AND photos.admin1_code = ?)", [target.country_code, target.admin1_code])
    ids = [target.geonameid, *target.parts]
    if len(ids) == 1:
        return Sql(f"({LOCATED} AND photos.place_id = ?)", ids)
    found = next(iter(db.id_filters("photos.place_id", ids)))
    return Sql(f"({LOCATED} AND {found[0]})", list(found[1]))


def place_matches(place, lat: float, lon: float, place_id: int | None) -> bool:
    """Whether a photo at ``lat``, ``lon`` whose city is ``place_id`` is in/near ``place``
    (after ``place_sql`` passed it: only distances are left to decide)."""
    if isinstance(place, NoPlace):
        return lat is None
    if isinstance(place, AnyPlace):
        return any(place_matches(item, lat, lon, place_id) for item in place.items)
    if isinstance(place, AllPlaces):
        return all(place_matches(item, lat, lon, place_id) for item in place.items)
    if isinstance(place, NotPlace):
        return lat is not None and not place_matches(place.item, lat, lon, place_id)
    if place.relation == "near":
        return lat is not None and distance_km(lat, lon, place.place.lat, place.place.lon) <= (place.radius_km or 0.0)
    return True


def _needs_exact(place) -> bool:
    if isinstance(place, (AnyPlace, AllPlaces)):
        return any(_needs_exact(item) for item in place.items)
    if isinstance(place, NotPlace):
        return _needs_exact(place.item)
    return isinstance(place, PlaceFilter) and place.relation == "near"


@dataclass(frozen=True)
class Selected:
    """The photos a query's filters select, and those left out for lacking a date or a GPS
    position while matching everything else they have."""

    ids: list[int]
    rows: dict  # photo id -> PhotoRow (``photos.py``) of each photo in ``ids`` (empty if not asked for)
    no_date: int  # left out: no camera date (a time filter was asked)
    no_position: int  # left out: no GPS position (a place filter was asked)
    left_out: int  # photos in either count (a photo can lack both)


def matching_sql(db: Reader, query, people: People) -> Sql | None:
    """The condition on ``photos`` that selects what ``select`` does, for counting in SQL (GROUP
    BY); None where distances must be decided row by row ("near")."""
    if query.place is not None and _needs_exact(query.place):
        return None
    where, params = [CURRENT], [False]
    if query.media is not None:  # only photos, or only videos, as ``select``
        where.append("photos.kind = ?")
        params.append(query.media)
    for part in (people_sql(query.people, people) if query.people is not None else None,
                 time_sql(db, query.time) if query.time is not None else None,
                 place_sql(db, query.place) if query.place is not None else None):
        if part is not None:
            where.append(part.text)
            params.extend(part.params)
    return Sql(" AND ".join(where), params)


def select(db: Reader, query, people: People, with_rows: bool = True) -> Selected:
    """The current, analysed photos matching the query's people, time and place filters (and
    their PhotoRows, unless ``with_rows`` is False: a count needs only the ids)."""
    where, params = [CURRENT], [False]
    if query.media is not None:  # only photos, or only videos
        where.append("photos.kind = ?")
        params.append(query.media)
    if query.people is not None:
        expr = people_sql(query.people, people)
        where.append(expr.text)
        params.extend(expr.params)
    matching, matching_params = list(where), list(params)
    if query.time is not None:
        in_time = time_sql(db, query.time)
        matching.append(in_time.text)
        matching_params.extend(in_time.params)
    if query.place is not None:
        at_place = place_sql(db, query.place)
        matching.append(at_place.text)
        matching_params.extend(at_place.params)
    columns, width = (f"{ROW_COLUMNS}, ", ROW_WIDTH) if with_rows else ("", 0)
    rows = db.rows(f"SELECT photos.id, {columns}photos.lat, photos.lon, photos.place_id FROM photos "
                   f"WHERE {' AND '.join(matching)}", ([False] if with_rows else []) + matching_params)
    ids, photos, reader = [], {}, RowReader()
    for row in rows:
        lat, lon, place_id = row[1 + width :]
        if query.place is None or not _needs_exact(query.place) or place_matches(query.place, lat, lon, place_id):
            ids.append(row[0])
            if with_rows:
                photos[row[0]] = reader.row_of(row[0], row[1 : 1 + width])
    no_date, no_position, left_out = _left_out(db, query, where, params)
    return Selected(sorted(ids), photos, no_date, no_position, left_out)


def places_within(db: Reader, query, people: People) -> list[tuple[str, list[str]]]:
    """(a city asked for, the places within it that the selected photos are in): "in Los Angeles"
    takes in Pasadena and Santa Monica (``places.build_index``'s parts of a city), and the answer
    says so. Read from the place index over the photos' condition; none for "near" a place."""
    where = matching_sql(db, query, people)
    if where is None or query.place is None:
        return []
    asked = query.place.items if isinstance(query.place, (AnyPlace, AllPlaces)) else (query.place,)
    out = []
    for item in asked:
        if not isinstance(item, PlaceFilter) or item.relation != "in" or not item.place.parts:
            continue
        names: set[str] = set()
        for condition, params in db.id_filters("photos.place_id", list(item.place.parts)):
            names.update(name for (name,) in db.rows(f"SELECT DISTINCT photos.place_name FROM photos WHERE {where.text} "
                                                     f"AND {condition}", [*where.params, *params])
                         if named_beside(item.place.name, name))
        if names:
            out.append((item.place.name, sorted(names)))
    return out


def _left_out(db: Reader, query, where: list[str], params: list) -> tuple[int, int, int]:
    """(no date, no position, either) among the photos that match the people and every filter
    whose fact they have, but lack the fact of another filter."""
    if isinstance(query.time, NoDate) or isinstance(query.place, NoPlace):  # the missing fact is what is asked
        from dataclasses import replace

        query = replace(query, time=None if isinstance(query.time, NoDate) else query.time,
                        place=None if isinstance(query.place, NoPlace) else query.place)
    if query.time is None and query.place is None:
        return 0, 0, 0
    where, params = list(where), list(params)
    if query.time is None or query.place is None:  # only the one fact asked for can be missing
        where.append(UNDATED if query.place is None else UNLOCATED)
        n = db.value(f"SELECT COUNT(*) FROM photos WHERE {' AND '.join(where)}", params) or 0
        return (n, 0, n) if query.place is None else (0, n, n)
    in_time, at_place = time_sql(db, query.time), place_sql(db, query.place)
    either = [f"({in_time.text} OR {UNDATED})", f"({at_place.text} OR {UNLOCATED})", f"({UNDATED} OR {UNLOCATED})"]
    if query.people is not None:
        either = [_unindexed(db, text) for text in either]
    where.extend(either)
    params.extend(in_time.params + at_place.params)
    return _count_left_out(db, query, where, params)


_FACT_COLUMN = re.compile(r"(?<![\w+])photos\.(taken_source|taken_at|lat|lon|country_code|admin1_code|place_id)\b")


def _unindexed(db: Reader, text: str) -> str:
    """``text`` with its fact columns kept from driving the query (SQLite's unary +): without
    statistics SQLite would scan a whole country, say, rather than the few photos of the people
    asked for; each term here holds for most photos."""
    return _FACT_COLUMN.sub(r"+photos.\1", text) if db.dialect == "sqlite" else text


def _count_left_out(db: Reader, query, where: list[str], params: list) -> tuple[int, int, int]:
    rows = db.rows(f"SELECT CASE WHEN {UNDATED} THEN 1 ELSE 0 END, photos.lat, photos.lon, photos.place_id FROM photos "
                   f"WHERE {' AND '.join(where)}", params)
    no_date = no_position = left_out = 0
    for undated, lat, lon, place_id in rows:
        located = lat is not None and lon is not None
        if located and query.place is not None and _needs_exact(query.place) and not place_matches(query.place, lat, lon, place_id):
            continue
        left_out += 1
        no_date += bool(undated) and query.time is not None
        no_position += not located and query.place is not None
    return no_date, no_position, left_out


def library_has_dates(db: Reader) -> bool:
    return db.value(f"SELECT 1 FROM photos WHERE {DATED} LIMIT 1") is not None


def library_has_positions(db: Reader) -> bool:
    return db.value(f"SELECT 1 FROM photos WHERE {LOCATED} LIMIT 1") is not None


def unread_photos(db: Reader) -> int:
    """Analysed photos whose date and place have not been read yet (scanned by an older version)."""
    return db.value("SELECT COUNT(*) FROM photos WHERE photos.facts_version IS NULL AND photos.error IS NULL") or 0
