"""The gallery's routes: one table of (method, pattern, handler) rows, and the handlers.

A handler takes a ``Request`` and returns a ``Response``; it reads through the ``Library`` API
and builds its HTML with a page function (``pages``, ``unknown``). It raises ``KeyError`` for an
id that names nothing (404), ``Unprocessable`` for a photo that cannot be shown (422),
``thumbs.Busy`` when every decoder is taken (503). Anything that is not in the table is 404.

Adding a page is one row and one handler here, and one page function:

    Route("GET", r"/timeline", timeline, page=True),

    def timeline(req: Request) -> Response:
        return html(pages.timeline_page(req.library, req.ctx, req.page_number))

``page=True`` marks an HTML page of the gallery: it gets the visitor's session (``req.ctx``: the
CSRF token its forms carry, the last action's message, Undo and Redo) and an action may send the
browser back to it (``local_page``). Form actions are rows too (``POST /action/NAME``, each an
``actions`` function run by ``action``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from plvm_photos.errors import LibraryError, environment_failure
from plvm_photos.imaging import ImageError
from plvm_photos.library import Library, PhotoNotAnalysed
from plvm_photos.web import actions, pages, place_pages, timeline_pages, unknown
from plvm_photos.web.actions import BadForm, Done, Form
from plvm_photos.web.layout import PageContext, message_page
from plvm_photos.web.markup import Html
from plvm_photos.web.session import Sessions
from plvm_photos.web.static import STATIC
from plvm_photos.web.thumbs import face_thumbnail, thumbnail

ID = r"(\d{1,12})"


class Unprocessable(Exception):
    """An existing photo that cannot be shown (not decodable, over the decode budget, changed)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def html(markup: Html, status: int = 200) -> Response:
    return Response(status, str(markup).encode("utf-8", "backslashreplace"), "text/html; charset=utf-8",
                    {"Cache-Control": "no-store"})


