"""The gallery's HTML building blocks: escaping, the page frame, photos with boxes, and forms.

Every value that reaches the HTML goes through ``esc``. File names that are not valid UTF-8
(``str`` with surrogate escapes, see ``db/fspath.py``) are shown with their undecodable bytes as
``\\xNN`` (``readable``), never passed to an encoder that fails. Forms POST to ``/action/NAME``
with the session's CSRF token; they work without JavaScript (the one script, ``/static/draw.js``,
only fills the box fields by dragging on the photo).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

from plvm_photos.fsnames import printable

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
class PageContext:
    """What every page of one request needs beyond the library: the CSRF token its forms carry
    (None: pages rendered outside a request, without forms), the message of the last action,
    the actions Undo and Redo would undo and redo (their forms name them: a page shown before
    someone else's action never undoes that one), and the address the forms come back to."""

    csrf: str | None = None
    flash: tuple[str, str] | None = None  # (kind: ok | error, text)
    undo: tuple[int, str] | None = None  # (journal entry, summary) of the newest undoable action
    redo: tuple[int, str] | None = None  # (journal entry, summary) of the action undone last
    here: str = "/"
    people: tuple[str, ...] = field(default_factory=tuple)  # display names, for the name inputs

    @property
    def forms(self) -> bool:
        return self.csrf is not None


NO_FORMS = PageContext()


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
header a{color:#fff;text-decoration:none;font-weight:600}header form.search{margin-left:auto;display:flex;gap:6px}
header input[type=text]{width:340px;padding:6px 8px;border-radius:4px;border:0}
header button{padding:6px 12px;border:0;border-radius:4px;background:#f2b134;font-weight:600;cursor:pointer}
header form.undo button{background:#dfe6ec}
main{padding:18px}h1{font-size:22px;margin:0 0 14px}h2{font-size:18px;margin:4px 0 8px}.muted{color:#666}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px;align-items:start}
.faces{grid-template-columns:repeat(auto-fill,minmax(110px,1fr))}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 3px #0002;overflow:hidden;text-decoration:none;color:inherit;display:block}
.card .meta{padding:6px 9px;font-size:13px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.person{text-align:center}.person img{width:100%;aspect-ratio:1;object-fit:cover;display:block}
.person .name{font-weight:600;font-size:16px}
.crop{width:100%;aspect-ratio:1;object-fit:cover;display:block}
.ph{position:relative;line-height:0}.ph img{width:100%;display:block}
.ph svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible}
.ph rect{fill:none;stroke-width:3;vector-effect:non-scaling-stroke}
.ph rect.person{stroke:#f2b134}.ph rect.known{stroke:#3ec46d}.ph rect.unknown{stroke:#e8e8e8;stroke-dasharray:6 4}
.ph rect.drawing{stroke:#ff4fa3;stroke-dasharray:4 3}
.ph text{fill:#fff;paint-order:stroke;stroke:#000;stroke-width:3px;font-weight:700}
.big{max-width:1100px}.answer{background:#fff;padding:12px;border-radius:6px;font-size:17px}
.understood{font-size:13px;margin:6px 0 14px}
table{border-collapse:collapse;background:#fff;margin-top:14px}td,th{padding:5px 10px;border-bottom:1px solid #ddd;text-align:left;font-size:14px;vertical-align:top}
.error{background:#fde2e1;color:#8a1c17;padding:10px;border-radius:6px}
.ok{background:#dff3e4;color:#1d5b2c;padding:10px;border-radius:6px}
form.inline{display:inline-flex;gap:4px;margin:2px 4px 2px 0;align-items:center}
form input[type=text],form input[type=number],form select{padding:4px 6px;border:1px solid #bbb;border-radius:4px}
form input[type=number]{width:80px}
form button{padding:4px 10px;border:1px solid #1d2b36;border-radius:4px;background:#fff;cursor:pointer}
form button.primary{background:#1d2b36;color:#fff}form button.danger{border-color:#a22;color:#a22}
.tools{background:#fff;border-radius:6px;padding:10px 12px;margin:12px 0;box-shadow:0 1px 3px #0002}
.group{background:#fff;border-radius:6px;padding:10px;margin:0 0 14px;box-shadow:0 1px 3px #0002}
.pager{margin:14px 0;display:flex;gap:12px}
.sgrid{grid-template-columns:repeat(auto-fill,minmax(400px,1fr))}
.suggestion{display:flex;gap:10px;align-items:center;padding:8px}.suggestion img{width:90px;height:90px;object-fit:cover;border-radius:4px}
"""


def page(title: str, body: str, question: str = "", ctx: PageContext = NO_FORMS) -> str:
    flash = ""
    if ctx.flash is not None:
        kind, text = ctx.flash
        flash = f"<p class={'error' if kind == 'error' else 'ok'} id=flash role=status>{esc(text)}</p>"
    undo = ""
    for verb, label, entry in (("undo", "Undo", ctx.undo), ("redo", "Redo", ctx.redo)):
        if ctx.forms and entry:
            undo += (f"<form class=undo method=post action='/action/{verb}'>{hidden_fields(ctx, entry=entry[0])}"
                     f"<button type=submit id={verb} title='{esc(entry[1])}'>{label}: {esc(short(entry[1], 40))}</button></form>")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{esc(title)} · plvm-photos</title>"
        f"<style>{CSS}</style></head><body><header><a href='/'>plvm-photos</a><a href='/'>People</a>"
        "<a href='/unknown'>Unknown faces</a><a href='/suggestions'>Suggestions</a>"
        f"{undo}<form class=search action='/ask' method=get role=search><input type=text name=q id=q "
        f"placeholder='where is &lt;mike&gt;?' value='{esc(question)}' aria-label=Question>"
        "<button type=submit>Ask</button></form></header>"
        f"<main>{flash}{body}</main>{people_list(ctx)}</body></html>"
    )


def short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- photos ---------------------------------------------------------------------------------------
def photo_figure(tile: Tile, size: str = "thumb", figure_id: str | None = None) -> str:
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
    ident = f" id={figure_id}" if figure_id else ""
    return (
        f"<div class=ph{ident}><img src='/{size}/{tile.photo_id}.jpg' alt='{esc(os.path.basename(tile.path))}' "
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


def face_crop(region_id: int, alt: str = "face") -> str:
    return f"<img class=crop src='/region/{region_id}.jpg' alt='{esc(alt)}' loading=lazy>"


# --- forms ----------------------------------------------------------------------------------------
def hidden_fields(ctx: PageContext, **values) -> str:
    fields = {"csrf": ctx.csrf or "", "next": ctx.here, **values}
    out = []
    for name, value in fields.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            out.append(f"<input type=hidden name='{esc(name)}' value='{esc(v)}'>")
    return "".join(out)


def action_form(ctx: PageContext, action: str, button: str, fields: str = "", css: str = "",
                form_class: str = "inline", **values) -> str:
    """A form that POSTs to ``/action/ACTION`` (nothing outside a request: no token to send)."""
    if not ctx.forms:
        return ""
    cls = f" class='{css}'" if css else ""
    return (f"<form class='{form_class}' method=post action='/action/{action}'>{hidden_fields(ctx, **values)}"
            f"{fields}<button type=submit{cls}>{esc(button)}</button></form>")


def name_input(label: str = "Name", value: str = "") -> str:
    return (f"<input type=text name=name required maxlength=64 list=people placeholder='&lt;name&gt;' "
            f"aria-label='{esc(label)}' value='{esc(value)}'>")


def people_list(ctx: PageContext) -> str:
    """The ``datalist`` every name input suggests registered people from."""
    if not ctx.forms or not ctx.people:
        return ""
    return "<datalist id=people>" + "".join(f"<option value='{esc(n)}'>" for n in ctx.people) + "</datalist>"


def pager(base: str, page_no: int, pages: int) -> str:
    if pages <= 1:
        return ""
    sep = "&" if "?" in base else "?"
    prev = f"<a href='{esc(base)}{sep}page={page_no - 1}' rel=prev>← previous</a>" if page_no > 1 else ""
    nxt = f"<a href='{esc(base)}{sep}page={page_no + 1}' rel=next>next →</a>" if page_no < pages else ""
    return f"<nav class=pager>{prev}<span class=muted>page {page_no} of {pages}</span>{nxt}</nav>"
