"""The gallery's HTTP server: ``http.server.ThreadingHTTPServer``, a fixed route table, a token.

Safety rules, all enforced here:
- bind 127.0.0.1 by default; any address that is not loopback needs a token (refused at start);
- with a token, every request must carry it (``?token=``, which also sets a cookie, the cookie,
  or ``Authorization: Bearer``); compared in constant time, before the request gets a handler;
- without a token the Host header must name a loopback host (no DNS-rebinding access);
- a token offered as ``?token=`` sets the cookie (HttpOnly, SameSite=Strict) and answers 303 to the
  same address without it, so it leaves the address bar; the log shows no query string's values
  (a token under an escaped name, ``tok%65n=``, is a token too);
- cross-site requests are refused on every route (``Sec-Fetch-Site`` other than ``same-origin`` or
  ``none`` is 403), every response says ``Cross-Origin-Resource-Policy: same-origin``: no other web
  page can load (or probe for) a photo;
- images are addressed by database id only: no request part is ever used as a path; anything
  outside the route table is 404;
- nothing changes on GET (or HEAD). Changes are ``POST /action/NAME`` only (``actions.py``), and a
  POST is answered only when: ``Sec-Fetch-Site`` is ``same-origin`` (or absent: not a browser);
  ``Origin`` (else ``Referer``) is the gallery's own origin; the body is a form of at most
  ``MAX_BODY`` bytes with a ``Content-Length``, arriving within ``request_timeout``; and its
  ``csrf`` field is the token bound to the request's session cookie (``session.py``). Every page
  gets that cookie (HttpOnly, SameSite=Strict); forms carry the token. Actions run one at a time
  and answer 303 to a page of the gallery (post, redirect, get), with their outcome shown once;
- the Content-Security-Policy allows scripts from the gallery only (``/static/draw.js``), never
  inline ones; every form works without it;
- bounded resources: one thread (``RequestReader``) waits for every connection's request head,
  and a form's body, without blocking on any of them; only a whole request (with the token, where
  one is set) gets a handler thread, so clients that send slowly or not at all cost a socket, never
  a slot of a real request. A head must arrive whole within ``request_timeout`` seconds, a body
  within as long again (no keep-alive: one request per connection); at most ``max_pending``
  connections wait so (the oldest is closed for a new one). At most ``max_handlers`` requests are
  handled at once (more are answered 503 and closed at once); every socket operation of a handler
  times out after ``io_timeout``; image decoding is bounded in ``thumbs`` (2 at a time, a pixel
  budget), and a photo file is opened without blocking (a FIFO put in its place is refused).
"""

from __future__ import annotations

import contextlib
import hmac
import io
import ipaddress
import re
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from plvm_photos.errors import LibraryError, environment_failure
from plvm_photos.imaging import ImageError
from plvm_photos.library import Library
from plvm_photos.web import pages, unknown
from plvm_photos.web.actions import ACTIONS, MAX_REGIONS, BadForm
from plvm_photos.web.layout import PageContext
from plvm_photos.web.session import COOKIE as SESSION_COOKIE
from plvm_photos.web.session import Sessions
from plvm_photos.web.static import STATIC
from plvm_photos.web.thumbs import Busy, face_thumbnail, prune_stale, thumbnail

