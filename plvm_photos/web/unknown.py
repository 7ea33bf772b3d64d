"""The faces worth naming, as dense grids to choose many from: every unknown face, grouped
(clusters largest first, then the faces alone), paged, in one form (name the faces chosen, or mark
them not a face or hidden: one action, one undo); and the suggestions "is this <mike>?", chosen
many at a time and accepted or refused at once.

Each face is a checkbox in the form, so choosing and sending work without JavaScript;
``/static/select.js`` adds shift-click ranges, arrow keys, Enter, "choose all" per group and the
count of faces chosen.
"""

from __future__ import annotations

import math
import os

from plvm_photos.library import MARK_WORDS, Library
from plvm_photos.names import show
from plvm_photos.web.layout import NO_FORMS, PageContext, hidden_fields, page, pager, plural
from plvm_photos.web.markup import EMPTY, Html, when

FACES_PER_PAGE = 240  # faces on one page of unknown faces (whole groups; a larger group is shown whole)
SUGGESTIONS_PER_PAGE = 120


def _face_tile(region_id: int, photo_id: int, path: str, field: str, value: str, label: str) -> Html:
    """One face to choose: a checkbox with the face crop as its label, and a link to its photo."""
    name = os.path.basename(path) or f"photo {photo_id}"
    return Html(
        "<li class=pick><input type=checkbox name={field} value='{value}' id=pick-{region} class=pick-box>"
        "<label for=pick-{region} title='{path}'><img src='/region/{region}.jpg' alt='{label} in {name}' loading=lazy "
        "width=80 height=80></label><a class=open href='/photo/{photo}' aria-label='open {name}'>↗</a></li>"
    ).format(field=field, value=value, region=region_id, path=path, label=label, name=name, photo=photo_id)


def _bar(ctx: PageContext, ident: str, buttons: Html) -> Html:
    """The form's toolbar: what is done with the faces chosen."""
    return Html("<div class=bar id={ident} role=group aria-label='With the faces chosen'>"
                "<span class=chosen aria-live=polite>Choose faces, then:</span>{buttons}</div>").format(ident=ident,
                                                                                                       buttons=buttons)


def _pick_form(ctx: PageContext, action: str, bar: str, buttons: Html, grid: Html) -> Html:
    """The grid as one form of checkboxes with its toolbar: it works without JavaScript, and
    ``select.js`` adds ranges, keys and counts."""
    return Html("<form method=post action='{}' id=pick-form class=picker>{}{}{}</form>"
                "<script src='/static/select.js' defer></script>").format(action, hidden_fields(ctx), _bar(ctx, bar, buttons),
                                                                          grid)


def _pages(clusters: list[list[int]], tail: int, page_no: int) -> tuple[list[tuple[int, list[int]]], slice, int, int]:
    """Whole clusters, then the ``tail`` faces alone one by one, on pages of about FACES_PER_PAGE
    faces: (the clusters of page ``page_no`` with their numbers, its slice of the tail, that page,
    the number of pages). Faces alone are counted, not listed: there may be 96 000 of them."""
    pages: list[list[tuple[int, list[int]]]] = [[]]
    count = 0
    for k, faces in enumerate(clusters, start=1):
        if pages[-1] and count + len(faces) > FACES_PER_PAGE:
            pages.append([])
            count = 0
        pages[-1].append((k, faces))
        count += len(faces)
    room = FACES_PER_PAGE - count if pages[-1] and count < FACES_PER_PAGE else (0 if pages[-1] else FACES_PER_PAGE)
    more = max(0, tail - room)
    total = len(pages) + (more + FACES_PER_PAGE - 1) // FACES_PER_PAGE
    page_no = min(max(page_no, 1), total)
    if page_no < len(pages):
        return pages[page_no - 1], slice(0, 0), page_no, total
    if page_no == len(pages):
        return pages[-1], slice(0, min(room, tail)), page_no, total
    start = room + (page_no - len(pages) - 1) * FACES_PER_PAGE
    return [], slice(start, min(start + FACES_PER_PAGE, tail)), page_no, total


def _tiles(faces: dict, region_ids: list[int]) -> Html:
    return EMPTY.join(_face_tile(f.region_id, f.photo_id, f.path, "region", str(f.region_id), "unknown face")
                      for f in (faces[r] for r in region_ids if r in faces))


def _grouping_line(found) -> Html:
    """What the page says while the faces are clustered in the background."""
    if found.failed:
        return Html("<p class=muted id=grouping>Grouping the faces failed ({}); reload to try again.</p>").format(
            found.failed)
    if not found.grouping:
        return EMPTY
    return Html("<p class=muted id=grouping>grouping {} faces in the background; reload in a minute</p>").format(
        f"{found.unknown_faces:,}".replace(",", "\u202f"))


