"""Which of several places of one name a question means: the one the library has photos in.

The parser reads "in Pasadena" as the most populous Pasadena (Texas) and keeps the others as
``PlaceFilter.alternatives``; it never reads the database. Where the chosen place holds none of
the library's photos and another place of that name does, the question means that one (the
user's photos are in Pasadena, California): the answer names the place it used, and the others
stay listed as alternatives, so nothing is chosen silently.
"""

from __future__ import annotations

from dataclasses import replace

from plvm_photos.ask.query import AllPlaces, AnyPlace, NotPlace, PlaceFilter
from plvm_photos.ask.reader import Reader
from plvm_photos.ask.selection import CURRENT, place_sql


def _has_photos(db: Reader, place: PlaceFilter) -> bool:
    found = place_sql(db, place)
    return db.value(f"SELECT 1 FROM photos WHERE {CURRENT} AND {found.text} LIMIT 1", [False, *found.params]) is not None


def _chosen(db: Reader, place: PlaceFilter) -> PlaceFilter:
    if place.relation != "in" or not place.alternatives or _has_photos(db, place):
        return place
    for k, other in enumerate(place.alternatives):
        candidate = PlaceFilter("in", other, None, ())
        if _has_photos(db, candidate):
            rest = (place.place, *place.alternatives[:k], *place.alternatives[k + 1 :])
            return PlaceFilter("in", other, None, rest)
    return place


def with_places_photographed(db: Reader, place):
    """``place`` (a query's place part) with each place that has no photo, where another place of
    that name has some, replaced by that one."""
    if isinstance(place, PlaceFilter):
        return _chosen(db, place)
    if isinstance(place, (AnyPlace, AllPlaces)):
        return replace(place, items=tuple(with_places_photographed(db, item) for item in place.items))
    if isinstance(place, NotPlace):
        return replace(place, item=with_places_photographed(db, place.item))
    return place
