"""The timeline (years and months, newest first, with their counts) and the page of one list of
photos (a month, a year, a city, a country, the photos without a date or a place), paged. Each
photo links to its page with the list it was opened from (``?from=KEY``), so the photo page steps
through that list."""

from __future__ import annotations

import math
from urllib.parse import quote

from plvm_photos.library import Library, ListedPhoto, PhotoList
from plvm_photos.web.layout import NO_FORMS, PageContext, Tile, page, pager, plural, tile_grid
from plvm_photos.web.markup import EMPTY, Html, when

PER_PAGE = 60
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def timeline_page(library: Library, ctx: PageContext = NO_FORMS) -> Html:
    found = library.timeline()
    sections = []
    for year in found.years:
        months = EMPTY.join(
            Html("<li><a href='/photos?list={key}' aria-label='{name}: {count}'>{short}<span class=n>{n}</span></a></li>")
            .format(key=m.key, name=m.name, count=plural(m.photos, "photo"), short=MONTHS_SHORT[m.month - 1], n=m.photos)
            for m in year.months)
        sections.append(Html("<section class=year id=year-{y}><h2><a href='/photos?list={key}'>{y}</a> "
                             "<span class=muted>{count}</span></h2><ul class=chips>{months}</ul></section>").format(
            y=year.year, key=year.key, count=plural(year.photos, "photo"), months=months))
    undated = when(found.undated, Html("<section id=undated><h2><a href='/photos?list=undated'>No date</a> "
                                       "<span class=muted>{}</span></h2><p class=muted>Photos whose camera recorded no "
                                       "date (a file's modification time is not taken as one).</p></section>")
                   .format(plural(found.undated, "photo")))
    if not sections and not found.undated:
        body = Html("<h1>Timeline</h1><p class=muted>No photos yet: scan a folder with <code>plvm-photos scan</code>.</p>")
    else:
        body = Html("<h1>Timeline</h1><p class=muted id=timeline-summary>{} by the date the camera recorded, newest "
                    "first{}.</p>{}{}").format(
            plural(found.dated, "photo"), f"; {found.undated} without a date" if found.undated else "",
            EMPTY.join(sections), undated)
    return page("Timeline", body, ctx=ctx)


def taken_words(taken: str | None) -> str:
    """"7 March 2020, 12:00" from an ISO date-time; "" without one."""
    if not taken:
        return ""
    from plvm_photos.reads.photo_lists import MONTH_NAMES

    day = f"{int(taken[8:10])} {MONTH_NAMES[int(taken[5:7]) - 1]} {taken[:4]}"
    return f"{day}, {taken[11:16]}" if len(taken) >= 16 else day


def short_place(place: str | None) -> str:
    """"Kyoto, Japan" from "Kyoto, Kyoto, Japan": the city and the country."""
    if not place:
        return ""
    parts = place.split(", ")
    return ", ".join(dict.fromkeys((parts[0], parts[-1])))


def photo_note(taken: str | None, place: str | None) -> str:
    """The line under a photo's name: "7 March 2020 · Kyoto, Japan" ("no date" without one)."""
    day = taken_words(taken).split(",")[0] if taken else "no date"
    return " · ".join(part for part in (day, short_place(place)) if part)


def listed_tiles(photos: list[ListedPhoto]) -> list[Tile]:
    return [Tile(p.photo_id, p.path, p.width, p.height, [], p.caption, photo_note(p.taken, p.place)) for p in photos]


def from_query(key: str) -> str:
    return f"?from={quote(key, safe=':')}"


def _crumbs(plist: PhotoList) -> Html:
    if plist.kind == "month":
        year = plist.key[6:10]
        return Html("<p class=crumbs><a href='/timeline'>Timeline</a> › <a href='/photos?list=year:{}'>{}</a></p>").format(
            year, year)
    if plist.kind in ("year", "undated", "all"):
        return Html("<p class=crumbs><a href='/timeline'>Timeline</a></p>")
    return Html("<p class=crumbs><a href='/places'>Places</a></p>")


def list_page(library: Library, key: str, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    """KeyError when ``key`` names no list."""
    plist = library.photo_list(key)
    page_no = max(page_no, 1)
    found = library.list_page(plist, (page_no - 1) * PER_PAGE, PER_PAGE)
    pages = max(1, math.ceil(found.total / PER_PAGE))
    if page_no > pages:  # past the end: the last page
        page_no = pages
        found = library.list_page(plist, (page_no - 1) * PER_PAGE, PER_PAGE)
    nav = pager(f"/photos?list={quote(plist.key, safe=':')}", page_no, pages)
    grid = tile_grid(listed_tiles(found.photos), from_query(plist.key)) if found.photos else Html(
        "<p class=muted>No photos.</p>")
    body = Html("{crumbs}<h1>{title} <span class=muted>({count})</span></h1>{nav}{grid}{nav}").format(
        crumbs=_crumbs(plist), title=plist.title, count=plural(found.total, "photo"), nav=nav, grid=grid)
    return page(plist.title, body, ctx=ctx)