def unknown_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    found = library.unknown_groups()
    shown, tail, page_no, pages = _pages(found.clusters, len(found.singles) + len(found.not_grouped), page_no)
    alone = found.singles[tail]
    new_faces = found.not_grouped[max(0, tail.start - len(found.singles)) : max(0, tail.stop - len(found.singles))]
    faces = library.unknown_faces([r for _, ids in shown for r in ids] + alone + new_faces)
    sections = [Html("<section class=group id=group-{k} data-size={n} aria-labelledby=group-{k}-head>"
                     "<h2 id=group-{k}-head>{n} faces that look alike</h2><ul class=picks>{tiles}</ul></section>")
                .format(k=k, n=len(ids), tiles=_tiles(faces, ids)) for k, ids in shown]
    for ident, title, ids in (("alone", "alone", alone), ("new", "not grouped yet", new_faces)):
        if ids:
            sections.append(Html("<section class=group id={ident} data-size={n} aria-labelledby={ident}-head>"
                                 "<h2 id={ident}-head>{n} faces {title}</h2><ul class=picks>{tiles}</ul></section>")
                            .format(ident=ident, n=len(ids), title=title, tiles=_tiles(faces, ids)))
    nav = pager("/unknown", page_no, pages)
    grid = EMPTY.join(sections) if sections else Html("<p class=muted>No unknown faces.</p>")
    if ctx.forms and sections:
        buttons = Html(
            "<input type=text name=name maxlength=64 list=people placeholder='&lt;name&gt;' aria-label='Name of the "
            "faces chosen'><button type=submit name=op value=name class=primary>Name</button>"
            "<button type=submit name=op value=not_a_face>Not a face</button>"
            "<button type=submit name=op value=hidden>Hide</button>")
        grid = _pick_form(ctx, "/action/faces", "faces-bar", buttons, grid)
    new = Html(", {} not grouped yet").format(len(found.not_grouped)) if found.not_grouped else EMPTY
    body = Html(
        "<h1>Unknown faces</h1><p class=muted id=unknown-summary>{faces} match no registered person: {groups} of "
        "faces that look alike (largest first), {alone} alone{new}. Choose faces (click, shift-click for a range, or "
        "the keyboard: Tab, arrows, Space), then name them, or mark them not a face or hidden, at once. Naming "
        "confirms the faces, and the person is looked for in every other photo. <a href='/suggestions'>Suggestions</a> "
        "are faces just too far from someone to be decided theirs. Faces hidden or marked not a face are on <a "
        "href='/hidden'>Hidden faces</a>.</p>{grouping}{nav}{grid}{nav}"
    ).format(faces=plural(found.unknown_faces, "face"), groups=plural(len(found.clusters), "group"),
             alone=len(found.singles), new=new, grouping=_grouping_line(found), nav=nav, grid=grid)
    return page("Unknown faces", body, ctx=ctx)


def hidden_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    """The faces marked not a face or hidden, newest first, each to choose and show again (they
    become unknown faces again): a mark taken back without undoing what was done since."""
    marked = library.marked_faces()
    pages = max(1, math.ceil(len(marked) / FACES_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    shown = marked[(page_no - 1) * FACES_PER_PAGE : page_no * FACES_PER_PAGE]
    sections = []
    for mark, words in MARK_WORDS.items():
        title = words.capitalize()
        faces = [f for f in shown if f.mark == mark]
        if faces:
            tiles = EMPTY.join(_face_tile(f.region_id, f.photo_id, f.path, "region", str(f.region_id),
                                          "face marked " + words) for f in faces)
            sections.append(Html("<section class=group id=marked-{mark} data-size={n} aria-labelledby=marked-{mark}-head>"
                                 "<h2 id=marked-{mark}-head>{title} <span class=muted>({n})</span></h2>"
                                 "<ul class=picks>{tiles}</ul></section>").format(mark=mark, n=len(faces), title=title,
                                                                                 tiles=tiles))
    nav = pager("/hidden", page_no, pages)
    grid = EMPTY.join(sections) if sections else Html("<p class=muted>No face is marked.</p>")
    if ctx.forms and sections:
        buttons = Html("<button type=submit name=op value=unmark class=primary>Show again</button>")
        grid = _pick_form(ctx, "/action/faces", "hidden-bar", buttons, grid)
    body = Html(
        "<h1>Hidden faces</h1><p class=muted id=hidden-summary>{} marked not a face or hidden, newest first. Choose "
        "faces, then Show again: they are <a href='/unknown'>unknown faces</a> again (a face that was not a face may "
        "be recognised as someone again).</p>{}{}{}"
    ).format(plural(len(marked), "face"), nav, grid, when(pages > 1, nav))
    return page("Hidden faces", body, ctx=ctx)


def suggestions_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    found = library.suggestions()
    pages = max(1, math.ceil(len(found) / SUGGESTIONS_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    first = (page_no - 1) * SUGGESTIONS_PER_PAGE
    shown = found[first : first + SUGGESTIONS_PER_PAGE]
    by_person: dict[int, list] = {}
    for x in shown:  # one group per person, nearest first within it; people by their nearest face
        by_person.setdefault(x.concept_id, []).append(x)
    sections = []
    for cid, items in by_person.items():
        name = show(items[0].person)
        tiles = EMPTY.join(_face_tile(x.region_id, x.photo_id, x.path, "pick", f"{x.region_id}:{x.concept_id}",
                                      f"is this {name}? (distance {x.distance:.3f})") for x in items)
        sections.append(Html(
            "<section class=group id=suggest-{cid} data-size={n} aria-labelledby=suggest-{cid}-head>"
            "<h2 id=suggest-{cid}-head><img class=ref src='/face/{cid}.jpg' alt='' width=40 height=40> Is this {name}? "
            "<span class=muted>({n})</span></h2><ul class=picks>{tiles}</ul></section>"
        ).format(cid=cid, n=len(items), name=name, tiles=tiles))
    nav = pager("/suggestions", page_no, pages)
    grid = EMPTY.join(sections) if sections else Html("<p class=muted>No suggestions now.</p>")
    if ctx.forms and sections:
        buttons = Html("<button type=submit name=op value=yes class=primary>Yes, it is them</button>"
                       "<button type=submit name=op value=no class=danger>No, not them</button>")
        grid = _pick_form(ctx, "/action/suggestions", "suggestions-bar", buttons, grid)
    body = Html(
        "<h1>Suggestions</h1><p class=muted>{} just too far from someone to be decided theirs, nearest first. Choose "
        "faces, then Yes confirms them; No remembers that they are not that person.</p>{}{}{}"
    ).format(plural(len(found), "face"), nav, grid, when(pages > 1, nav))
    return page("Suggestions", body, ctx=ctx)