COOKIE = "plvm_token"
MIN_TOKEN_LENGTH = 8
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~/=-]+")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
ALLOWED_FETCH_SITES = {"same-origin", "none"}  # Sec-Fetch-Site values answered; absent = not a browser
CSP = ("default-src 'none'; img-src 'self'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
MAX_REQUEST_HEAD = 16 * 1024  # request line and headers
MAX_BODY = 256 * 1024  # a form: naming a cluster of 5000 faces is ~60 KB
FORM_TYPE = "application/x-www-form-urlencoded"
WRONG_TOKEN = ("wrong or missing token: open the address printed by plvm-photos serve (the gallery keeps it in a "
               "cookie; cookies must be allowed)")
QUERY_VALUE = re.compile(r"([?&;][^=&;\s\"'#?]*=)[^&;\s\"'#]*")


class ServeRefused(LibraryError):
    """The server will not start with these settings (the message says why and what to do)."""


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address."""
    bare = host.strip("[]")
    if bare.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(bare, None)
    except socket.gaierror as exc:
        raise ServeRefused(f"cannot resolve --host {host!r}: {exc}") from None
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_bind(host: str, token: str | None) -> None:
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ServeRefused(f"--token must be at least {MIN_TOKEN_LENGTH} characters (a short token is guessable)")
    if token is not None and not TOKEN_CHARS.fullmatch(token):
        # It travels in a URL and a cookie: keep it to characters neither needs to escape.
        raise ServeRefused("--token may only use letters, digits and . _ ~ / = - (e.g. openssl rand -hex 16)")
    if not is_loopback(host) and not token:
        raise ServeRefused(
            f"refusing to serve on {host}: that address is reachable from other machines, and your photos "
            "would be open to anyone there. Give a secret with --token (e.g. --token \"$(openssl rand -hex 16)\") "
            "or keep the default --host 127.0.0.1."
        )


@dataclass(frozen=True)
class GalleryConfig:
    library: Library
    token: str | None = None
    quiet: bool = False
    host: str = "127.0.0.1"


ROUTES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"/"), "people"),
    (re.compile(r"/person/(\d{1,12})"), "person"),
    (re.compile(r"/photo/(\d{1,12})"), "photo"),
    (re.compile(r"/ask"), "ask"),
    (re.compile(r"/unknown"), "unknown"),
    (re.compile(r"/suggestions"), "suggestions"),
    (re.compile(r"/static/draw\.js"), "static"),
    (re.compile(r"/thumb/(\d{1,12})\.jpg"), "thumb"),
    (re.compile(r"/large/(\d{1,12})\.jpg"), "large"),
    (re.compile(r"/face/(\d{1,12})\.jpg"), "face"),
    (re.compile(r"/region/(\d{1,12})\.jpg"), "region"),
]


class NotFound(Exception):
    pass


class Unprocessable(Exception):
    """An existing photo that cannot be shown (not decodable, over the decode budget, changed)."""


def redact(text: str) -> str:
    """``text`` with the value of every query parameter replaced, whatever its name or escapes:
    for logs (a question asked or a token never reaches them)."""
    return QUERY_VALUE.sub(r"\1<redacted>", text)


def token_offered(token: str | None, query: dict[str, list[str]], headers) -> tuple[bool, bool]:
    """(allowed, came from the query string): whether the request carries ``token`` (``?token=``,
    ``Authorization: Bearer`` or the cookie), compared in constant time. Everything is allowed
    when no token is set."""
    if not token:
        return True, False
    expected = token.encode()
    offered: list[tuple[str, bool]] = []
    if "token" in query:
        offered.append((query["token"][0], True))
    auth = headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        offered.append((auth[7:].strip(), False))
    cookie = SimpleCookie()
    with contextlib.suppress(CookieError):  # a malformed Cookie header offers nothing
        cookie.load(headers.get("Cookie", ""))
    if COOKIE in cookie:
        offered.append((cookie[COOKIE].value, False))
    for value, from_query in offered:
        if hmac.compare_digest(value.encode("utf-8", "surrogateescape"), expected):
            return True, from_query
    return False, False


def query_without_token(query: str) -> str:
    """The raw query string minus its ``token`` parameters (others kept verbatim, in order)."""
    kept = [part for part in query.split("&") if part and "token" not in parse_qs(part, keep_blank_values=True)]
    return "&".join(kept)


ACTION_ROUTE = re.compile(r"/action/([a-z]{1,20})")
PAGES = {"people", "person", "photo", "ask", "unknown", "suggestions"}


def local_page(value: str) -> str:
    """``value`` when it is a page of this gallery (path and query only), else ``/``: where an
    action may send the browser next (no open redirect, no header injection)."""
    parts = urlsplit(value)
    found = route_of(parts.path)
    if (parts.scheme or parts.netloc or not value.startswith("/") or found is None or found[0] not in PAGES
            or any(not 0x20 < ord(ch) < 0x7F for ch in value)):
        return "/"
    return urlunsplit(("", "", parts.path, parts.query, ""))


def route_of(path: str) -> tuple[str, re.Match] | None:
    for pattern, name in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            return name, match
    return None


class GalleryHandler(BaseHTTPRequestHandler):
    server_version = "plvm-photos"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive connections to hold
    config: GalleryConfig  # set on the subclass made by make_server
    server: GalleryServer

    # --- plumbing -----------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.io_timeout)
        self._socket_rfile = self.rfile

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._socket_rfile.close()

    def handle(self) -> None:
        """Answer the one request ``RequestReader`` received whole (its head, and a form's body)."""
        self.close_connection = True
        head, self._body_start = self.server.take_received(self.connection)
        self.rfile = io.BytesIO(head)
        try:
            self.handle_one_request()
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, fmt, *args) -> None:
        if self.config.quiet:
            return
        sys.stderr.write(f"{self.address_string()} - {pages.readable(redact(fmt % args))}\n")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")  # the gallery's own POSTs carry Origin
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Vary", "Sec-Fetch-Site, Cookie, Authorization")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        body = pages.page(HTTPStatus(status).phrase, f"<h1>{status} {pages.esc(HTTPStatus(status).phrase)}</h1>"
                          f"<p>{pages.esc(message)}</p>")
        self._send(status, body.encode("utf-8", "backslashreplace"), "text/html; charset=utf-8",
                   {"Cache-Control": "no-store", **(extra or {})})

    def _cookies(self) -> SimpleCookie:
        cookie = SimpleCookie()
        with contextlib.suppress(CookieError):  # a malformed Cookie header offers nothing
            cookie.load(self.headers.get("Cookie", ""))
        return cookie

    def _session(self) -> str | None:
        cookie = self._cookies()
        value = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
        return value if Sessions.valid_id(value) else None

    def _token_ok(self, query: dict[str, list[str]]) -> tuple[bool, bool]:
        """(allowed, came from the query string)."""
        return token_offered(self.config.token, query, self.headers)

    def _host_ok(self) -> bool:
        if self.config.token:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES or name == self.config.host.lower()

    def _same_origin(self) -> bool:
        site = self.headers.get("Sec-Fetch-Site")
        return site is None or site.strip().lower() in ALLOWED_FETCH_SITES

    def _admitted(self, query: dict[str, list[str]]) -> tuple[bool, bool]:
        """Every check a request passes before routing; answers the refusals itself."""
        if not self._same_origin():
            self._text(403, "this gallery does not answer requests made by other web sites: open its address "
                       "directly (type or paste it into the address bar)")
            return False, False
        if not self._host_ok():
            self._text(403, "this gallery only answers requests addressed to localhost")
            return False, False
        allowed, from_query = self._token_ok(query)
        if not allowed:
            self._text(403, WRONG_TOKEN)
            return False, False
        return True, from_query

    # --- requests -----------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        admitted, from_query = self._admitted(query)
        if not admitted:
            return
        if from_query:
            # Keep the token in an HttpOnly cookie and take it out of the address bar (and history).
            if route_of(parts.path) is None:
                self._text(404, "no such page or photo")
                return
            clean = urlunsplit(("", "", parts.path, query_without_token(parts.query), ""))
            self._send(303, b"", "text/plain; charset=utf-8", {
                "Location": clean,
                "Set-Cookie": f"{COOKIE}={self.config.token}; HttpOnly; SameSite=Strict; Path=/",
                "Cache-Control": "no-store",
            })
            return
        try:
            self._route(parts.path, query)
        except NotFound:
            self._text(404, "no such page or photo")
        except Unprocessable as exc:
            self._text(422, str(exc))
        except Busy as exc:
            self._text(503, str(exc), {"Retry-After": "5"})
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        except Exception as exc:  # noqa: BLE001 - any bug: answer 500, keep serving, log what broke
            self.log_error("error on %s: %r", parts.path, exc)
            self._text(500, f"internal error: {type(exc).__name__}")

    # --- changes ----------------------------------------------------------------------------
    def _origin_ok(self) -> bool:
        """The request comes from a page of this gallery: its Origin (else Referer) names the host
        the request was sent to."""
        host = (self.headers.get("Host") or "").strip().lower()
        if not host:
            return False
        own = {f"http://{host}", f"https://{host}"}
        origin = self.headers.get("Origin")
        if origin is not None:
            return origin.strip().lower() in own
        referer = urlsplit(self.headers.get("Referer") or "")
        return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}".lower() in own

    def _read_body(self, length: int) -> bytes:
        data = bytearray(self._body_start[:length])
        deadline = time.monotonic() + self.server.request_timeout
        while len(data) < length:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request body not received in time")
            self.connection.settimeout(min(remaining, self.server.io_timeout))
            chunk = self.connection.recv(min(65536, length - len(data)))
            if not chunk:
                raise ConnectionResetError("request body cut short")
            data += chunk
        self.connection.settimeout(self.server.io_timeout)
        return bytes(data)

    def do_POST(self) -> None:
        if not self._admitted({})[0]:
            return
        site = self.headers.get("Sec-Fetch-Site")
        if (site is not None and site.strip().lower() != "same-origin") or not self._origin_ok():
            self._text(403, "changes are only taken from the gallery's own pages: open it and use its buttons")
            return
        match = ACTION_ROUTE.fullmatch(urlsplit(self.path).path)
        if match is None or match.group(1) not in ACTIONS:
            self._text(404, "no such action")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._text(411, "a form must say its length (Content-Length)")
            return
        if not 0 <= length <= MAX_BODY:
            self._text(413, f"a form may be at most {MAX_BODY} bytes")
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != FORM_TYPE:
            self._text(415, f"send the form as {FORM_TYPE}")
            return
        try:
            form = parse_qs(self._read_body(length).decode("utf-8"), keep_blank_values=True,
                            max_num_fields=MAX_REGIONS + 20)
        except (TimeoutError, ConnectionResetError, OSError):
            return
        except (UnicodeDecodeError, ValueError):
            self._text(400, "not a form of this gallery")
            return
        session = self._session()
        if not self.server.sessions.csrf_ok(session, (form.get("csrf") or [""])[0]):
            self._text(403, "this form is not from your current visit to the gallery (or it expired when the "
                       "gallery restarted): reload the page and try again")
            return
        back = local_page((form.get("next") or ["/"])[0])
        try:
            with self.server.curation_lock:
                done = ACTIONS[match.group(1)](self.config.library, form)
        except BadForm as exc:
            self._text(400, str(exc))
            return
        except (LibraryError, ValueError) as exc:
            self.server.sessions.flash(session, "error", str(exc))
            self._redirect(back)
            return
        except Exception as exc:  # noqa: BLE001 - the library busy or unwritable (said), or a bug (500)
            line = environment_failure(exc)
            if line is not None:
                self.server.sessions.flash(session, "error", line)
                self._redirect(back)
                return
            self.log_error("error on %s: %r", self.path, exc)
            self._text(500, f"internal error: {type(exc).__name__}")
            return
        self.server.sessions.flash(session, "ok", done.message)
        self._redirect(local_page(done.next) if done.next else back)

    def _redirect(self, location: str) -> None:
        self._send(303, b"", "text/plain; charset=utf-8", {"Location": location, "Cache-Control": "no-store"})

    # --- pages ------------------------------------------------------------------------------
    def _context(self, path: str, query: str) -> tuple[PageContext, dict[str, str]]:
        """The page context of this request, and the header that gives a new visitor a session."""
        from sqlalchemy import select

        from plvm_photos.curation.journal import last_action, next_redo
        from plvm_photos.db.models import Concept

        session, extra = self._session(), {}
        if session is None:
            session = Sessions.new_id()
            extra["Set-Cookie"] = Sessions.cookie(session)
        lib = self.config.library
        last, again = last_action(lib), next_redo(lib)
        with lib.session() as s:
            people = tuple(s.scalars(select(Concept.display).order_by(Concept.name)))
        here = local_page(urlunsplit(("", "", path, query_without_token(query), "")))
        ctx = PageContext(self.server.sessions.csrf(session), self.server.sessions.take_flash(session),
                          (last.id, last.summary) if last else None, (again.id, again.summary) if again else None,
                          here, people)
        return ctx, extra

    def _route(self, path: str, query: dict[str, list[str]]) -> None:
        found = route_of(path)
        if found is None:
            raise NotFound(path)
        name, match = found
        lib = self.config.library
        arg = int(match.group(1)) if match.groups() else None
        if name == "static":
            body, content_type = STATIC[path]
            return self._send(200, body, content_type, {"Cache-Control": "no-cache"})
        if name in PAGES:
            ctx, extra = self._context(path, urlsplit(self.path).query)
            page_no = _page_number(query)
            try:
                if name == "people":
                    return self._html(pages.people_page(lib, ctx, query.get("hidden", [""])[0] == "1"), extra)
                if name == "person":
                    return self._html(pages.person_page(lib, arg, ctx), extra)
                if name == "photo":
                    return self._html(pages.photo_page(lib, arg, ctx), extra)
                if name == "ask":
                    return self._html(pages.ask_page(lib, query.get("q", [""])[0], ctx), extra)
                if name == "unknown":
                    return self._html(unknown.unknown_page(lib, ctx, page_no), extra)
                if name == "suggestions":
                    return self._html(unknown.suggestions_page(lib, ctx, page_no), extra)
            except KeyError:
                raise NotFound(path) from None
        try:
            if name in ("thumb", "large"):
                sha, sources = pages.photo_source(lib, arg)
                return self._file(thumbnail(lib.root, sha, sources, "small" if name == "thumb" else "large"))
            if name == "face":
                key, sources, box, sha = pages.reference_face(lib, arg)
                return self._file(face_thumbnail(lib.root, key, sources, box, sha256=sha))
            if name == "region":
                key, sources, box, sha = pages.region_face(lib, arg)
                return self._file(face_thumbnail(lib.root, key, sources, box, sha256=sha))
        except (KeyError, FileNotFoundError):
            raise NotFound(path) from None
        except ImageError as exc:
            raise Unprocessable(f"this photo cannot be shown: {exc}") from None
        raise NotFound(path)

    def _html(self, text: str, extra: dict[str, str] | None = None) -> None:
        self._send(200, text.encode("utf-8", "backslashreplace"), "text/html; charset=utf-8",
                   {"Cache-Control": "no-store", **(extra or {})})

    def _file(self, path: Path) -> None:
        self._send(200, path.read_bytes(), "image/jpeg", {"Cache-Control": "private, max-age=3600"})


