"""The gallery's pages about people, photos and questions: each reads through the ``Library`` API
and builds its HTML with ``markup`` (boxes as inline SVG). Each page carries the forms of the
corrections it offers (see ``actions.py``); built outside a request (``NO_FORMS``) it has none.
The unknown-face and suggestion pages are in ``unknown.py``; the building blocks in ``layout.py``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import quote, urlencode

from plvm_photos.errors import LibraryError
from plvm_photos.library import MARK_WORDS, Library, PersonFacts, PhotoFace
from plvm_photos.names import normalize, show
from plvm_photos.web.layout import (
    NO_FORMS,
    BoxLabel,
    PageContext,
    Tile,
    action_form,
    name_input,
    page,
    pager,
    photo_figure,
    plural,
    tile_grid,
)
from plvm_photos.web import photo_nav
from plvm_photos.web.markup import EMPTY, Html, when
from plvm_photos.web.timeline_pages import from_query, photo_note, taken_words


# --- people -----------------------------------------------------------------------------------------
def people_page(library: Library, ctx: PageContext = NO_FORMS, show_hidden: bool = False) -> Html:
    people = library.people(hidden=True)
    hidden = [p for p in people if p.hidden]
    shown = people if show_hidden else [p for p in people if not p.hidden]
    cards = [
        Html("<a class='card person' href='/person/{id}'><img src='/face/{id}.jpg' alt='{name}' loading=lazy>"
             "<div class=meta><div class=name>{name}</div><span class=count>{photos}</span>{hidden}</div></a>").format(
            id=p.id, name=show(p.name), photos=plural(p.photos, "photo"),
            hidden=when(p.hidden, Html(" <span class=muted>(hidden)</span>")))
        for p in shown
    ]
    note = EMPTY
    if hidden and not show_hidden:
        count = "1 hidden person" if len(hidden) == 1 else f"{len(hidden)} hidden people"
        note = Html("<p class=muted>{}: <a href='/?hidden=1' id=show-hidden>show them</a></p>").format(count)
    elif show_hidden and hidden:
        note = Html("<p class=muted><a href='/'>hide the hidden people again</a></p>")
    if not cards:
        body = Html("<h1>People</h1><p class=muted>No people yet: name a face on the <a href='/unknown'>unknown faces</a> "
                    "page, or register one with <code>plvm-photos add-person</code>.</p>") + note
    else:
        body = Html("<h1>People <span class=muted>({})</span></h1>{}<div class=grid>{}</div>").format(
            len(cards), note, EMPTY.join(cards))
    return page("People", body, ctx=ctx)


PHOTOS_PER_PAGE = 60  # of a person's photos, by date
OFTEN_WITH_SHOWN = 12


@dataclass(frozen=True)
class PersonFilter:
    """Which of a person's photos the page lists: with someone, in a year, at a place (or all)."""

    with_id: int | None = None
    year: int | None = None
    place: str | None = None

    def query(self) -> str:
        parts = [(k, v) for k, v in (("with", self.with_id), ("year", self.year), ("place", self.place)) if v is not None]
        return urlencode(parts)


def _chips(person_id: int, label: str, ident: str, items: Html) -> Html:
    return Html("<section class=story aria-labelledby={ident}-head><h2 id={ident}-head>{label}</h2>"
                "<ul class=chips id={ident}>{items}</ul></section>").format(ident=ident, label=label, items=items)


def _current(on: bool) -> Html:
    return when(on, Html(" aria-current=page"))


