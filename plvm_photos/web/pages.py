"""The gallery's pages about people, photos and questions: database queries and server-rendered
HTML (boxes as inline SVG). Each page carries the forms of the corrections it offers (see
``actions.py``); rendered outside a request (``NO_FORMS``) it has none. The unknown-face and
suggestion pages are in ``unknown.py``; the building blocks in ``layout.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from plvm_photos.db.models import Concept, Confirmation, File, Photo, Reference, Region, Rejection, Verdict
from plvm_photos.db.queries import current_photo_ids, photo_paths
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library
from plvm_photos.names import show
from plvm_photos.web.layout import (  # noqa: F401 - readable, esc, page: the server's error pages use them from here
    NO_FORMS,
    Box,
    BoxLabel,
    PageContext,
    Tile,
    action_form,
    esc,
    name_input,
    page,
    photo_figure,
    plural,
    readable,
    tile_grid,
)


# --- people -----------------------------------------------------------------------------------------
def people_page(library: Library, ctx: PageContext = NO_FORMS, show_hidden: bool = False) -> str:
    people = library.people(hidden=True)
    hidden = [p for p in people if p.hidden]
    shown = people if show_hidden else [p for p in people if not p.hidden]
    with library.session() as s:
        concept_ids = dict(s.execute(select(Concept.display, Concept.id)).all())
    cards = [
        f"<a class='card person' href='/person/{concept_ids[p.name]}'>"
        f"<img src='/face/{concept_ids[p.name]}.jpg' alt='{esc(show(p.name))}' loading=lazy>"
        f"<div class=meta><div class=name>{esc(show(p.name))}</div>"
        f"<span class=count>{plural(p.photos, 'photo')}</span>{' <span class=muted>(hidden)</span>' if p.hidden else ''}"
        "</div></a>"
        for p in shown
    ]
    note = ""
    if hidden and not show_hidden:
        count = "1 hidden person" if len(hidden) == 1 else f"{len(hidden)} hidden people"
        note = f"<p class=muted>{count}: <a href='/?hidden=1' id=show-hidden>show them</a></p>"
    elif show_hidden and hidden:
        note = "<p class=muted><a href='/'>hide the hidden people again</a></p>"
    if not cards:
        body = ("<h1>People</h1><p class=muted>No people yet: name a face on the <a href='/unknown'>unknown faces</a> "
                "page, or register one with <code>plvm-photos add-person</code>.</p>" + note)
    else:
        body = f"<h1>People <span class=muted>({len(cards)})</span></h1>{note}<div class=grid>{''.join(cards)}</div>"
    return page("People", body, ctx=ctx)


def person_tiles(library: Library, concept_id: int) -> tuple[str, list[Tile]]:
    with library.session() as s:
        concept = s.get(Concept, concept_id)
        if concept is None:
            raise KeyError(concept_id)
        rows = s.execute(
            select(Photo.id, Photo.width, Photo.height, Region.left, Region.top, Region.right, Region.bottom)
            .join(Verdict, Verdict.photo_id == Photo.id)
            .outerjoin(Region, Region.id == Verdict.region_id)
            .where(Verdict.concept_id == concept_id, Verdict.present.is_(True), Photo.id.in_(current_photo_ids()))
        ).all()
        paths = photo_paths(s, [r[0] for r in rows])
        name = concept.display
    tiles = [
        Tile(pid, paths.get(pid, ""), w or 1, h or 1,
             [BoxLabel((l, t, r, b), show(name), "person")] if l is not None else [])
        for pid, w, h, l, t, r, b in rows
    ]
    tiles.sort(key=lambda t: t.path)
    return name, tiles


def person_page(library: Library, concept_id: int, ctx: PageContext = NO_FORMS) -> str:
    name, tiles = person_tiles(library, concept_id)
    with library.session() as s:
        concept = s.get(Concept, concept_id)
        hidden = bool(concept.hidden)
        references = len(set(s.scalars(select(Reference.image).where(Reference.concept_id == concept_id))))
        confirmed = len(list(s.scalars(select(Confirmation.id).where(Confirmation.concept_id == concept_id))))
        others = [d for d, in s.execute(select(Concept.display).where(Concept.id != concept_id).order_by(Concept.name))]
    tools = ""
    if ctx.forms:
        merge = ""
        if others:
            options = "".join(f"<option value='{esc(o)}'>{esc(show(o))}</option>" for o in others)
            merge = action_form(ctx, "merge", "Merge into this person", css="danger",
                                fields=f"<select name=other aria-label='Person to merge'>{options}</select>", keep=name)
        tools = (
            "<div class=tools>"
            + action_form(ctx, "rename", "Rename", name_input("New name", name).replace("list=people ", ""), person=name)
            + action_form(ctx, "hide", "Show in lists again" if hidden else "Hide", person=name,
                          hidden="0" if hidden else "1")
            + action_form(ctx, "remove", "Remove this person", css="danger", person=name)
            + merge
            + "</div>"
        )
    facts = (f"{plural(references, 'reference photo')}, {plural(confirmed, 'confirmed face')}"
             + (" · hidden: recognised, not listed" if hidden else ""))
    body = (
        f"<h1>{esc(show(name))} <span class=muted>in {plural(len(tiles), 'photo')}</span></h1>"
        f"<p class=muted id=person-facts>{esc(facts)}</p>{tools}"
        + (tile_grid(tiles) if tiles else "<p class=muted>Not found in any photo yet.</p>")
    )
    return page(show(name), body, ctx=ctx)


# --- one photo --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FaceRow:
    n: int
    region_id: int
    box: Box
    person: str | None  # display name of who it is decided to be
    score: float | None
    distance: float | None
    detector: float
    rejected: list[str]
    confirmed: bool
    drawn: bool  # a user region
    seen: str = ""  # in a video: when this face is seen ("0:12–0:40")


def photo_regions(library: Library, photo_id: int) -> tuple[Tile, list[FaceRow], list[str]]:
    """The photo with every region labelled, a row per region, and the photo's current paths."""
    with library.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None or photo.error is not None:
            raise KeyError(photo_id)
        present = {
            rid: (name, score, dist)
            for rid, name, score, dist in s.execute(
                select(Verdict.region_id, Concept.display, Verdict.score, Verdict.distance)
                .join(Concept, Concept.id == Verdict.concept_id)
                .where(Verdict.photo_id == photo_id, Verdict.present.is_(True))
            ).all()
        }
        rejected: dict[int | None, list[str]] = {}
        for rid, name in s.execute(
            select(Rejection.region_id, Concept.display)
            .join(Concept, Concept.id == Rejection.concept_id)
            .where(Rejection.photo_id == photo_id)
        ).all():
            rejected.setdefault(rid, []).append(name)
        confirmed = {c.region_id: c.source for c in s.scalars(select(Confirmation).where(Confirmation.photo_id == photo_id))}
        regions = list(s.scalars(select(Region).where(Region.photo_id == photo_id).order_by(Region.left, Region.id)))
        paths = list(s.scalars(select(File.path).where(File.photo_id == photo_id, File.missing.is_(False))
                               .order_by(File.role.is_not(None), File.path)))
        caption = photo.caption
        width, height = photo.width or 1, photo.height or 1
        video = photo.kind == "video"
    boxes, rows = [], []
    for n, r in enumerate(regions, start=1):
        who = present.get(r.id)
        boxes.append(BoxLabel(r.box, show(who[0]) if who else f"face {n}", "known" if who else "unknown"))
        rows.append(FaceRow(n, r.id, r.box, who[0] if who else None, who[1] if who else None, who[2] if who else None,
                            float(r.score), sorted(rejected.get(r.id, []) + rejected.get(None, [])),
                            r.id in confirmed, confirmed.get(r.id) == "drawn", seen_text(r.segments)))
    # A video's faces come from frames all over the clip: they are listed with their times, not
    # boxed on its poster frame.
    tile = Tile(photo_id, paths[0] if paths else "", width, height, [] if video else boxes, caption)
    return tile, rows, paths


