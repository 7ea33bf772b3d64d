"""Offline geocoding over GeoNames data: place names -> places, GPS positions -> nearest city.

No network, ever. The data is the compact index that ``build_index.py`` generates from the
GeoNames data shipped in this package (cities with population >= 15 000, their regions,
countries and continents), once, on first use, into a cache folder (``index_dir``): a few
seconds, 5.7 MB.

- ``lookup(name)`` / ``candidates(name)`` (for the question parser): a binary search in the
  sorted ``names.tsv``; only the two index files are read, nothing is parsed up front. Names are
  compared folded (``fold``: case, accents, punctuation and spacing ignored). An ambiguous name
  gives the most important place first (places whose own name it is before places that have it
  as an alternate name, then population x 20 for a country, x 8 for a city, x 1 for a region);
  ``candidates`` gives them all. "Paris, Texas" / "Paris, France" keeps the places
  named Paris in that region or country.
- ``reverse(lat, lon)`` (at scan time): the nearest listed city by great-circle distance,
  found as the largest dot product of unit vectors on the sphere (numpy), with its region and
  country. The first call loads the cities (tens of milliseconds); each call after that takes
  microseconds.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from plvm_photos.places.index_files import NAMES_FILE, PLACES_FILE, index_dir
from plvm_photos.places.place import Place, city_radius_km, fold  # noqa: F401 - city_radius_km is API

LEVELS = {"N": "continent", "K": "country", "R": "region", "C": "city"}


# --- the index files ----------------------------------------------------------------------------
def index_file(name: str) -> Path:
    """One of the two index files, built first where it is not there yet."""
    path = index_dir() / name
    if not path.exists():
        from plvm_photos.places.build_index import build

        build(index_dir())
    return path


@cache
def _file_bytes(name: str):
    """The index file, memory-mapped: a lookup reads only the pages its binary search touches."""
    import mmap

    with open(index_file(name), "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _bisect_lines(data: bytes, key_of) -> tuple[int, int] | None:
    """(start, end) of the line of ``data`` whose ``key_of(line)`` is 0, by binary search over
    lines sorted so that ``key_of`` goes from negative to positive."""
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        order = key_of(data[start:end])
        if order < 0:
            lo = end + 1
        elif order > 0:
            hi = start
        else:
            return start, end
    return None


def _find_line(data: bytes, key: bytes) -> bytes | None:
    """The value after ``key<TAB>`` in sorted ``key<TAB>value`` lines, by binary search."""

    def compare(line: bytes) -> int:
        found = line.split(b"\t", 1)[0]
        return (found > key) - (found < key)

    found = _bisect_lines(data, compare)
    if found is None:
        return None
    line = data[found[0] : found[1]]
    tab = line.find(b"\t")
    return line[tab + 1 :] if tab >= 0 else b""


def _fields_at(offset: int) -> list[str]:
    data = _file_bytes(PLACES_FILE)
    end = data.find(b"\n", offset)
    return data[offset : end if end >= 0 else len(data)].decode("utf-8").split("\t")


@lru_cache(maxsize=4096)
def place_at(offset: int) -> Place:
    """The place on the ``places.tsv`` line at byte ``offset``, with its region and country."""
    kind, geonameid, name, country_code, admin1_code, lat, lon, population, parent, extra, within = _fields_at(offset)
    admin1, country = "", name if kind == "K" else ""
    while parent:
        parent_fields = _fields_at(int(parent, 16))
        if parent_fields[0] == "R":
            admin1 = parent_fields[2]
        else:
            country = parent_fields[2]
        parent = parent_fields[8]
    if kind == "R":
        admin1 = name
    return Place(
        name=name,
        admin1=admin1,
        country_code=country_code,
        country=country,
        lat=float(lat),
        lon=float(lon),
        level=LEVELS[kind],
        geonameid=int(geonameid),
        admin1_code=admin1_code if kind != "N" else "",
        population=int(population),
        parts=tuple(int(part) for part in extra.split(",")) if kind == "C" and extra else (),
        countries=tuple(extra.split(",")) if kind == "N" and extra else (),
        within=int(within) if within else None,
    )


def city(geonameid: int) -> Place | None:
    """The listed city with this geonameid (a photo's ``place_id``), by binary search over the
    cities of ``places.tsv`` (in geonameid order, after the other kinds)."""

    def compare(line: bytes) -> int:
        key = (1, int(line[2 : line.index(b"\t", 2)])) if line.startswith(b"C\t") else (0, 0)
        return (key > (1, geonameid)) - (key < (1, geonameid))

    found = _bisect_lines(_file_bytes(PLACES_FILE), compare)
    return place_at(found[0]) if found is not None else None


def counted_city(place_id: int) -> Place | None:
    """The city a photo whose reverse-geocoded place is ``place_id`` counts for: the biggest
    city that place lies within (a photo in Shinjuku counts for Tokyo), else the place itself;
    None for an id the index does not list. The gallery's places and ``ask``'s "which city"
    count by it."""
    found = city(place_id)
    if found is not None and found.within is not None:
        return city(found.within) or found
    return found


# --- names -> places ----------------------------------------------------------------------------
def _exact_candidates(name: str) -> list[Place]:
    key = fold(name)
    if not key:
        return []
    found = _find_line(_file_bytes(NAMES_FILE), key.encode("utf-8"))
    if found is None:
        return []
    return [place_at(int(offset, 16)) for offset in found.decode("ascii").split(",")]


def _within(place: Place, area: Place) -> bool:
    if place == area or place.level == "continent":
        return False
    if area.level in ("continent", "country"):
        return area.contains(None, place.country_code, None)
    if area.level == "region":
        return place.level == "city" and area.contains(None, place.country_code, place.admin1_code)
    return place.level == "city" and area.contains(place.geonameid, None, None)


def candidates(name: str) -> list[Place]:
    """Every place called ``name``, most important first; "Paris, Texas" and "Paris France" keep
    those in Texas or France (a qualifier without a comma only where the whole is no name)."""
    if "," in name:
        head, qualifier = name.rsplit(",", 1)
        return _qualified(head, qualifier)
    found = _exact_candidates(name)
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        if found:
            break
        found = _qualified(" ".join(words[:cut]), " ".join(words[cut:]))
    return found


def _qualified(head: str, qualifier: str) -> list[Place]:
    areas = [area for area in _exact_candidates(qualifier) if area.level != "city"]
    return [place for place in candidates(head) if any(_within(place, area) for area in areas)]


def lookup(name: str) -> Place | None:
    """The most important place called ``name`` (see ``candidates``), or None."""
    found = candidates(name)
    return found[0] if found else None


def near_misses(name: str, limit: int = 3) -> list[Place]:
    """Places whose folded name is one edit (insert, delete, change, swap) from ``name``'s, most
    important first; for "did you mean" in refusals, not for matching."""
    key = fold(name)
    if not key or len(key) > 20:
        return []
    letters = "abcdefghijklmnopqrstuvwxyz "
    edits = {key[:i] + key[i + 1 :] for i in range(len(key))}
    edits |= {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}
    edits |= {key[:i] + ch + key[i + 1 :] for i in range(len(key)) for ch in letters}
    edits |= {key[:i] + ch + key[i:] for i in range(len(key) + 1) for ch in letters}
    edits.discard(key)
    found = {place.geonameid: place for edit in edits if edit.strip() == edit and edit for place in _exact_candidates(edit)[:1]}
    return sorted(found.values(), key=lambda p: -p.population)[:limit]


# --- positions -> places ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _city_table():
    """(unit vectors of every city, their line offsets), read from ``places.tsv`` once."""
    import numpy as np

    data = index_file(PLACES_FILE).read_bytes()
    offsets, lats, lons = [], [], []
    offset = 0
    for line in data.split(b"\n"):
        if line.startswith(b"C\t"):
            fields = line.split(b"\t", 7)
            offsets.append(offset)
            lats.append(float(fields[5]))
            lons.append(float(fields[6]))
        offset += len(line) + 1
    lat, lon = np.radians(np.array(lats)), np.radians(np.array(lons))
    vectors = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    return vectors, np.array(offsets)


def city_positions() -> list[tuple[float, float]]:
    """(lat, lon) of every listed city, from ``places.tsv`` (the gallery's map draws them)."""
    data = index_file(PLACES_FILE).read_bytes()
    out = []
    for line in data.split(b"\n"):
        if line.startswith(b"C\t"):
            fields = line.split(b"\t", 7)
            out.append((float(fields[5]), float(fields[6])))
    return out


def reverse(lat: float, lon: float) -> Place:
    """The nearest listed city (population >= 15 000) to a GPS position, with its region and
    country. Raises ValueError for a position that is not on Earth."""
    import math

    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"not a GPS position: {lat}, {lon}")
    vectors, offsets = _city_table()
    la, lo = math.radians(lat), math.radians(lon)
    query = (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    return place_at(int(offsets[int((vectors @ query).argmax())]))


@cache
def _continents() -> dict[str, str]:
    """Country code -> its continent's name, from the continents' lines at the top of places.tsv."""
    data = _file_bytes(PLACES_FILE)
    out, offset = {}, data.find(b"\n") + 1
    while data.startswith(b"N\t", offset):
        fields = _fields_at(offset)
        out.update({code: fields[2] for code in fields[9].split(",") if code})
        offset = data.find(b"\n", offset) + 1
    return out


def lookup_continent(country_code: str | None) -> str | None:
    """The name of the continent a country (ISO code) is on."""
    return _continents().get(country_code or "")