def _story(library: Library, facts: PersonFacts, chosen: PersonFilter) -> Html:
    """The person's years, places, often with, first and latest photo: each a link to its photos."""
    pid = facts.id
    moments = EMPTY
    for word, m in (("First photo", facts.first), ("Latest photo", facts.latest)):
        if m is not None:
            moments += Html("<li><span class=muted>{}:</span> <a href='/photo/{}'>{}</a>{}</li>").format(
                word, m.photo_id, taken_words(m.taken).split(",")[0], when(m.place, Html(" <span class=muted>in {}</span>")
                                                                           .format(m.place or "")))
    years = EMPTY.join(Html("<li><a href='/person/{}?{}'{}>{} <span class=n>{}</span></a></li>").format(
        pid, urlencode({"year": t.key}), _current(str(chosen.year) == t.key), t.label, t.photos) for t in facts.years)
    places = EMPTY.join(Html("<li><a href='/person/{}?{}'{}>{} <span class=n>{}</span></a></li>").format(
        pid, urlencode({"place": t.key}), _current(chosen.place == t.key), t.label, t.photos) for t in facts.places)
    companions = EMPTY.join(
        Html("<li><a class=companion href='/person/{pid}?{q}'{current} title='photos of {me} with {name}'>"
             "<img src='/face/{other}.jpg' alt='' loading=lazy width=48 height=48><span>{name}</span>"
             "<span class=n aria-label='{n} photos together'>{n}</span></a></li>").format(
            pid=pid, q=urlencode({"with": t.key}), current=_current(str(chosen.with_id) == t.key), other=t.key,
            name=t.label, me=show(facts.name), n=t.photos)
        for t in facts.often_with[:OFTEN_WITH_SHOWN])
    more = when(len(facts.often_with) > OFTEN_WITH_SHOWN,
                Html("<li class=muted>and {} more</li>").format(len(facts.often_with) - OFTEN_WITH_SHOWN))
    notes = []
    if facts.undated:
        notes.append(f"{plural(facts.undated, 'photo')} without a date")
    if facts.unplaced:
        notes.append(f"{plural(facts.unplaced, 'photo')} without a GPS position")
    out = when(moments, Html("<ul class=moments id=moments>{}</ul>").format(moments))
    if facts.often_with:
        out += _chips(pid, "Often with", "often-with", companions + more)
    if facts.years:
        out += _chips(pid, "Years", "years", years)
    if facts.places:
        out += _chips(pid, "Places", "places", places)
    return out + when(notes, Html("<p class=muted>{}</p>").format("; ".join(notes)))


def person_page(library: Library, person_id: int, ctx: PageContext = NO_FORMS, page_no: int = 1,
                chosen: PersonFilter = PersonFilter()) -> Html:
    """KeyError when there is no such person (or no person ``chosen.with_id``)."""
    def page_of(n: int):
        return library.person_view(person_id, (n - 1) * PHOTOS_PER_PAGE, PHOTOS_PER_PAGE, True, chosen.with_id,
                                   chosen.year, chosen.place)

    page_no = max(page_no, 1)
    facts, found = page_of(page_no)
    name = facts.name
    total, pages = found.total, max(1, math.ceil(found.total / PHOTOS_PER_PAGE))
    if page_no > pages:  # past the end: the last page
        page_no = pages
        facts, found = page_of(page_no)
    shown = found.photos
    tools = EMPTY
    if ctx.forms:
        others = [p.display for p in library.person_names() if p.id != person_id]
        merge = EMPTY
        if others:
            options = EMPTY.join(Html("<option value='{}'>{}</option>").format(o, show(o)) for o in others)
            merge = action_form(ctx, "merge", "Merge into this person", css="danger",
                                fields=Html("<select name=other aria-label='Person to merge'>{}</select>").format(options),
                                keep=name)
        tools = Html("<details class=tools><summary>Edit this person</summary>{}{}{}{}</details>").format(
            action_form(ctx, "rename", "Rename", name_input("New name", name, suggest=False), person=name),
            action_form(ctx, "hide", "Show in lists again" if facts.hidden else "Hide", person=name,
                        hidden="0" if facts.hidden else "1"),
            action_form(ctx, "remove", "Remove this person", css="danger", person=name),
            merge)
    summary = (f"{plural(facts.photos, 'photo')} · {plural(facts.references, 'reference photo')}, "
               f"{plural(facts.confirmed, 'confirmed face')}" + (" · hidden: recognised, not listed" if facts.hidden else ""))
    heading = "All photos, newest first"
    filtered = chosen != PersonFilter()
    if filtered:
        parts = []
        if chosen.with_id is not None:
            # the companion's name only: their whole story (library.person) cost a tenth of a second
            companion = next((p for p in library.person_names() if p.id == chosen.with_id), None)
            if companion is None:
                raise KeyError(f"no person {chosen.with_id}")
            parts.append(f"with {show(companion.display)}")
        if chosen.year is not None:
            parts.append(f"in {chosen.year}")
        if chosen.place is not None:
            parts.append(f"in {chosen.place}")
        heading = f"Photos of {show(name)} {' '.join(parts)}"
    groups = EMPTY
    for year, tiles in groupby(shown, key=lambda p: p.taken[:4] if p.taken else "No date"):
        cards = [Tile(p.photo_id, p.path, p.width, p.height, [BoxLabel(p.box, show(name), "person")] if p.box else [],
                      note=photo_note(p.taken, p.place)) for p in tiles]
        groups += Html("<h3>{}</h3>{}").format(year, tile_grid(cards, from_query(f"person:{person_id}")))
    base = f"/person/{person_id}" + (f"?{chosen.query()}" if filtered else "")
    nav = pager(base, page_no, pages)
    listing = Html("<section aria-labelledby=photos-head><h2 id=photos-head>{} <span class=muted>({})</span></h2>{}{}{}{}"
                   "</section>").format(
        heading, plural(total, "photo"),
        when(filtered, Html("<p><a href='/person/{}' id=all-photos>← all photos of {}</a></p>").format(person_id, show(name))),
        nav, groups if shown else Html("<p class=muted>Not found in any photo yet.</p>"), nav)
    body = Html("<div class=person-head><img class=cover src='/face/{id}.jpg' alt='{name}' width=96 height=96>"
                "<div><h1>{name}</h1><p class=muted id=person-facts>{summary}</p></div></div>{tools}{story}{listing}").format(
        id=person_id, name=show(name), summary=summary, tools=tools, story=_story(library, facts, chosen), listing=listing)
    return page(show(name), body, ctx=ctx)


