"""A place a photo can be taken in, the form place names are compared in, and distances on the
Earth. No imports beyond the standard library: the parser's query model, the geocoder and the
index builder use it."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """A GeoNames city (population >= 15 000), first-level region, country or continent."""

    name: str
    admin1: str  # the region's name ("Île-de-France"); "" for a country or where unknown
    country_code: str  # ISO 3166-1 alpha-2
    country: str
    lat: float
    lon: float
    level: str  # city | region | country | continent
    geonameid: int
    admin1_code: str = ""  # GeoNames admin1 code, unique within the country
    population: int = 0
    parts: tuple[int, ...] = ()  # a city's: the listed places within it (geonameids; build_index)
    countries: tuple[str, ...] = ()  # a continent's: its countries' codes
    within: int | None = None  # a city's: the biggest city it lies within (its geonameid), if any

    def contains(self, place_id: int | None, country_code: str | None, admin1_code: str | None) -> bool:
        """Whether a photo whose reverse-geocoded city is ``place_id`` (in that country and
        region) lies in this place."""
        if self.level == "continent":
            return country_code in self.countries
        if self.level == "country":
            return country_code == self.country_code
        if self.level == "region":
            return (country_code, admin1_code) == (self.country_code, self.admin1_code)
        return place_id is not None and (place_id == self.geonameid or place_id in self.parts)

    def describe(self, level: bool = False) -> str:
        """"Paris (Île-de-France, France)", "California (United States)", "Japan"; with
        ``level``: "the city Paris (Texas, United States)", "the region Tokyo (Japan)"."""
        context = [part for part in (self.admin1 if self.level == "city" else "", self.country) if part and part != self.name]
        text = f"{self.name} ({', '.join(context)})" if context and self.level != "country" else self.name
        return f"the {self.level} {text}" if level else text

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "admin1": self.admin1,
            "admin1_code": self.admin1_code,
            "country_code": self.country_code,
            "country": self.country,
            "lat": self.lat,
            "lon": self.lon,
            "level": self.level,
            "geonameid": self.geonameid,
            "population": self.population,
        }


def named_beside(city: str, part: str) -> bool:
    """Whether a place lying within ``city`` is named beside it where the city's photos take it in
    ("Pasadena" beside Los Angeles): not the city itself, nor a district named after it ("Paris 04")."""
    return bool(part) and part != city and not part.startswith(city + " ")


def city_radius_km(population: int) -> float:
    """How far from a city's centre its parts may lie (``build_index.parts_of``): sqrt(population)
    / 40 km, between 3 and 30 (15 000 people: 3 km, 100 000: 8 km, 1 000 000: 25 km)."""
    return round(min(30.0, max(3.0, population**0.5 / 40)), 1)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on a spherical Earth."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_NOT_DECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "&": " and "})
_NON_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['’`ʻʼ]")


def fold(text: str) -> str:
    """The form names are compared in: casefolded, accents and apostrophes removed, any other
    punctuation a single space ("São Paulo" -> "sao paulo", "Val-d'Or" -> "val dor")."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_NOT_DECOMPOSED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).strip()
