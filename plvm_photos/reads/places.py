"""The library by place: countries and cities with their photo counts, a cover photo each, and
where each city is, for a map.

A photo's place is the one stored at scan time (its GPS position reverse-geocoded to the nearest
listed city, ``indexing/facts.py``). It counts for a country by its country code and for a city
by ``places.geocode.counted_city`` (the biggest city its place lies within: a photo in Shinjuku
counts for Tokyo), as ``ask`` counts "which city has the most photos"; a city's photos are
``ask``'s "photos in <city>" (``reads.photo_lists``). One grouped query over ``photos.place_id``
(indexed) reads it all.
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask.reader import session_reader
from plvm_photos.ask.selection import CURRENT, UNLOCATED
from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class CityCount:
    geonameid: int
    name: str
    region: str
    country: str
    country_code: str
    lat: float
    lon: float
    photos: int
    cover: int  # a photo of it (the newest in the library, by id)
    takes_in: tuple[str, ...] = ()  # the places within it that some of these photos are in ("Pasadena")

    @property
    def key(self) -> str:
        return f"city:{self.geonameid}"


@dataclass(frozen=True)
class CountryCount:
    code: str
    name: str
    photos: int
    cover: int
    cities: tuple[CityCount, ...]  # most photos first

    @property
    def key(self) -> str:
        return f"country:{self.code}"


@dataclass(frozen=True)
class Places:
    countries: tuple[CountryCount, ...]  # most photos first, then by name
    unplaced: int  # current photos without a GPS position

    @property
    def cities(self) -> list[CityCount]:
        return sorted((c for country in self.countries for c in country.cities), key=lambda c: (-c.photos, c.name))


def places(store: LibraryStore) -> Places:
    """Countries and cities with their current photos, most first, and the photos without a place."""
    from plvm_photos.places.geocode import city as geocode_city
    from plvm_photos.places.geocode import counted_city
    from plvm_photos.places.place import named_beside

    with store.session() as s:
        db = session_reader(s)
        # a photo has a place (and its country) only with a position (``indexing/facts.py``)
        rows = db.rows(f"SELECT photos.place_id, photos.country_code, COUNT(*), MAX(photos.id) FROM photos "
                       f"WHERE photos.place_id IS NOT NULL AND {CURRENT} "
                       "GROUP BY photos.place_id, photos.country_code", [False])
        unplaced = db.value(f"SELECT COUNT(*) FROM photos WHERE {UNLOCATED} AND {CURRENT}", [False]) or 0
        names = {code: db.value("SELECT photos.country FROM photos WHERE photos.country_code = ? LIMIT 1", [code])
                 for code in {row[1] for row in rows if row[1]}}
    countries: dict[str, dict] = {}
    cities: dict[int, dict] = {}
    for place_id, code, n, cover in rows:
        if not code:
            continue
        entry = countries.setdefault(code, {"name": names.get(code) or code, "photos": 0, "cover": 0})
        entry["photos"] += n
        entry["cover"] = max(entry["cover"], cover)
        city = counted_city(int(place_id)) if place_id is not None else None
        if city is None:
            continue
        at = cities.setdefault(city.geonameid, {"city": city, "photos": 0, "cover": 0, "code": code, "in": set()})
        at["photos"] += n
        at["cover"] = max(at["cover"], cover)
        if int(place_id) != city.geonameid:
            own = geocode_city(int(place_id))
            if own is not None and named_beside(city.name, own.name):
                at["in"].add(own.name)
    by_country: dict[str, list[CityCount]] = {}
    for found in cities.values():
        c = found["city"]
        by_country.setdefault(found["code"], []).append(
            CityCount(c.geonameid, c.name, c.admin1, c.country, found["code"], c.lat, c.lon, found["photos"], found["cover"],
                      tuple(sorted(found["in"]))))
    listed = [
        CountryCount(code, e["name"], e["photos"], e["cover"],
                     tuple(sorted(by_country.get(code, []), key=lambda c: (-c.photos, c.name))))
        for code, e in countries.items()
    ]
    return Places(tuple(sorted(listed, key=lambda c: (-c.photos, c.name))), int(unplaced))


def land_cells(step: float = 2.0) -> list[tuple[int, int, int]]:
    """Where people live, for the map's backdrop: (row, first column, columns) runs of the cells
    of ``step`` degrees (row 0 at 90°N, column 0 at 180°W) that hold a listed city (the GeoNames
    data shipped in ``places/``, population >= 15 000). Read once per process."""
    return list(_land_cells(step))


def _land_cells(step: float) -> tuple[tuple[int, int, int], ...]:
    cached = _CELLS.get(step)
    if cached is None:
        from plvm_photos.places.geocode import city_positions

        cells = {(int((90 - lat) // step), int((lon + 180) // step)) for lat, lon in city_positions()}
        runs = []
        for row in sorted({r for r, _ in cells}):
            columns = sorted(c for r, c in cells if r == row)
            start = prev = columns[0]
            for col in columns[1:] + [None]:
                if col is not None and col == prev + 1:
                    prev = col
                    continue
                runs.append((row, start, prev - start + 1))
                if col is not None:
                    start = prev = col
        cached = _CELLS[step] = tuple(runs)
    return cached


_CELLS: dict[float, tuple[tuple[int, int, int], ...]] = {}