# --- one photo --------------------------------------------------------------------------------------
def _face_actions(ctx: PageContext, photo_id: int, face: PhotoFace) -> Html:
    if not ctx.forms:
        return EMPTY
    out = action_form(ctx, "name", "Name" if face.person is None else "It is", name_input(), "primary",
                      region=face.region_id)
    if face.person is not None:
        out += action_form(ctx, "reject", f"Not {show(face.person)}", css="danger", photo=photo_id,
                           region=face.region_id, person=face.person)
        out += action_form(ctx, "reference", "Add as reference", region=face.region_id, person=face.person)
        out += action_form(ctx, "reference", "Make the only reference", region=face.region_id, person=face.person,
                           replace="1")
    return out


def draw_form(ctx: PageContext, photo_id: int, width: int, height: int) -> Html:
    """Four number fields for the box of a face the detector missed; ``/static/draw.js`` fills
    them by dragging on the photo, and without it they are typed."""
    if not ctx.forms:
        return EMPTY
    fields = EMPTY.join(
        Html("<label>{label} <input type=number name={name} id=draw-{name} required min=0 max={limit} step=1></label>")
        .format(label=label, name=name, limit=limit)
        for name, label, limit in (("left", "left", width), ("top", "top", height), ("right", "right", width),
                                   ("bottom", "bottom", height))
    )
    return Html(
        "<div class=tools id=draw><b>Add a face the detector missed</b> "
        "<span class=muted>(drag a box on the photo, or type its pixels)</span><br>"
        "{}</div><script src='/static/draw.js' defer></script>"
    ).format(action_form(ctx, "draw", "Add face", fields + name_input(), "primary", photo=photo_id))


def photo_page(library: Library, photo_id: int, ctx: PageContext = NO_FORMS, from_list: str = "") -> Html:
    """KeyError when there is no such photo, PhotoNotAnalysed when it could not be analysed.
    ``from_list``: the list it was opened from (``photo_nav``), for previous and next."""
    photo = library.photo_faces(photo_id)
    video = photo.kind == "video"
    path = photo.files[0] if photo.files else ""
    # A video's faces come from frames all over the clip: they are listed with their times, not
    # boxed on its poster frame.
    boxes = [] if video else [BoxLabel(f.box, show(f.person) if f.person else f"face {f.number}",
                                       "known" if f.person else "unknown") for f in photo.faces]
    tile = Tile(photo_id, path, photo.width, photo.height, boxes, photo.caption)

    def num(value) -> str:
        return "" if value is None else f"{value:.3f}"

    def who(f: PhotoFace) -> Html:
        if f.person is None:
            if f.mark is not None:  # shown again from the hidden faces' page
                return Html("<span class=muted>{}</span> <a href='/hidden'>hidden faces</a>").format(MARK_WORDS[f.mark])
            return Html("<span class=muted>unknown</span>")
        return Html("{}{}{}").format(
            show(f.person), when(f.confirmed, Html(" <span class=muted title='confirmed by you'>✓ confirmed</span>")),
            when(f.drawn, Html(" <span class=muted>(drawn)</span>")))

    rows = EMPTY.join(
        Html("<tr data-region='{}'><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td>"
             "<td>{}</td><td>{}</td></tr>").format(
            f.region_id, f.number, who(f), when(video, Html("<td class=seen>{}</td>").format(f.seen)),
            num(f.score), num(f.distance), list(f.box), f.detector, ", ".join(show(n) for n in f.rejected),
            _face_actions(ctx, photo_id, f))
        for f in photo.faces
    )
    video_note = when(video, Html("<p class=muted id=video-facts>A video: its poster frame is shown; each face was "
                                  "followed through the clip's sampled frames and is listed with the times it is seen.</p>"))
    people = photo_nav.people_words(photo)
    stored = when(photo.caption and photo.caption != people,
                  Html("<p class=stored-caption><b>Caption:</b> {}</p>").format(photo.caption))
    body = Html(
        "{stepper}<h1>{title}</h1>{facts}<p class=caption><b>People:</b> {caption}</p>{stored}{video_note}"
        "<div class=big>{figure}</div>"
        "<table class=regions><tr><th>#</th><th>person</th>{seen_head}<th>score</th><th>distance</th>"
        "<th>box (l, t, r, b)</th><th>detector</th><th>rejected</th><th></th></tr>{rows}</table>"
        "{draw}<p class=muted>{faces} face(s), {width}×{height} px. Files: {files}</p>"
    ).format(stepper=photo_nav.stepper(photo_nav.neighbours_of(library, photo_id, from_list)),
             facts=photo_nav.facts_line(library, photo_id), stored=stored,
             title=os.path.basename(path) or f"photo {photo_id}", caption=people or photo.caption or "no caption",
             video_note=video_note, figure=photo_figure(tile, "large", "photo"),
             seen_head=when(video, Html("<th>seen at</th>")), rows=rows,
             draw=draw_form(ctx, photo_id, photo.width, photo.height), faces=len(photo.faces), width=photo.width,
             height=photo.height, files="; ".join(photo.files) or "none present")
    return page(os.path.basename(path) or "photo", body, ctx=ctx)