def seen_text(segments: str | None) -> str:
    """"0:12–0:40, 1:05" from ``regions.segments``; "" for a photo's region."""
    if not segments:
        return ""
    import json

    from plvm_photos.media.times import spans

    return spans(json.loads(segments))


def _face_actions(ctx: PageContext, photo_id: int, r: FaceRow) -> str:
    if not ctx.forms:
        return ""
    out = action_form(ctx, "name", "Name" if r.person is None else "It is", name_input(), "primary",
                      region=r.region_id)
    if r.person is not None:
        out += action_form(ctx, "reject", f"Not {show(r.person)}", css="danger", photo=photo_id, region=r.region_id,
                           person=r.person)
        out += action_form(ctx, "reference", "Add as reference", region=r.region_id, person=r.person)
        out += action_form(ctx, "reference", "Make the only reference", region=r.region_id, person=r.person, replace="1")
    return out


def _is_video(library: Library, photo_id: int) -> bool:
    with library.session() as s:
        return s.scalar(select(Photo.kind).where(Photo.id == photo_id)) == "video"


def draw_form(ctx: PageContext, photo_id: int, width: int, height: int) -> str:
    """Four number fields for the box of a face the detector missed; ``/static/draw.js`` fills
    them by dragging on the photo, and without it they are typed."""
    if not ctx.forms:
        return ""
    fields = "".join(
        f"<label>{label} <input type=number name={name} id=draw-{name} required min=0 max={limit} step=1></label>"
        for name, label, limit in (("left", "left", width), ("top", "top", height), ("right", "right", width),
                                   ("bottom", "bottom", height))
    )
    return (
        "<div class=tools id=draw><b>Add a face the detector missed</b> "
        "<span class=muted>(drag a box on the photo, or type its pixels)</span><br>"
        + action_form(ctx, "draw", "Add face", fields + name_input(), "primary", photo=photo_id)
        + "</div><script src='/static/draw.js' defer></script>"
    )


