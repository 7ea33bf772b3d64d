"""Build the compact place index (``places.tsv`` + ``names.tsv``) that ``geocode`` reads.

``geocode`` builds it on first use (a few seconds) into ``index_files.index_dir()``; to build it
ahead:

    python -m plvm_photos.places.build_index

The source is ``geonames.tsv.xz``, GeoNames data (CC BY 4.0, https://www.geonames.org) shipped
in this package (``make_source`` says how it is made): cities with population >= 15 000 with
their county, region (admin1) names, countries and their continents.

Output, both UTF-8 text:

- ``places.tsv``: one place a line, continents, countries, regions, then cities:
  ``kind geonameid name country_code admin1_code lat lon population parent extra within``
  (tab-separated; kind N/K/R/C; ``parent`` is the hex byte offset of the region's or country's
  line; ``extra`` is a continent's country codes, a country's continent, and a city's parts:
  the geonameids of the listed places that lie within it, see ``parts_of``; ``within`` is the
  biggest city a city lies within, if any). Cities are in geonameid order (``geocode.city``
  finds one by binary search).
- ``names.tsv``: ``folded name<TAB>offsets`` sorted by the name's UTF-8 bytes, offsets (hex) of
  ``places.tsv`` lines, best first: places whose own name (or alias) it is before places that
  have it as an alternate name, then by population x 20 for a country, x 8 for a city, x 1 for
  a region (whose population is the sum of its listed cities') and x 40 for a continent.

A city's parts (``parts_of``): GeoNames lists districts and suburbs as places of their own
(Shinjuku, Manhattan, "Paris 16 Passy", Santa Monica), and a photo's place is the nearest listed
one, so "in Tokyo" must take in the places that lie within Tokyo. A listed place A lies within
city X when A is in X's region (admin1), has at most half X's population, lies within X's radius
(``city_radius_km``), is not in another county than X's (X's county is its own, else the county
of its region named like X: "Paris", "Yokohama Shi"), and, where X has fewer than 500 000 people,
is named as X's district ("Lyon 03" in Lyon; a smaller town's neighbours are towns of their own). So Shinjuku lies within Tokyo,
Manhattan and Brooklyn within New York City, Santa Monica within Los Angeles (same county); a
place in another region (Kawasaki is in Kanagawa, Jersey City in New Jersey), in another county
(Brooklyn Heights is not in Manhattan, Montreuil not in Paris), or as big (Manhattan is not in
Brooklyn) never does. A place two cities claim that are not one within the other stays in the
bigger one (Paris's first district, 8 km from Montreuil, is not in Montreuil). The relation is
closed: a part of a part is a part.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from plvm_photos.errors import LibraryError
from plvm_photos.places.index_files import NAMES_FILE, PLACES_FILE, SOURCE_FILE, index_dir
from plvm_photos.places.place import city_radius_km, distance_km, fold

WEIGHT = {"N": 40, "K": 20, "R": 1, "C": 8}
ALTERNATE_NAME_WEIGHT = 0.001  # a place's own name or alias ranks before others' alternate names
MAX_WORDS = 6  # the question parser tries place names of up to six words
PART_POPULATION_SHARE = 0.5  # a part has at most half its city's population
METROPOLIS = 500_000  # a smaller city's parts are only its numbered districts ("Lyon 03")
CONTINENTS = {  # code -> (geonameid, name, aliases, lat, lon)
    "AF": (6255146, "Africa", (), 7.19, 21.09),
    "AS": (6255147, "Asia", (), 29.84, 89.30),
    "EU": (6255148, "Europe", (), 48.69, 9.14),
    "NA": (6255149, "North America", (), 46.07, -100.55),
    "SA": (6255150, "South America", (), -14.60, -57.66),
    "OC": (6255151, "Oceania", ("Australasia",), -18.31, 138.52),
    "AN": (6255152, "Antarctica", ("the Antarctic",), -78.16, 16.41),
}
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
COUNTY_SUFFIXES = (" county", " shi", "-shi", " ku", "-ku", " city", " prefecture")


# --- the source ---------------------------------------------------------------------------------
def read_source(path: Path = SOURCE_FILE) -> dict[str, list[list[str]]]:
    """The shipped source's records by kind (K, R, C), each a list of fields."""
    import lzma

    try:
        text = lzma.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, lzma.LZMAError) as exc:
        raise LibraryError(f"the place data {path} cannot be read ({exc}): reinstall plvm-photos") from exc
    out: dict[str, list[list[str]]] = {"K": [], "R": [], "C": []}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            out[fields[0]].append(fields[1:])
    return out


