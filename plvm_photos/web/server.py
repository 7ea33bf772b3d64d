"""The gallery's HTTP server: ``http.server.ThreadingHTTPServer``, a fixed route table, a token.

Safety rules, all enforced here:
- bind 127.0.0.1 by default; any address that is not loopback needs a token (refused at start);
- with a token, every request must carry it (``?token=``, which also sets a cookie, the cookie,
  or ``Authorization: Bearer``); compared in constant time;
- without a token the Host header must name a loopback host (no DNS-rebinding access);
- images are addressed by database id only: no request part is ever used as a path; anything
  outside the route table is 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from plvm_photos.imaging import ImageError
from plvm_photos.library import Library, LibraryError
from plvm_photos.web import pages
from plvm_photos.web.thumbs import face_thumbnail, thumbnail

COOKIE = "plvm_token"
MIN_TOKEN_LENGTH = 8
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~/=-]+")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


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
    (re.compile(r"/thumb/(\d{1,12})\.jpg"), "thumb"),
    (re.compile(r"/large/(\d{1,12})\.jpg"), "large"),
    (re.compile(r"/face/(\d{1,12})\.jpg"), "face"),
    (re.compile(r"/region/(\d{1,12})\.jpg"), "region"),
]


class NotFound(Exception):
    pass


class GalleryHandler(BaseHTTPRequestHandler):
    server_version = "plvm-photos"
    sys_version = ""
    config: GalleryConfig  # set on the subclass made by make_server

    # --- plumbing -----------------------------------------------------------------------------
    def log_message(self, fmt, *args) -> None:
        if not self.config.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        )
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        body = pages.page(HTTPStatus(status).phrase, f"<h1>{status} {pages.esc(HTTPStatus(status).phrase)}</h1>"
                          f"<p>{pages.esc(message)}</p>")
        self._send(status, body.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

    def _token_ok(self, query: dict[str, list[str]]) -> tuple[bool, bool]:
        """(allowed, came from the query string)."""
        token = self.config.token
        if not token:
            return True, False
        expected = token.encode()
        offered: list[tuple[str, bool]] = []
        if "token" in query:
            offered.append((query["token"][0], True))
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            offered.append((auth[7:].strip(), False))
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except Exception:
            pass
        if COOKIE in cookie:
            offered.append((cookie[COOKIE].value, False))
        for value, from_query in offered:
            if hmac.compare_digest(value.encode(), expected):
                return True, from_query
        return False, False

    def _host_ok(self) -> bool:
        if self.config.token:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES or name == self.config.host.lower()

    # --- requests -----------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if not self._host_ok():
            self._text(403, "this gallery only answers requests addressed to localhost")
            return
        allowed, from_query = self._token_ok(query)
        if not allowed:
            self._text(403, "wrong or missing token: open the address printed by plvm-photos serve")
            return
        extra = {}
        if from_query:
            extra["Set-Cookie"] = f"{COOKIE}={self.config.token}; HttpOnly; SameSite=Strict; Path=/"
        try:
            self._route(parts.path, query, extra)
        except NotFound:
            self._text(404, "no such page or photo")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # keep serving; show what broke
            self.log_error("error on %s: %r", parts.path, exc)
            self._text(500, f"internal error: {type(exc).__name__}")

    def do_POST(self) -> None:
        self._text(405, "this gallery is read-only")

    def _route(self, path: str, query: dict[str, list[str]], extra: dict[str, str]) -> None:
        for pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                break
        else:
            raise NotFound(path)
        lib = self.config.library
        arg = int(match.group(1)) if match.groups() else None
        try:
            if name == "people":
                return self._html(pages.people_page(lib), extra)
            if name == "person":
                return self._html(pages.person_page(lib, arg), extra)
            if name == "photo":
                return self._html(pages.photo_page(lib, arg), extra)
            if name == "ask":
                return self._html(pages.ask_page(lib, query.get("q", [""])[0]), extra)
            if name == "unknown":
                return self._html(pages.unknown_page(lib), extra)
            if name in ("thumb", "large"):
                sha, source = pages.photo_source(lib, arg)
                return self._file(thumbnail(lib.root, sha, source, "small" if name == "thumb" else "large"), extra)
            if name == "face":
                key, source, box = pages.reference_face(lib, arg)
                return self._file(face_thumbnail(lib.root, key, source, box), extra)
            if name == "region":
                key, source, box = pages.region_face(lib, arg)
                return self._file(face_thumbnail(lib.root, key, source, box), extra)
        except (KeyError, ImageError):
            raise NotFound(path) from None
        raise NotFound(path)

    def _html(self, text: str, extra: dict[str, str]) -> None:
        self._send(200, text.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store", **extra})

    def _file(self, path: Path, extra: dict[str, str]) -> None:
        self._send(200, path.read_bytes(), "image/jpeg", {"Cache-Control": "private, max-age=3600", **extra})


class GalleryServer(ThreadingHTTPServer):
    daemon_threads = True


class GalleryServer6(GalleryServer):
    address_family = socket.AF_INET6


def make_server(library: Library, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
                quiet: bool = False) -> GalleryServer:
    """A bound (not yet serving) gallery server; port 0 picks a free port."""
    check_bind(host, token)
    handler = type("BoundGalleryHandler", (GalleryHandler,), {"config": GalleryConfig(library, token or None, quiet, host)})
    cls = GalleryServer6 if ":" in host.strip("[]") else GalleryServer
    try:
        return cls((host.strip("[]"), port), handler)
    except OSError as exc:
        raise ServeRefused(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)") from None


def url_of(server: GalleryServer, token: str | None) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
