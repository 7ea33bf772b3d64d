"""The gallery's HTTP server: its three rooms put together, on ``http.server``.

- transport (``transport.py``): connections, deadlines, sizes, concurrency: one thread receives
  every request whole before a handler thread takes it; at most ``max_handlers`` at once;
- guard (``guard.py``): origin, Host, token, CSRF, the security headers of every response;
- routes (``routes.py``): one table of (method, pattern, handler) rows; the handlers read through
  the ``Library`` API and build their HTML with ``markup`` (escaping by default).

A request: the transport's reader receives it, the guard's ``screen`` checks its token; then, in a
handler thread (``GalleryHandler``), the guard's refusals, its route, its handler, its response.
Images are addressed by database id only: no request part is ever used as a path; anything
outside the route table is 404. Nothing changes on GET (or HEAD); changes are ``POST
/action/NAME``, run one at a time and answered 303 to a page of the gallery (post, redirect, get),
with their outcome shown once. Image decoding is bounded in ``thumbs`` (2 at a time, a pixel
budget), and a photo file is opened without blocking (a FIFO put in its place is refused).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit, urlunsplit

from plvm_photos.library import Library
from plvm_photos.web.actions import MAX_REGIONS
from plvm_photos.web.guard import RESPONSE_HEADERS, Guard, Refusal, ServeRefused, check_bind, query_without_token, redact
from plvm_photos.web.markup import readable
from plvm_photos.web.routes import Request, Response, Route, Unprocessable, Visit, local_page, message, route_of
from plvm_photos.web.session import Sessions
from plvm_photos.web.thumbs import Busy, prune_stale
from plvm_photos.web.transport import GalleryServer, GalleryServer6, ReceivedRequestHandler

NOT_FOUND = "no such page or photo"


@dataclass(frozen=True)
class Gallery:
    library: Library
    guard: Guard
    sessions: Sessions
    quiet: bool
    one_at_a_time: threading.Lock  # actions run one at a time


class GalleryHandler(ReceivedRequestHandler):
    server_version = "plvm-photos"
    sys_version = ""
    gallery: Gallery  # set on the subclass made by make_server

    def log_message(self, fmt, *args) -> None:
        if self.gallery.quiet:
            return
        sys.stderr.write(f"{self.address_string()} - {readable(redact(fmt % args))}\n")

    def respond(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for headers in (RESPONSE_HEADERS, response.headers):
            for key, value in headers.items():
                self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def refuse(self, refusal: Refusal) -> None:
        self.respond(message(refusal.status, refusal.message))

    def answer(self, route: Route, request: Request, new_session: bool = False) -> None:
        """The route's handler's response, or the status its failure means."""
        try:
            response = route.handler(request)
            if route.page and new_session:
                response = replace(response, headers={**response.headers, "Set-Cookie": Sessions.cookie(request.visit.id)})
        except KeyError:  # an id that names nothing
            response = message(404, NOT_FOUND)
        except Unprocessable as exc:
            response = message(422, str(exc))
        except Busy as exc:
            response = message(503, str(exc), {"Retry-After": "5"})
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return
        except Exception as exc:  # noqa: BLE001 - any bug: answer 500, keep serving, log what broke
            self.log_error("error on %s: %r", urlsplit(self.path).path, exc)
            response = message(500, f"internal error: {type(exc).__name__}")
        self.respond(response)

    # --- requests -----------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        guard = self.gallery.guard
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        refused = guard.refusal(self.headers, query)
        if refused is not None:
            return self.refuse(refused)
        found = route_of("GET", parts.path)
        if found is None:
            return self.respond(message(404, NOT_FOUND))
        clean = urlunsplit(("", "", parts.path, query_without_token(parts.query), ""))
        if guard.token_in_query(query, self.headers):
            # Keep the token in an HttpOnly cookie and take it out of the address bar (and history).
            return self.respond(Response(303, b"", "text/plain; charset=utf-8", {
                "Location": clean, "Set-Cookie": guard.token_cookie(), "Cache-Control": "no-store"}))
        session = guard.session_id(self.headers)
        route, args = found
        visit = Visit(self.gallery.sessions, session or Sessions.new_id())
        self.answer(route, Request(self.gallery.library, parts.path, query, local_page(clean), visit,
                                   self.gallery.one_at_a_time, args), new_session=session is None)

    def do_POST(self) -> None:
        guard = self.gallery.guard
        refused = guard.refusal(self.headers, {}) or guard.change_refusal(self.headers)
        if refused is not None:
            return self.refuse(refused)
        path = urlsplit(self.path).path
        found = route_of("POST", path)
        if found is None:
            return self.respond(message(404, "no such action"))
        length = guard.form_length(self.headers)
        if isinstance(length, Refusal):
            return self.refuse(length)
        try:
            form = parse_qs(self.read_body(length).decode("utf-8"), keep_blank_values=True,
                            max_num_fields=MAX_REGIONS + 20)
        except (TimeoutError, ConnectionResetError, OSError):
            return
        except (UnicodeDecodeError, ValueError):
            return self.respond(message(400, "not a form of this gallery"))
        session = guard.session_id(self.headers)
        refused = guard.csrf_refusal(session, form)
        if refused is not None:
            return self.refuse(refused)
        route, args = found
        self.answer(route, Request(self.gallery.library, path, {}, "/", Visit(self.gallery.sessions, session),
                                   self.gallery.one_at_a_time, args, form))


def make_server(library: Library, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
                quiet: bool = False, *, max_handlers: int | None = None, request_timeout: float | None = None,
                io_timeout: float | None = None, max_pending: int | None = None, background: bool = True) -> GalleryServer:
    """A bound (not yet serving) gallery server; port 0 picks a free port. With ``background``, a
    thread reads the unknown faces' ids meanwhile (so that the first unknown faces page need not:
    0.2 s at 96 000 faces) and removes stale thumbnails."""
    check_bind(host, token)
    sessions = Sessions()
    gallery = Gallery(library, Guard(token, host, sessions), sessions, quiet, threading.Lock())
    handler = type("BoundGalleryHandler", (GalleryHandler,), {"gallery": gallery})
    cls = GalleryServer6 if ":" in host.strip("[]") else GalleryServer
    try:
        server = cls((host.strip("[]"), port), handler)
    except OSError as exc:
        raise ServeRefused(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)") from None
    server.set_limits(max_handlers, request_timeout, io_timeout, max_pending)
    server.screen = gallery.guard.screen
    if background:
        threading.Thread(target=_start_quietly, args=(library,), name="gallery-start", daemon=True).start()
    return server


def _start_quietly(library: Library) -> None:
    try:
        library.unknown_face_ids()
    except Exception as exc:  # noqa: BLE001 - reading ahead is best effort: the page reads them itself
        print(f"plvm-photos serve: could not read the unknown faces ahead: {exc!r}", file=sys.stderr)
    try:
        prune_stale(library.root, library.live_hashes())
    except Exception as exc:  # noqa: BLE001 - cleaning is best effort; serving goes on
        print(f"plvm-photos serve: could not clean stale thumbnails: {exc!r}", file=sys.stderr)


def url_of(server: GalleryServer, token: str | None) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
