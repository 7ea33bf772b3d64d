"""The places page: a world map drawn offline (inline SVG, no tiles, no requests: an
equirectangular graticule over the cells where the shipped GeoNames data lists a city, a point per
city photographed, sized by its photos), then each country with its cities, each with a count and
a cover photo, each a link to its photos (``/photos?list=city:ID``)."""

from __future__ import annotations

import math

from plvm_photos.library import Library, Places
from plvm_photos.web.layout import NO_FORMS, PageContext, page, plural
from plvm_photos.web.markup import EMPTY, Html, when

CELL = 2.0  # degrees per backdrop cell (``Library.land_cells``)


def world_map(places: Places, land: list[tuple[int, int, int]]) -> Html:
    """An SVG of one unit per degree (x = longitude + 180, y = 90 - latitude), from 84°N to 60°S."""
    cells = EMPTY.join(Html("<rect x='{:g}' y='{:g}' width='{:g}' height='{:g}'/>").format(
        col * CELL, row * CELL, length * CELL, CELL) for row, col, length in land)
    lines = [f"M{x} 0V180" for x in range(0, 361, 30)] + [f"M0 {y}H360" for y in range(0, 181, 30)]
    cities = places.cities
    most = max((c.photos for c in cities), default=1)
    points = EMPTY.join(
        Html("<a href='/photos?list={key}' aria-label='{label}'><circle cx='{x:.2f}' cy='{y:.2f}' r='{r:.2f}'>"
             "<title>{label}</title></circle></a>").format(
            key=c.key, label=f"{c.name}, {c.country}: {plural(c.photos, 'photo')}", x=c.lon + 180, y=90 - c.lat,
            r=1.2 + 3.0 * math.sqrt(c.photos / most))
        for c in sorted(cities, key=lambda c: -c.photos))  # the biggest first: smaller points stay on top
    return Html("<svg class=map id=map viewBox='0 6 360 144' role=group aria-label='World map of the cities "
                "photographed'><g class=land aria-hidden=true>{}</g><path class=grat aria-hidden=true d='{}'/>{}</svg>"
                ).format(cells, " ".join(lines), points)


def _cover(photo_id: int, alt: str) -> Html:
    return Html("<img class=crop src='/thumb/{}.jpg' alt='{}' loading=lazy>").format(photo_id, alt)


def places_page(library: Library, ctx: PageContext = NO_FORMS) -> Html:
    found = library.places()
    unplaced = when(found.unplaced, Html("<p id=unplaced><a href='/photos?list=unplaced'>No location</a> "
                                         "<span class=muted>{}: photos without a GPS position</span></p>")
                    .format(plural(found.unplaced, "photo")))
    if not found.countries:
        body = Html("<h1>Places</h1><p class=muted>No photo has a GPS position yet.</p>") + unplaced
        return page("Places", body, ctx=ctx)
    countries = EMPTY.join(
        Html("<li><a href='/photos?list={}' aria-label='{}: {}'>{}<span class=n>{}</span></a></li>").format(
            c.key, c.name, plural(c.photos, "photo"), c.name, c.photos)
        for c in found.countries)
    cities = EMPTY.join(
        Html("<a class='card place' href='/photos?list={key}'>{cover}<div class=meta><div class=name>{name}</div>"
             "<div class=note>{country}{takes_in}</div><span class=count>{count}</span></div></a>").format(
            key=c.key, cover=_cover(c.cover, f"A photo taken in {c.name}"), name=c.name, country=c.country,
            takes_in=when(c.takes_in, Html("<br>with {}").format(", ".join(c.takes_in))), count=plural(c.photos, "photo"))
        for c in found.cities)
    located = sum(c.photos for c in found.countries)
    body = Html("<h1>Places</h1><p class=muted id=places-summary>{} in {} and {}, by the place their GPS position "
                "is nearest to.</p>{}<h2>Countries</h2><ul class=chips id=countries>{}</ul>"
                "<h2>Cities</h2><div class='grid places' id=cities>{}</div>{}").format(
        plural(located, "photo"), _counted(len(found.countries), "country", "countries"),
        _counted(len(found.cities), "city", "cities"), world_map(found, library.land_cells()), countries, cities,
        unplaced)
    return page("Places", body, ctx=ctx)


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