def _page_number(query: dict[str, list[str]]) -> int:
    value = query.get("page", ["1"])[0]
    return int(value) if value.isdigit() and len(value) < 7 else 1


def plain_response(status: int, message: str, extra: str = "") -> bytes:
    """A whole HTTP response with a one-line text body, for answers sent before any handler runs."""
    body = message.encode("ascii") + b"\n"
    return (f"HTTP/1.0 {status} {HTTPStatus(status).phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"X-Content-Type-Options: nosniff\r\nCross-Origin-Resource-Policy: same-origin\r\nCache-Control: no-store\r\n"
            f"{extra}Connection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode("ascii") + body


def _head_end(buf: bytearray) -> int | None:
    ends = [i + n for i, n in ((buf.find(b"\r\n\r\n"), 4), (buf.find(b"\n\n"), 2)) if i >= 0]
    return min(ends) if ends else None


def parse_head(head: bytes) -> tuple[str, str, object] | None:
    """(method, target, headers) of a request head; None when it is not one."""
    import http.client

    line, _, rest = head.partition(b"\n")
    words = line.decode("iso-8859-1").split()
    if len(words) != 3:
        return None
    try:
        headers = http.client.parse_headers(io.BytesIO(rest.lstrip(b"\r") + b"\r\n"))
    except (http.client.HTTPException, ValueError):
        return None
    return words[0], words[1], headers


@dataclass
class Receiving:
    """A connection whose request is still arriving."""

    sock: socket.socket
    address: tuple
    deadline: float  # monotonic: the head (then the body) must be whole by then
    buf: bytearray
    head_end: int | None = None
    body_length: int = 0  # a form's Content-Length, once the head is whole


class RequestReader:
    """One thread that receives, without blocking on any of them, the request head (and a form's
    body) of every new connection, then hands the whole request to a handler thread: only then is a
    slot of ``max_handlers`` spent, and only on a request with the token where one is set. A client
    that sends slowly, or nothing, holds a socket here until its deadline; at most ``max_pending``
    do (the one waiting longest is closed to make room)."""

    def __init__(self, server: GalleryServer):
        self.server = server
        self.selector = selectors.DefaultSelector()
        self.waiting: dict[socket.socket, Receiving] = {}
        self.incoming: list[tuple[socket.socket, tuple]] = []
        self.lock = threading.Lock()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_w.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="gallery-request-reader", daemon=True)
        self.thread.start()

    def add(self, sock: socket.socket, address: tuple) -> None:
        """A connection just accepted (from the accepting thread)."""
        with self.lock:
            self.incoming.append((sock, address))
        with contextlib.suppress(OSError):
            self.wake_w.send(b"\0")

    def stop(self) -> None:
        self.stopped = True
        with contextlib.suppress(OSError):
            self.wake_w.send(b"\0")

    def _run(self) -> None:
        try:
            while not self.stopped:
                soonest = min((r.deadline for r in self.waiting.values()), default=time.monotonic() + 1.0)
                for key, _ in self.selector.select(max(0.0, min(1.0, soonest - time.monotonic()))):
                    if key.fileobj is self.wake_r:
                        with contextlib.suppress(OSError):
                            self.wake_r.recv(4096)
                    else:
                        try:
                            self._receive(key.fileobj)
                        except Exception as exc:  # noqa: BLE001 - a bug: that connection closed, every other served
                            print(f"plvm-photos serve: error receiving a request: {exc!r}", file=sys.stderr)
                            self._close(key.fileobj)
                self._take_incoming()
                now = time.monotonic()
                for late in [r.sock for r in self.waiting.values() if r.deadline <= now]:
                    self._close(late)  # too slow: closed without a word
        finally:
            for sock in list(self.waiting):
                self._close(sock)
            self.selector.close()
            self.wake_r.close()
            self.wake_w.close()

    def _take_incoming(self) -> None:
        with self.lock:
            incoming, self.incoming = self.incoming, []
        for sock, address in incoming:
            while len(self.waiting) >= self.server.max_pending:
                self._close(next(iter(self.waiting)))  # the one waiting longest (dicts keep their order)
            try:
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                self.server.shutdown_request(sock)
                continue
            self.waiting[sock] = Receiving(sock, address, time.monotonic() + self.server.request_timeout, bytearray())

    def _receive(self, sock: socket.socket) -> None:
        r = self.waiting.get(sock)
        if r is None:
            return
        try:
            chunk = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(sock)
            return
        r.buf += chunk
        if r.head_end is None:
            r.head_end = _head_end(r.buf)
            if r.head_end is None and len(r.buf) <= MAX_REQUEST_HEAD:
                return
            if r.head_end is None or r.head_end > MAX_REQUEST_HEAD:
                self._answer(sock, plain_response(431, "request head too large"))
                return
            r.body_length = self._form_length(bytes(r.buf[: r.head_end]))
            r.deadline = time.monotonic() + self.server.request_timeout  # a body within as long again
        if len(r.buf) - r.head_end >= r.body_length:
            self._dispatch(r)

    @staticmethod
    def _form_length(head: bytes) -> int:
        """The body to receive before handling: a POST's Content-Length when it is one the handler
        reads (any other is answered by the handler at once)."""
        parsed = parse_head(head)
        if parsed is None or parsed[0] != "POST":
            return 0
        length = (parsed[2].get("Content-Length") or "").strip()
        return int(length) if length.isdigit() and int(length) <= MAX_BODY else 0

    def _dispatch(self, r: Receiving) -> None:
        self._forget(r.sock)
        head, rest = bytes(r.buf[: r.head_end]), bytes(r.buf[r.head_end:])
        token = self.server.RequestHandlerClass.config.token
        if token:
            parsed = parse_head(head)
            query = parse_qs(urlsplit(parsed[1]).query, keep_blank_values=True) if parsed else {}
            if parsed is None or not token_offered(token, query, parsed[2])[0]:
                self._answer(r.sock, plain_response(403, WRONG_TOKEN), forgotten=True)
                return
        self.server.handle_received(r.sock, r.address, head, rest)

    def _answer(self, sock: socket.socket, response: bytes, forgotten: bool = False) -> None:
        if not forgotten:
            self._forget(sock)
        with contextlib.suppress(OSError):
            sock.send(response)  # small: fits the socket's buffer, never waits on the client
        self.server.shutdown_request(sock)

    def _forget(self, sock: socket.socket) -> None:
        self.waiting.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(sock)

    def _close(self, sock: socket.socket) -> None:
        self._forget(sock)
        self.server.shutdown_request(sock)


