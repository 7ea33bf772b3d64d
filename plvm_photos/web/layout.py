"""The gallery's HTML building blocks: the page frame, photos with boxes, grids, and forms. Every
block is ``Html`` made with ``markup`` (values escaped by default).

Forms POST to ``/action/NAME`` with the session's CSRF token; they work without JavaScript (the
one script, ``/static/draw.js``, only fills the box fields by dragging on the photo).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from plvm_photos.web.markup import EMPTY, Html, when

Box = tuple[int, int, int, int]
MAX_GRID = 600  # photos on one page; more are listed as a count


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
    note: str = ""  # a line under the name: when and where it was taken


CSS = Html("""
*{box-sizing:border-box}body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f2;color:#222}
header{background:#1d2b36;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;font-weight:600}header form.search{margin-left:auto;display:flex;gap:6px}
header input[type=text]{width:280px;padding:6px 8px;border-radius:4px;border:0}
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
.places{grid-template-columns:repeat(auto-fill,minmax(150px,1fr))}.place .name{font-weight:600}.place img{object-position:50% 20%}
.note{color:#666;font-size:12px;overflow:hidden;text-overflow:ellipsis}
.crumbs{font-size:14px;margin:0 0 8px}.chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:6px 0 16px}
.chips a{display:inline-block;background:#fff;border-radius:14px;padding:3px 11px;box-shadow:0 1px 2px #0002;color:#1d2b36;text-decoration:none}
.chips a:hover,.chips a:focus{background:#1d2b36;color:#fff}.chips .n{color:#777;font-size:12px;margin-left:4px}
.chips a:hover .n,.chips a:focus .n{color:#ddd}
.stepper{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin:0 0 10px}
.stepper a{font-weight:600}.facts{margin:0 0 10px}
.map{width:100%;max-width:1100px;height:auto;background:#dfe9f1;border-radius:6px;display:block;margin:0 0 16px}
.map .land{fill:#c9cfc4}.map .grat{stroke:#fff;stroke-width:.3;fill:none}
.map circle{fill:#d9480f;fill-opacity:.8;stroke:#fff;stroke-width:.4}.map a:focus circle,.map a:hover circle{fill:#1d2b36}
.sort{font-size:14px;margin:0 0 10px}.sort a[aria-current]{font-weight:700;color:#222;text-decoration:none}
@media (max-width:600px){main{padding:10px}header{gap:10px;padding:8px 10px}header input[type=text]{width:100%}
header form.search{margin-left:0;width:100%}.grid{grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}}
.suggestion{display:flex;gap:10px;align-items:center;padding:8px}.suggestion img{width:90px;height:90px;object-fit:cover;border-radius:4px}
""")


def page(title: str, body: Html, question: str = "", ctx: PageContext = NO_FORMS) -> Html:
    """A whole page: the header (search, Undo and Redo), the message of the last action, ``body``."""
    flash = EMPTY
    if ctx.flash is not None:
        kind, text = ctx.flash
        flash = Html("<p class={} id=flash role=status>{}</p>").format("error" if kind == "error" else "ok", text)
    undo = EMPTY
    for verb, label, entry in (("undo", "Undo", ctx.undo), ("redo", "Redo", ctx.redo)):
        if ctx.forms and entry:
            undo += Html("<form class=undo method=post action='/action/{verb}'>{fields}"
                         "<button type=submit id={verb} title='{summary}'>{label}: {short}</button></form>").format(
                verb=verb, fields=hidden_fields(ctx, entry=entry[0]), summary=entry[1], label=label,
                short=short(entry[1], 40))
    return Html(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'><title>{title} · plvm-photos</title>"
        "<style>{css}</style></head><body><header><a href='/'>plvm-photos</a><a href='/'>People</a>"
        "<a href='/timeline'>Timeline</a><a href='/places'>Places</a>"
        "<a href='/unknown'>Unknown faces</a><a href='/suggestions'>Suggestions</a>"
        "{undo}<form class=search action='/ask' method=get role=search><input type=text name=q id=q "
        "placeholder='where is &lt;mike&gt;?' value='{question}' aria-label=Question>"
        "<button type=submit>Ask</button></form></header>"
        "<main>{flash}{body}</main>{people}</body></html>"
    ).format(title=title, css=CSS, undo=undo, question=question, flash=flash, body=body, people=people_list(ctx))


def message_page(status: int, phrase: str, message: str) -> Html:
    """The page of an answer that is not a page of the gallery (404, 403, ...)."""
    return page(phrase, Html("<h1>{} {}</h1><p>{}</p>").format(status, phrase, message))


def short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- photos ---------------------------------------------------------------------------------------
def photo_figure(tile: Tile, size: str = "thumb", figure_id: str | None = None) -> Html:
    """The photo with its boxes drawn over it (SVG in the photo's full-size pixels)."""
    w, h = max(tile.width, 1), max(tile.height, 1)
    font = max(w, h) / 40
    shapes = []
    for b in tile.boxes:
        left, top, right, bottom = b.box
        shapes.append(Html("<rect class='{}' x='{}' y='{}' width='{}' height='{}'><title>{}</title></rect>").format(
            b.kind, left, top, right - left, bottom - top, b.label))
        if b.label:
            y = top - font * 0.3 if top > font * 1.2 else bottom + font
            # Labels near the right edge are anchored at the box's right side so they stay inside.
            x, anchor = (right, "end") if (left + right) / 2 > w * 0.6 else (left, "start")
            shapes.append(Html("<text x='{}' y='{:.0f}' font-size='{:.0f}' text-anchor='{}'>{}</text>").format(
                x, y, font, anchor, b.label))
    return Html(
        "<div class=ph{ident}><img src='/{size}/{photo}.jpg' alt='{alt}' loading=lazy width={w} height={h} "
        "style='height:auto'><svg viewBox='0 0 {w} {h}' preserveAspectRatio='none' aria-hidden=true>{shapes}</svg></div>"
    ).format(ident=when(figure_id, Html(" id={}").format(figure_id)), size=size, photo=tile.photo_id,
             alt=os.path.basename(tile.path), w=w, h=h, shapes=EMPTY.join(shapes))


def tile_grid(tiles: list[Tile], link_query: str = "") -> Html:
    """The photos as cards, each a link to its page (``link_query``, e.g. "?from=month:2020-03",
    says which list the photo page steps through)."""
    cards = [
        Html("<a class=card href='/photo/{}{}'>{}<div class=meta title='{}'>{}{}</div></a>").format(
            t.photo_id, link_query, photo_figure(t), t.path, os.path.basename(t.path),
            when(t.note, Html("<div class=note>{}</div>").format(t.note)))
        for t in tiles[:MAX_GRID]
    ]
    more = when(len(tiles) > MAX_GRID, Html("<p class=muted>... and {} more</p>").format(len(tiles) - MAX_GRID))
    return Html("<div class=grid>{}</div>{}").format(EMPTY.join(cards), more)


def face_crop(region_id: int, alt: str = "face") -> Html:
    return Html("<img class=crop src='/region/{}.jpg' alt='{}' loading=lazy>").format(region_id, alt)


# --- forms ----------------------------------------------------------------------------------------
def hidden_fields(ctx: PageContext, **values) -> Html:
    fields = {"csrf": ctx.csrf or "", "next": ctx.here, **values}
    return EMPTY.join(
        Html("<input type=hidden name='{}' value='{}'>").format(name, v)
        for name, value in fields.items()
        for v in (value if isinstance(value, (list, tuple)) else [value])
    )


def action_form(ctx: PageContext, action: str, button: str, fields: Html = EMPTY, css: str = "",
                form_class: str = "inline", **values) -> Html:
    """A form that POSTs to ``/action/ACTION`` (nothing outside a request: no token to send)."""
    if not ctx.forms:
        return EMPTY
    return Html("<form class='{}' method=post action='/action/{}'>{}{}<button type=submit{}>{}</button></form>").format(
        form_class, action, hidden_fields(ctx, **values), fields, when(css, Html(" class='{}'").format(css)), button)


def name_input(label: str = "Name", value: str = "", suggest: bool = True) -> Html:
    """A name field; with ``suggest`` the registered people are offered (``people_list``)."""
    return Html("<input type=text name=name required maxlength=64 {}placeholder='&lt;name&gt;' "
                "aria-label='{}' value='{}'>").format(when(suggest, Html("list=people ")), label, value)


def people_list(ctx: PageContext) -> Html:
    """The ``datalist`` every name input suggests registered people from."""
    if not ctx.forms or not ctx.people:
        return EMPTY
    return Html("<datalist id=people>{}</datalist>").format(
        EMPTY.join(Html("<option value='{}'>").format(n) for n in ctx.people))


def pager(base: str, page_no: int, pages: int) -> Html:
    if pages <= 1:
        return EMPTY
    sep = "&" if "?" in base else "?"
    prev = when(page_no > 1, Html("<a href='{}{}page={}' rel=prev>← previous</a>").format(base, sep, page_no - 1))
    nxt = when(page_no < pages, Html("<a href='{}{}page={}' rel=next>next →</a>").format(base, sep, page_no + 1))
    return Html("<nav class=pager>{}<span class=muted>page {} of {}</span>{}</nav>").format(prev, page_no, pages, nxt)