def message(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    """A short page that says why a request was not answered (404, 403, ...)."""
    page = html(message_page(status, HTTPStatus(status).phrase, text), status)
    return Response(status, page.body, page.content_type, {**page.headers, **(headers or {})})


def jpeg(path: Path) -> Response:
    return Response(200, path.read_bytes(), "image/jpeg", {"Cache-Control": "private, max-age=3600"})


def redirect(location: str) -> Response:
    return Response(303, b"", "text/plain; charset=utf-8", {"Location": location, "Cache-Control": "no-store"})


class Visit:
    """The visitor's session, as pages and actions use it (``session.Sessions`` behind it)."""

    def __init__(self, sessions: Sessions, session_id: str):
        self.sessions, self.id = sessions, session_id

    @property
    def csrf(self) -> str:
        return self.sessions.csrf(self.id)

    def take_flash(self) -> tuple[str, str] | None:
        return self.sessions.take_flash(self.id)

    def flash(self, kind: str, text: str) -> None:
        self.sessions.flash(self.id, kind, text)


@dataclass
class Request:
    library: Library
    path: str
    query: dict[str, list[str]]
    here: str  # the address of this page (path and query, without a token), for the forms' way back
    visit: Visit
    one_at_a_time: threading.Lock  # held while an action runs
    args: tuple[int, ...] = ()  # the pattern's numbers
    form: Form = field(default_factory=dict)  # a POST's fields

    @property
    def number(self) -> int:
        return self.args[0]

    def param(self, name: str) -> str:
        return self.query.get(name, [""])[0]

    @property
    def page_number(self) -> int:
        value = self.param("page")
        return int(value) if value.isdigit() and len(value) < 7 else 1

    @cached_property
    def ctx(self) -> PageContext:
        """What every page needs beyond the library: its forms' token, the last action's message,
        the actions Undo and Redo name, the names the name fields suggest."""
        last, again = self.library.last_action(), self.library.next_redo()
        return PageContext(self.visit.csrf, self.visit.take_flash(), (last.id, last.summary) if last else None,
                           (again.id, again.summary) if again else None, self.here,
                           tuple(p.display for p in self.library.person_names()))


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str  # GET (HEAD too) or POST
    pattern: str
    handler: Handler
    page: bool = False  # an HTML page of the gallery (see the module docstring)

    def match(self, method: str, path: str) -> tuple[int, ...] | None:
        found = re.fullmatch(self.pattern, path) if self.method == method else None
        return None if found is None else tuple(int(g) for g in found.groups())


# --- pages --------------------------------------------------------------------------------------
def people(req: Request) -> Response:
    return html(pages.people_page(req.library, req.ctx, req.param("hidden") == "1"))


def person(req: Request) -> Response:
    """A person's page; ``?with=ID`` (photos together), ``?year=YYYY`` or ``?place=NAME`` list some
    of their photos only (a malformed value names nothing: 404)."""
    with_id, year, place = req.param("with"), req.param("year"), req.param("place")
    if (with_id and not re.fullmatch(r"\d{1,12}", with_id)) or (year and not re.fullmatch(r"\d{4}", year)) or len(place) > 300:
        raise KeyError("no such photos")
    chosen = pages.PersonFilter(int(with_id) if with_id else None, int(year) if year else None, place or None)
    return html(pages.person_page(req.library, req.number, req.ctx, req.page_number, chosen))


def photo(req: Request) -> Response:
    try:
        return html(pages.photo_page(req.library, req.number, req.ctx, req.param("from")))
    except PhotoNotAnalysed:
        raise KeyError(req.number) from None


def ask(req: Request) -> Response:
    return html(pages.ask_page(req.library, req.param("q"), req.ctx, req.param("sort")))


def timeline(req: Request) -> Response:
    return html(timeline_pages.timeline_page(req.library, req.ctx))


def photo_list(req: Request) -> Response:
    return html(timeline_pages.list_page(req.library, req.param("list"), req.ctx, req.page_number))


def places(req: Request) -> Response:
    return html(place_pages.places_page(req.library, req.ctx))


def unknown_faces(req: Request) -> Response:
    return html(unknown.unknown_page(req.library, req.ctx, req.page_number))


def hidden_faces(req: Request) -> Response:
    return html(unknown.hidden_page(req.library, req.ctx, req.page_number))


def suggestions(req: Request) -> Response:
    return html(unknown.suggestions_page(req.library, req.ctx, req.page_number))


# --- files ----------------------------------------------------------------------------------------
def static(req: Request) -> Response:
    body, content_type = STATIC[req.path]
    return Response(200, body, content_type, {"Cache-Control": "no-cache"})


def _image(make: Callable[[], Path]) -> Response:
    try:
        return jpeg(make())
    except FileNotFoundError:
        raise KeyError("no such file") from None
    except ImageError as exc:
        raise Unprocessable(f"this photo cannot be shown: {exc}") from None


def photo_image(size: str) -> Handler:
    def handle(req: Request) -> Response:
        files = req.library.photo_files(req.number)
        return _image(lambda: thumbnail(req.library.root, files.sha256, files.paths, size))

    return handle


def person_face(req: Request) -> Response:
    face = req.library.person_face(req.number)
    return _image(lambda: face_thumbnail(req.library.root, face.key, face.paths, face.box, sha256=face.sha256))


def region_face(req: Request) -> Response:
    face = req.library.region_face(req.number)
    return _image(lambda: face_thumbnail(req.library.root, face.key, face.paths, face.box, sha256=face.sha256))


# --- actions --------------------------------------------------------------------------------------
def action(run: Callable[[Library, Form], Done]) -> Handler:
    """A form's handler: ``run`` (one action at a time), its outcome kept for the next page, and the
    browser sent on (post, redirect, get): to the page ``run`` names, else back where it was."""

    def handle(req: Request) -> Response:
        back = local_page((req.form.get("next") or ["/"])[0])
        try:
            with req.one_at_a_time:
                done = run(req.library, req.form)
        except BadForm as exc:
            return message(400, str(exc))
        except (LibraryError, ValueError) as exc:
            req.visit.flash("error", str(exc))
            return redirect(back)
        except Exception as exc:  # the library busy or unwritable (said); anything else is a bug (500)
            line = environment_failure(exc)
            if line is None:
                raise
            req.visit.flash("error", line)
            return redirect(back)
        req.visit.flash("ok", done.message)
        return redirect(local_page(done.next) if done.next else back)

    return handle


ROUTES: tuple[Route, ...] = (
    Route("GET", r"/", people, page=True),
    Route("GET", rf"/person/{ID}", person, page=True),
    Route("GET", rf"/photo/{ID}", photo, page=True),
    Route("GET", r"/ask", ask, page=True),
    Route("GET", r"/timeline", timeline, page=True),
    Route("GET", r"/photos", photo_list, page=True),
    Route("GET", r"/places", places, page=True),
    Route("GET", r"/unknown", unknown_faces, page=True),
    Route("GET", r"/hidden", hidden_faces, page=True),
    Route("GET", r"/suggestions", suggestions, page=True),
    Route("GET", r"/static/draw\.js", static),
    Route("GET", r"/static/select\.js", static),
    Route("GET", rf"/thumb/{ID}\.jpg", photo_image("small")),
    Route("GET", rf"/large/{ID}\.jpg", photo_image("large")),
    Route("GET", rf"/face/{ID}\.jpg", person_face),
    Route("GET", rf"/region/{ID}\.jpg", region_face),
    Route("POST", r"/action/name", action(actions.name_action)),
    Route("POST", r"/action/faces", action(actions.faces_action)),
    Route("POST", r"/action/suggestions", action(actions.suggestions_action)),
    Route("POST", r"/action/reject", action(actions.reject_action)),
    Route("POST", r"/action/draw", action(actions.draw_action)),
    Route("POST", r"/action/merge", action(actions.merge_action)),
    Route("POST", r"/action/rename", action(actions.rename_action)),
    Route("POST", r"/action/hide", action(actions.hide_action)),
    Route("POST", r"/action/remove", action(actions.remove_action)),
    Route("POST", r"/action/reference", action(actions.reference_action)),
    Route("POST", r"/action/undo", action(actions.undo_action)),
    Route("POST", r"/action/redo", action(actions.redo_action)),
)


def route_of(method: str, path: str) -> tuple[Route, tuple[int, ...]] | None:
    """The route that answers ``method path``, with the numbers its pattern took."""
    for route in ROUTES:
        args = route.match(method, path)
        if args is not None:
            return route, args
    return None


def local_page(value: str) -> str:
    """``value`` when it is a page of this gallery (path and query only), else ``/``: where an
    action may send the browser next (no open redirect, no header injection)."""
    parts = urlsplit(value)
    found = route_of("GET", parts.path)
    if (parts.scheme or parts.netloc or not value.startswith("/") or found is None or not found[0].page
            or any(not 0x20 < ord(ch) < 0x7F for ch in value)):
        return "/"
    return urlunsplit(("", "", parts.path, parts.query, ""))