class GalleryServer(ThreadingHTTPServer):
    """A thread per whole request (``RequestReader`` receives them), at most ``max_handlers`` at
    once; the rest are answered 503. Curation actions run one at a time (``curation_lock``)."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # listen backlog
    max_handlers = 32
    max_pending = 512  # connections whose request is still arriving
    request_timeout = 5.0  # seconds to receive a whole request head
    io_timeout = 15.0  # seconds for any one socket operation (sending an image included)
    BUSY = plain_response(503, "too many requests at once; try again in a moment", "Retry-After: 2\r\n")

    def server_activate(self) -> None:
        super().server_activate()
        self.set_limits()
        self.sessions = Sessions()
        self.curation_lock = threading.Lock()
        self._received: dict[socket.socket, tuple[bytes, bytes]] = {}
        self._reader = RequestReader(self)

    def server_close(self) -> None:
        super().server_close()
        self._reader.stop()

    def set_limits(self, max_handlers: int | None = None, request_timeout: float | None = None,
                   io_timeout: float | None = None, max_pending: int | None = None) -> None:
        """Change the limits (before serving)."""
        if max_pending is not None:
            self.max_pending = max_pending
        if max_handlers is not None:
            self.max_handlers = max_handlers
        if request_timeout is not None:
            self.request_timeout = request_timeout
        if io_timeout is not None:
            self.io_timeout = io_timeout
        self._slots = threading.BoundedSemaphore(self.max_handlers)

    def process_request(self, request, client_address) -> None:
        """A new connection: its request is received by the reader, not by a thread of its own."""
        self._reader.add(request, client_address)

    def handle_received(self, request, client_address, head: bytes, rest: bytes) -> None:
        """A whole request (from the reader): a handler thread when a slot is free, else 503."""
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        self._received[request] = (head, rest)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._received.pop(request, None)
            self._slots.release()
            raise

    def take_received(self, request) -> tuple[bytes, bytes]:
        """(the request head, the body bytes received with it) of ``request``, for its handler."""
        return self._received.pop(request)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request) -> None:
        with contextlib.suppress(OSError):
            request.send(self.BUSY)  # the socket is non-blocking (the reader's)
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # timeouts and dropped connections are routine
            return
        super().handle_error(request, client_address)


class GalleryServer6(GalleryServer):
    address_family = socket.AF_INET6


def make_server(library: Library, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
                quiet: bool = False, *, max_handlers: int | None = None, request_timeout: float | None = None,
                io_timeout: float | None = None, max_pending: int | None = None, prune: bool = True) -> GalleryServer:
    """A bound (not yet serving) gallery server; port 0 picks a free port. With ``prune``, stale
    thumbnails are removed in the background meanwhile."""
    check_bind(host, token)
    handler = type("BoundGalleryHandler", (GalleryHandler,), {"config": GalleryConfig(library, token or None, quiet, host)})
    cls = GalleryServer6 if ":" in host.strip("[]") else GalleryServer
    try:
        server = cls((host.strip("[]"), port), handler)
    except OSError as exc:
        raise ServeRefused(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)") from None
    server.set_limits(max_handlers, request_timeout, io_timeout, max_pending)
    if prune:
        threading.Thread(target=_prune_quietly, args=(library,), name="thumbnail-prune", daemon=True).start()
    return server


def _prune_quietly(library: Library) -> None:
    try:
        prune_stale(library.root, pages.live_hashes(library))
    except Exception as exc:  # noqa: BLE001 - cleaning is best effort; serving goes on
        print(f"plvm-photos serve: could not clean stale thumbnails: {exc!r}", file=sys.stderr)


def url_of(server: GalleryServer, token: str | None) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