def photo_page(library: Library, photo_id: int, ctx: PageContext = NO_FORMS) -> str:
    tile, rows, paths = photo_regions(library, photo_id)

    def num(value) -> str:
        return "" if value is None else f"{value:.3f}"

    def who(r: FaceRow) -> str:
        if r.person is None:
            return "<span class=muted>unknown</span>"
        mark = " <span class=muted title='confirmed by you'>✓ confirmed</span>" if r.confirmed else ""
        return esc(show(r.person)) + mark + (" <span class=muted>(drawn)</span>" if r.drawn else "")

    video = _is_video(library, photo_id)
    seen_head = "<th>seen at</th>" if video else ""
    table = "".join(
        f"<tr data-region='{r.region_id}'><td>{r.n}</td><td>{who(r)}</td>"
        + (f"<td class=seen>{esc(r.seen)}</td>" if video else "")
        + f"<td>{num(r.score)}</td><td>{num(r.distance)}</td>"
        f"<td>{esc(list(r.box))}</td><td>{r.detector:.2f}</td>"
        f"<td>{esc(', '.join(show(n) for n in r.rejected))}</td><td>{_face_actions(ctx, photo_id, r)}</td></tr>"
        for r in rows
    )
    video_note = ("<p class=muted id=video-facts>A video: its poster frame is shown; each face was followed through "
                  "the clip's sampled frames and is listed with the times it is seen.</p>" if video else "")
    body = (
        f"<h1>{esc(os.path.basename(tile.path) or f'photo {photo_id}')}</h1>"
        f"<p class=caption><b>Caption:</b> {esc(tile.caption or 'no caption')}</p>{video_note}"
        f"<div class=big>{photo_figure(tile, 'large', 'photo')}</div>"
        f"<table class=regions><tr><th>#</th><th>person</th>{seen_head}<th>score</th><th>distance</th><th>box (l, t, r, b)</th>"
        f"<th>detector</th><th>rejected</th><th></th></tr>{table}</table>"
        + draw_form(ctx, photo_id, tile.width, tile.height)
        + f"<p class=muted>{len(rows)} face(s), {tile.width}×{tile.height} px. Files: "
        + esc("; ".join(paths) or "none present")
        + "</p>"
    )
    return page(os.path.basename(tile.path) or "photo", body, ctx=ctx)


