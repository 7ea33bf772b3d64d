"""The gallery's pages: database queries and server-rendered HTML (no scripts, boxes as inline SVG).

Every value that reaches the HTML goes through ``esc``; images are addressed by database id only.
File names that are not valid UTF-8 (``str`` with surrogate escapes, see ``db/fspath.py``) are shown
with their undecodable bytes as ``\\xNN`` (``readable``), never passed to an encoder that fails.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

from sqlalchemy import select

from plvm_photos.fsnames import printable
from plvm_photos.db.models import (
    Concept,
    File,
    Photo,
    Reference,
    Region,
    Rejection,
    Verdict,
)
from plvm_photos.db.queries import current_photo_ids, photo_paths
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library
from plvm_photos.names import show

Box = tuple[int, int, int, int]
MAX_GRID = 600  # photos on one page; more are listed as a count


def readable(value) -> str:
    """``str(value)`` that always encodes as UTF-8: undecodable file-name bytes become \\xNN."""
    text = str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return printable(text)
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def esc(value) -> str:
    return html.escape(readable(value), quote=True)


@dataclass(frozen=True)
class BoxLabel:
    box: Box
    label: str
    kind: str  # "person" (the person of the page), "known", "unknown"


@dataclass(frozen=True)
class Tile:
    photo_id: int
    path: str
    width: int
    height: int
    boxes: list[BoxLabel]
    caption: str | None = None


CSS = """
*{box-sizing:border-box}body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f2;color:#222}
header{background:#1d2b36;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;font-weight:600}header form{margin-left:auto;display:flex;gap:6px}
header input[type=text]{width:340px;padding:6px 8px;border-radius:4px;border:0}
header button{padding:6px 12px;border:0;border-radius:4px;background:#f2b134;font-weight:600;cursor:pointer}
main{padding:18px}h1{font-size:22px;margin:0 0 14px}.muted{color:#666}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px;align-items:start}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 3px #0002;overflow:hidden;text-decoration:none;color:inherit;display:block}
.card .meta{padding:6px 9px;font-size:13px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.person{text-align:center}.person img{width:100%;aspect-ratio:1;object-fit:cover;display:block}
.person .name{font-weight:600;font-size:16px}
.ph{position:relative;line-height:0}.ph img{width:100%;display:block}
.ph svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible}
.ph rect{fill:none;stroke-width:3;vector-effect:non-scaling-stroke}
.ph rect.person{stroke:#f2b134}.ph rect.known{stroke:#3ec46d}.ph rect.unknown{stroke:#e8e8e8;stroke-dasharray:6 4}
.ph text{fill:#fff;paint-order:stroke;stroke:#000;stroke-width:3px;font-weight:700}
.big{max-width:1100px}.answer{white-space:pre-wrap;background:#fff;padding:12px;border-radius:6px;font-family:ui-monospace,monospace;font-size:13px}
table{border-collapse:collapse;background:#fff;margin-top:14px}td,th{padding:5px 10px;border-bottom:1px solid #ddd;text-align:left;font-size:14px}
.error{background:#fde2e1;color:#8a1c17;padding:10px;border-radius:6px}
"""


def page(title: str, body: str, question: str = "") -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{esc(title)} · plvm-photos</title>"
        f"<style>{CSS}</style></head><body><header><a href='/'>plvm-photos</a><a href='/'>People</a>"
        "<a href='/unknown'>Unknown faces</a>"
        "<form action='/ask' method=get role=search><input type=text name=q id=q "
        f"placeholder='where is &lt;mike&gt;?' value='{esc(question)}' aria-label=Question>"
        "<button type=submit>Ask</button></form></header>"
        f"<main>{body}</main></body></html>"
    )


def photo_figure(tile: Tile, size: str = "thumb") -> str:
    w, h = max(tile.width, 1), max(tile.height, 1)
    font = max(w, h) / 40
    shapes = []
    for b in tile.boxes:
        left, top, right, bottom = b.box
        shapes.append(
            f"<rect class='{esc(b.kind)}' x='{left}' y='{top}' width='{right - left}' height='{bottom - top}'>"
            f"<title>{esc(b.label)}</title></rect>"
        )
        if b.label:
            y = top - font * 0.3 if top > font * 1.2 else bottom + font
            # Labels near the right edge are anchored at the box's right side so they stay inside.
            x, anchor = (right, "end") if (left + right) / 2 > w * 0.6 else (left, "start")
            shapes.append(
                f"<text x='{x}' y='{y:.0f}' font-size='{font:.0f}' text-anchor='{anchor}'>{esc(b.label)}</text>"
            )
    return (
        f"<div class=ph><img src='/{size}/{tile.photo_id}.jpg' alt='{esc(os.path.basename(tile.path))}' "
        f"loading=lazy width={w} height={h} style='height:auto'>"
        f"<svg viewBox='0 0 {w} {h}' preserveAspectRatio='none' aria-hidden=true>{''.join(shapes)}</svg></div>"
    )


def tile_grid(tiles: list[Tile]) -> str:
    cards = [
        f"<a class=card href='/photo/{t.photo_id}'>{photo_figure(t)}"
        f"<div class=meta title='{esc(t.path)}'>{esc(os.path.basename(t.path))}</div></a>"
        for t in tiles[:MAX_GRID]
    ]
    more = f"<p class=muted>... and {len(tiles) - MAX_GRID} more</p>" if len(tiles) > MAX_GRID else ""
    return f"<div class=grid>{''.join(cards)}</div>{more}"


# --- pages ----------------------------------------------------------------------------------------
def people_page(library: Library) -> str:
    people = library.people()
    with library.session() as s:
        concept_ids = dict(s.execute(select(Concept.display, Concept.id)).all())
    cards = [
        f"<a class='card person' href='/person/{concept_ids[p.name]}'>"
        f"<img src='/face/{concept_ids[p.name]}.jpg' alt='{esc(show(p.name))}' loading=lazy>"
        f"<div class=meta><div class=name>{esc(show(p.name))}</div>"
        f"<span class=count>{p.photos} photo{'s' if p.photos != 1 else ''}</span></div></a>"
        for p in people
    ]
    if not cards:
        body = "<h1>People</h1><p class=muted>No people yet: register one with <code>plvm-photos add-person</code>.</p>"
    else:
        body = f"<h1>People <span class=muted>({len(cards)})</span></h1><div class=grid>{''.join(cards)}</div>"
    return page("People", body)


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
        Tile(
            pid,
            paths.get(pid, ""),
            w or 1,
            h or 1,
            [BoxLabel((l, t, r, b), show(name), "person")] if l is not None else [],
        )
        for pid, w, h, l, t, r, b in rows
    ]
    tiles.sort(key=lambda t: t.path)
    return name, tiles


def person_page(library: Library, concept_id: int) -> str:
    name, tiles = person_tiles(library, concept_id)
    body = (
        f"<h1>{esc(show(name))} <span class=muted>in {len(tiles)} photo{'s' if len(tiles) != 1 else ''}</span></h1>"
        + (tile_grid(tiles) if tiles else "<p class=muted>Not found in any photo yet.</p>")
    )
    return page(show(name), body)


def photo_regions(library: Library, photo_id: int) -> tuple[Tile, list[dict], list[str]]:
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
        regions = list(s.scalars(select(Region).where(Region.photo_id == photo_id).order_by(Region.left, Region.id)))
        paths = list(s.scalars(select(File.path).where(File.photo_id == photo_id, File.missing.is_(False)).order_by(File.path)))
        caption = photo.caption
        width, height = photo.width or 1, photo.height or 1
    boxes, rows = [], []
    for n, r in enumerate(regions, start=1):
        who = present.get(r.id)
        label = show(who[0]) if who else f"face {n}"
        boxes.append(BoxLabel(r.box, label, "known" if who else "unknown"))
        rows.append(
            {
                "n": n,
                "region_id": r.id,
                "box": list(r.box),
                "person": who[0] if who else None,
                "score": who[1] if who else None,
                "distance": who[2] if who else None,
                "detector": float(r.score),
                "not": sorted(rejected.get(r.id, []) + rejected.get(None, [])),
            }
        )
    tile = Tile(photo_id, paths[0] if paths else "", width, height, boxes, caption)
    return tile, rows, paths


def photo_page(library: Library, photo_id: int) -> str:
    tile, rows, paths = photo_regions(library, photo_id)
    def num(value) -> str:
        return "" if value is None else f"{value:.3f}"

    table = "".join(
        f"<tr><td>{r['n']}</td><td>{esc(show(r['person'])) if r['person'] else '<span class=muted>unknown</span>'}</td>"
        f"<td>{num(r['score'])}</td><td>{num(r['distance'])}</td>"
        f"<td>{esc(r['box'])}</td><td>{r['detector']:.2f}</td>"
        f"<td>{esc(', '.join(show(n) for n in r['not']))}</td></tr>"
        for r in rows
    )
    body = (
        f"<h1>{esc(os.path.basename(tile.path) or f'photo {photo_id}')}</h1>"
        f"<p class=caption><b>Caption:</b> {esc(tile.caption or 'no caption')}</p>"
        f"<div class=big>{photo_figure(tile, 'large')}</div>"
        f"<table class=regions><tr><th>#</th><th>person</th><th>score</th><th>distance</th><th>box (l, t, r, b)</th>"
        f"<th>detector</th><th>rejected</th></tr>{table}</table>"
        f"<p class=muted>{len(rows)} face(s), {tile.width}×{tile.height} px. Files: "
        + esc("; ".join(paths) or "none present")
        + "</p>"
    )
    return page(os.path.basename(tile.path) or "photo", body)


def ask_page(library: Library, question: str) -> str:
    from plvm_photos.ask.answer import ask
    from plvm_photos.names import normalize

    if not question.strip():
        return page("Ask", "<h1>Ask</h1><p class=muted>Type a question such as <code>where is &lt;mike&gt;?</code></p>")
    try:
        answer = ask(library, question)
    except (LibraryError, ValueError) as exc:  # a refused question too (QuestionError): a message, not a 500
        return page("Ask", f"<h1>Ask</h1><p class=error>{esc(exc)}</p>", question)
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
            if len(box) == 4
        ]
        tiles.append(Tile(pid, p.path, *sizes[pid], boxes, p.caption))
    body = (
        f"<h1>Ask</h1><div class=answer id=answer>{esc(answer.answer)}</div>"
        f"<p class=muted>{len(tiles)} photo(s)</p>{tile_grid(tiles)}"
    )
    return page("Ask", body, question)


def unknown_page(library: Library) -> str:
    from plvm_photos.curation.clusters import cluster_unknown

    clustering = cluster_unknown(library)
    sections = []
    for c in clustering.clusters[:50]:
        faces = "".join(
            f"<a class=card href='/photo/{f.photo_id}'><img src='/region/{f.region_id}.jpg' alt='face' loading=lazy "
            "style='width:100%;aspect-ratio:1;object-fit:cover;display:block'></a>"
            for f in c.faces[:24]
        )
        sections.append(
            f"<h2>Cluster {c.id} <span class=muted>{len(c.faces)} faces</span></h2>"
            f"<p class=muted><code>plvm-photos add-person NAME --from-cluster {c.id}</code> after "
            "<code>plvm-photos faces --unknown</code></p>"
            f"<div class=grid style='grid-template-columns:repeat(auto-fill,minmax(110px,1fr))'>{faces}</div>"
        )
    body = (
        f"<h1>Unknown faces</h1><p class=muted>{clustering.unknown_faces} face(s) match no registered person; "
        f"{len(clustering.clusters)} cluster(s), {clustering.noise} alone.</p>" + "".join(sections)
    )
    return page("Unknown faces", body)


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


def reference_face(library: Library, concept_id: int) -> tuple[str, str, Box]:
    """(cache key, image path, box) of a person's first reference."""
    with library.session() as s:
        ref = s.scalar(select(Reference).where(Reference.concept_id == concept_id).order_by(Reference.id).limit(1))
        if ref is None:
            raise KeyError(concept_id)
        key = f"ref-{ref.id}-{ref.image}".replace(os.sep, "_")
        return key, str(library.references_dir / ref.image), (ref.left, ref.top, ref.right, ref.bottom)


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