# --- records ------------------------------------------------------------------------------------
def _record(kind, geonameid, name, country, admin1, lat, lon, population, extra="") -> dict:
    return {
        "kind": kind,
        "geonameid": int(geonameid),
        "name": name,
        "country": country,
        "admin1": admin1,
        "lat": float(lat),
        "lon": float(lon),
        "population": int(population or 0),
        "extra": extra,
        "parent_record": None,
        "names": {name},
        "own_names": {name},
    }


def city_records(rows: list[list[str]]) -> list[dict]:
    records = []
    for geonameid, name, country, admin1, lat, lon, population, county, alternates in rows:
        record = _record("C", geonameid, name, country, admin1, lat, lon, population)
        record["county"] = county
        record["names"] |= set(filter(None, alternates.split("|")))
        records.append(record)
    by_key = {(r["country"], r["name"]): r for r in sorted(records, key=lambda r: r["population"])}
    for alias, key in CITY_ALIASES.items():
        if key in by_key:
            by_key[key]["names"].add(alias)
            by_key[key]["own_names"].add(alias)
    return records


def country_records(rows: list[list[str]], cities: list[dict]) -> dict[str, dict]:
    """Countries with a listed city, placed at their capital (else their largest city)."""
    biggest, by_name = {}, {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        biggest.setdefault(city["country"], city)
        by_name.setdefault((city["country"], city["name"]), city)
    out = {}
    for code, geonameid, name, continent, population, capital in rows:
        anchor = by_name.get((code, capital), biggest.get(code))
        if anchor is None:
            continue
        record = _record("K", geonameid, name, code, "", anchor["lat"], anchor["lon"], population, continent)
        record["names"] |= set(COUNTRY_ALIASES.get(code, ()))
        record["own_names"] = set(record["names"])
        out[code] = record
    return out


def continent_records(countries: dict[str, dict]) -> dict[str, dict]:
    members = collections.defaultdict(list)
    for code, country in sorted(countries.items()):
        members[country["extra"]].append(code)
    out = {}
    for code, (geonameid, name, aliases, lat, lon) in CONTINENTS.items():
        population = sum(countries[c]["population"] for c in members[code])
        record = _record("N", geonameid, name, "", code, lat, lon, population, ",".join(members[code]))
        record["names"] |= set(aliases)
        record["own_names"] = set(record["names"])
        out[code] = record
    return out


def region_records(rows: list[list[str]], cities: list[dict]) -> dict[tuple[str, str], dict]:
    """Regions (admin1) with a name and a listed city; placed at their largest city."""
    names = {(country, code): name for country, code, name in rows}
    out = {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        key = (city["country"], city["admin1"])
        if key not in names:
            continue
        if key not in out:
            out[key] = _record("R", 0, names[key], key[0], key[1], city["lat"], city["lon"], 0)
            out[key]["names"] |= region_variants(names[key]) | ({f"{names[key]} State"} if key[0] == "US" else set())
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


def county_key(county: str) -> str:
    """A county's name as a city's name: "Yokohama Shi" -> "yokohama", "Los Angeles County" ->
    "los angeles"."""
    low = county.lower()
    for suffix in COUNTY_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            return fold(county[: -len(suffix)])
    return fold(county)


def parts_of(cities: list[dict]) -> dict[int, list[int]]:
    """City geonameid -> the geonameids of the listed places that lie within it (see the module
    docstring), transitively. A place whose county is not known takes the county of the biggest
    city it lies within that has one (a district of Paris is in the county of Paris), so that no
    district carries a suburb of another county into its city."""
    by_region = collections.defaultdict(list)
    for city in cities:
        if city["admin1"]:
            by_region[(city["country"], city["admin1"])].append(city)
    county = {city["geonameid"]: city["county"] for city in cities}
    direct: dict[int, set[int]] = {}
    for members in by_region.values():
        names = collections.defaultdict(set)
        for city in members:
            if city["county"]:
                names[county_key(city["county"])].add(city["county"])
        own = {x["geonameid"]: x["county"] or min(names.get(fold(x["name"]), {""})) for x in members}
        first = _direct_parts(members, own)
        for x in sorted(members, key=lambda c: c["population"]):  # the biggest city last: its county wins
            for part in first.get(x["geonameid"], ()):
                if not county[part] and own[x["geonameid"]]:
                    own[part] = own[x["geonameid"]]
        direct.update(_direct_parts(members, own))
    _keep_nested_claims(direct, {city["geonameid"]: city["population"] for city in cities})
    closed: dict[int, list[int]] = {}
    for city_id in direct:
        seen, todo = set(), list(direct[city_id])
        while todo:
            part = todo.pop()
            if part not in seen and part != city_id:
                seen.add(part)
                todo.extend(direct.get(part, ()))
        closed[city_id] = sorted(seen)
    return closed


def _direct_parts(members: list[dict], county: dict[int, str]) -> dict[int, set[int]]:
    """The places of one region within each of its cities, by the rules of the module docstring
    (``county``: each place's county, "" where not known)."""
    direct: dict[int, set[int]] = {}
    for x in members:
        own = county[x["geonameid"]]
        radius = city_radius_km(x["population"])
        dlat = radius / 111.0
        found = set()
        for a in members:
            if a is x or a["population"] > PART_POPULATION_SHARE * x["population"] or abs(a["lat"] - x["lat"]) > dlat:
                continue
            theirs = county[a["geonameid"]]
            if own and theirs and theirs != own:
                continue
            if x["population"] < METROPOLIS and not fold(a["name"]).startswith(fold(x["name"]) + " "):
                continue
            if distance_km(a["lat"], a["lon"], x["lat"], x["lon"]) <= radius:
                found.add(a["geonameid"])
        if found:
            direct[x["geonameid"]] = found
    return direct


def _keep_nested_claims(direct: dict[int, set[int]], population: dict[int, int]) -> None:
    """A place claimed by two cities that are not one within the other (the Louvre's district by
    Paris and by Montreuil, 8 km away) stays only in the bigger one."""
    claims: dict[int, set[int]] = collections.defaultdict(set)
    for city_id, found in direct.items():
        for part in found:
            claims[part].add(city_id)
    for part, cities in claims.items():
        for x in cities:
            if any(population[y] > population[x] and x not in direct[y] for y in cities):
                direct[x].discard(part)


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
        record["extra"],
        str(record.get("within", "")),
    ]
    return ("\t".join(field.replace("\t", " ") for field in fields) + "\n").encode("utf-8")


def write_places(records: list[dict], header: str) -> tuple[bytes, list[tuple[dict, int]]]:
    """places.tsv content and (record, byte offset) of every line."""
    chunks, placed, offset = [header.encode("utf-8")], [], len(header.encode("utf-8"))
    offsets: dict[int, int] = {}
    for record in records:
        parent = record["parent_record"]
        line = _line(record, offsets.get(id(parent)) if parent is not None else None)
        offsets[id(record)] = offset
        placed.append((record, offset))
        chunks.append(line)
        offset += len(line)
    return b"".join(chunks), placed


def write_names(placed: list[tuple[dict, int]], header: str) -> bytes:
    entries: dict[str, dict[int, float]] = collections.defaultdict(dict)
    for record, offset in placed:
        score = record["population"] * WEIGHT[record["kind"]]
        for name in record["names"]:
            weight = 1.0 if name in record["own_names"] else ALTERNATE_NAME_WEIGHT
            for folded in folded_variants(name):
                entries[folded][offset] = max(entries[folded].get(offset, 0.0), score * weight)
    lines = [header.encode("utf-8")]
    for folded in sorted(entries, key=lambda k: k.encode("utf-8")):
        ranked = sorted(entries[folded].items(), key=lambda item: (-item[1], item[0]))
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
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    print(f"building the offline place index in {folder} from GeoNames data (once, a few seconds)", file=sys.stderr)
    source = read_source()
    all_cities = city_records(source["C"])
    countries = country_records(source["K"], all_cities)
    continents = continent_records(countries)
    regions = region_records(source["R"], all_cities)
    cities = sorted((c for c in all_cities if c["country"] in countries), key=lambda c: c["geonameid"])
    parts = parts_of(cities)
    population = {city["geonameid"]: city["population"] for city in cities}
    within: dict[int, int] = {}
    for city_id, found in parts.items():
        for part in found:
            if part not in within or population[city_id] > population[within[part]]:
                within[part] = city_id
    for city in cities:
        city["extra"] = ",".join(map(str, parts.get(city["geonameid"], ())))
        city["within"] = within.get(city["geonameid"], "")
    link_parents(countries, regions, cities)
    header = "# places for plvm_photos.places.geocode, generated by build_index.py; GeoNames CC BY 4.0\n"
    records = [*continents.values(), *countries.values(), *regions.values(), *cities]
    places_bytes, placed = write_places(records, header)
    names_bytes = write_names(placed, "!names for plvm_photos.places.geocode, generated by build_index.py\n")
    try:
        _write(folder / PLACES_FILE, places_bytes)
        _write(folder / NAMES_FILE, names_bytes)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    return {"continents": len(continents), "countries": len(countries), "regions": len(regions), "cities": len(cities),
            "places_bytes": len(places_bytes), "names_bytes": len(names_bytes)}


def _unwritable(folder: Path, exc: OSError) -> LibraryError:
    return LibraryError(f"cannot write the offline place index in {folder} ({exc.strerror}); "
                        "set PLVM_PLACES_DIR to a folder you can write")


def _write(path: Path, content: bytes) -> None:
    from plvm_photos.user_cache import write_atomically

    write_atomically(path, lambda temporary: Path(temporary).write_bytes(content))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="the folder (default: where geocode reads it)")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out or index_dir())))


if __name__ == "__main__":
    main()