# --- questions ----------------------------------------------------------------------------------------
def ask_page(library: Library, question: str, ctx: PageContext = NO_FORMS) -> str:
    """The answer as a sentence, how the question was understood, and the photos as a gallery
    with the people in each boxed (those asked about stand out); a refusal is a message."""
    from plvm_photos.ask.answer import ask
    from plvm_photos.names import normalize

    if not question.strip():
        return page("Ask", "<h1>Ask</h1><p class=muted>Type a question such as <code>where is &lt;mike&gt;?</code>, "
                    "<code>photos of &lt;mike&gt; and &lt;anna&gt; in 2019</code> or <code>who is in beach.jpg?</code></p>",
                    ctx=ctx)
    try:
        answer = ask(library, question)
    except (LibraryError, ValueError) as exc:  # a refused question too (QuestionError): a message, not a 500
        return page("Ask", f"<h1>Ask</h1><p class=error id=refusal>{esc(exc)}</p>", question, ctx)
    with library.session() as s:
        ids = dict(
            s.execute(select(File.path, File.photo_id).where(File.path.in_([p.path for p in answer.photos]))).all()
        )
        sizes = {
            pid: (w or 1, h or 1)
            for pid, w, h in s.execute(select(Photo.id, Photo.width, Photo.height).where(Photo.id.in_(list(ids.values()))))
        }
    asked = {normalize(name) for name in (answer.query or {}).get("names", [])}
    tiles = []
    for p in answer.photos:
        pid = ids.get(p.path)
        if pid is None:
            continue
        boxes = [
            BoxLabel(tuple(box), show(name), "person" if normalize(name) in asked else "known")
            for name, box in p.regions.items()
            if len(box) == 4 and p.kind != "video"  # a video's faces are from frames other than its poster
        ]
        caption = p.caption if p.kind != "video" else "; ".join(f"{show(n)}{p.times([n])}" for n in p.people)
        tiles.append(Tile(pid, p.path, *sizes[pid], boxes, caption))
    sentence = answer.answer.split("\n", 1)[0].rstrip(":")
    understood = (f"<p class='muted understood' id=understood>Understood as: {esc(answer.understood)}</p>"
                  if answer.understood else "")
    body = (
        f"<h1>Ask</h1><p class=answer id=answer>{esc(sentence)}</p>{understood}"
        f"<p class=muted>{plural(len(tiles), 'photo')}</p>{tile_grid(tiles)}"
    )
    return page("Ask", body, question, ctx)


# --- image sources (ids to files) -------------------------------------------------------------------
def photo_source(library: Library, photo_id: int) -> tuple[str, list[str]]:
    """(sha256, its present file paths) of a usable photo; KeyError otherwise. The thumbnail code
    uses the first file whose bytes still hash to sha256 (``thumbs.decode_verified``)."""
    with library.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None or photo.error is not None:
            raise KeyError(photo_id)
        paths = list(
            s.scalars(select(File.path).where(File.photo_id == photo_id, File.missing.is_(False)).order_by(File.id))
        )
        if not paths:
            raise KeyError(photo_id)
        return photo.sha256, paths


def reference_face(library: Library, concept_id: int) -> tuple[str, list[str], Box, str | None]:
    """(cache key, image paths, box, sha256 to verify or None) of a person's face: their first
    reference (a library-owned copy), else their first confirmed face (in a photo)."""
    with library.session() as s:
        ref = s.scalar(select(Reference).where(Reference.concept_id == concept_id).order_by(Reference.id).limit(1))
        if ref is not None:
            key = f"ref-{ref.id}-{ref.image}".replace(os.sep, "_")
            return key, [str(library.references_dir / ref.image)], (ref.left, ref.top, ref.right, ref.bottom), None
        region_id = s.scalar(select(Confirmation.region_id).where(Confirmation.concept_id == concept_id)
                             .order_by(Confirmation.id).limit(1))
    if region_id is None:
        raise KeyError(concept_id)
    key, paths, box, sha = region_face(library, region_id)
    return key, paths, box, sha


def region_face(library: Library, region_id: int) -> tuple[str, list[str], Box, str]:
    """(cache key, the photo's present paths, box, the photo's sha256) of a face region."""
    with library.session() as s:
        region = s.get(Region, region_id)
        if region is None:
            raise KeyError(region_id)
        sha, paths = photo_source(library, region.photo_id)
        return f"region-{sha[:16]}-{'-'.join(map(str, region.box))}", paths, region.box, sha


def live_hashes(library: Library) -> set[str]:
    """sha256 of every photo that still has a present file (what thumbnails may be kept for)."""
    with library.session() as s:
        return set(s.scalars(select(Photo.sha256).where(Photo.id.in_(current_photo_ids()))))