# --- questions ----------------------------------------------------------------------------------------
def ask_page(library: Library, question: str, ctx: PageContext = NO_FORMS, sort: str = "") -> Html:
    """The answer as a sentence, how the question was understood, and the photos as a gallery
    with the people in each boxed (those asked about stand out), each with its date and place,
    as answered or by date (``sort``: newest, oldest); a refusal is a message."""
    sort = sort if sort in photo_nav.SORTS else ""
    if not question.strip():
        return page("Ask", Html("<h1>Ask</h1><p class=muted>Type a question such as <code>where is &lt;mike&gt;?</code>, "
                                "<code>photos of &lt;mike&gt; and &lt;anna&gt; in 2019</code> or "
                                "<code>who is in beach.jpg?</code></p>"), ctx=ctx)
    try:
        answer = library.ask(question)
    except (LibraryError, ValueError) as exc:  # a refused question too (QuestionError): a message, not a 500
        return page("Ask", Html("<h1>Ask</h1><p class=error id=refusal>{}</p>").format(exc), question, ctx)
    found = library.photos_by_path([p.path for p in answer.photos])
    asked = {normalize(name) for name in (answer.query or {}).get("names", [])}
    tiles = []
    for p in photo_nav.sorted_answer(answer.photos, sort):
        at = found.get(p.path)
        if at is None:
            continue
        boxes = [
            BoxLabel(tuple(box), show(name), "person" if normalize(name) in asked else "known")
            for name, box in p.regions.items()
            if len(box) == 4 and p.kind != "video"  # a video's faces are from frames other than its poster
        ]
        caption = p.caption if p.kind != "video" else "; ".join(f"{show(n)}{p.times([n])}" for n in p.people)
        tiles.append(Tile(at.photo_id, p.path, at.width, at.height, boxes, caption, photo_note(p.taken, p.place)))
    sentence = answer.answer.split("\n", 1)[0].rstrip(":")
    understood = when(answer.understood, Html("<p class='muted understood' id=understood>Understood as: {}</p>")
                      .format(answer.understood))
    sorts = when(len(tiles) > 1, Html("<nav class=sort aria-label='Order of the photos'>Order: {}</nav>").format(
        Html(" · ").join(
            Html("<a href='/ask?q={}{}'{}>{}</a>").format(
                quote(question), f"&sort={key}" if key else "", Html(" aria-current=true") if key == sort else EMPTY, label)
            for key, label in photo_nav.SORTS.items())))
    counted = when(tiles, Html("<p class=muted>{}</p>").format(plural(len(tiles), "photo")))  # not "0 photos" under a ranking
    body = Html("<h1>Ask</h1><p class=answer id=answer>{}</p>{}{}{}{}").format(
        sentence, understood, counted, sorts, tile_grid(tiles, photo_nav.from_query(photo_nav.ask_key(sort, question))))
    return page("Ask", body, question, ctx)
