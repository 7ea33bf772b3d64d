"""The gallery's guard: who may be answered, and which requests may change anything.

- bind 127.0.0.1 by default; any address that is not loopback needs a token (``check_bind``,
  refused at start);
- with a token, every request must carry it (``?token=``, which also sets a cookie, the cookie,
  or ``Authorization: Bearer``); compared in constant time, before the request gets a handler
  (``screen``, run by the transport's reader);
- without a token the Host header must name a loopback host or the address served (no
  DNS-rebinding access);
- a token offered as ``?token=`` sets the cookie (HttpOnly, SameSite=Strict) and answers 303 to the
  same address without it, so it leaves the address bar; the log shows no query string's values
  (``redact``: a token under an escaped name, ``tok%65n=``, is a token too);
- cross-site requests are refused on every route (``Sec-Fetch-Site`` other than ``same-origin`` or
  ``none`` is 403), every response says ``Cross-Origin-Resource-Policy: same-origin``
  (``RESPONSE_HEADERS``): no other web page can load (or probe for) a photo;
- nothing changes on GET (or HEAD). A POST is answered only when: ``Sec-Fetch-Site`` is
  ``same-origin`` (or absent: not a browser); ``Origin`` (else ``Referer``) is the gallery's own
  origin; the body is a form with a ``Content-Length`` of at most ``transport.MAX_BODY`` bytes;
  and its ``csrf`` field is the token bound to the request's session cookie (``session.py``);
- the Content-Security-Policy allows scripts from the gallery only (``/static/draw.js``), never
  inline ones.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import re
import socket
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from plvm_photos.errors import LibraryError
from plvm_photos.web.session import COOKIE as SESSION_COOKIE
from plvm_photos.web.session import Sessions
from plvm_photos.web.transport import MAX_BODY, Head, plain_response

COOKIE = "plvm_token"
MIN_TOKEN_LENGTH = 8
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~/=-]+")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
ALLOWED_FETCH_SITES = {"same-origin", "none"}  # Sec-Fetch-Site values answered; absent = not a browser
CSP = ("default-src 'none'; img-src 'self'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
RESPONSE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # the gallery's own POSTs carry Origin
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Vary": "Sec-Fetch-Site, Cookie, Authorization",
}
FORM_TYPE = "application/x-www-form-urlencoded"
WRONG_TOKEN = ("wrong or missing token: open the address printed by plvm-photos serve (the gallery keeps it in a "
               "cookie; cookies must be allowed)")
QUERY_VALUE = re.compile(r"([?&;][^=&;\s\"'#?]*=)[^&;\s\"'#]*")


class ServeRefused(LibraryError):
    """The server will not start with these settings (the message says why and what to do)."""


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


# --- at start ---------------------------------------------------------------------------------------
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


# --- the token --------------------------------------------------------------------------------------
def _cookies(headers) -> SimpleCookie:
    cookie = SimpleCookie()
    with contextlib.suppress(CookieError):  # a malformed Cookie header offers nothing
        cookie.load(headers.get("Cookie", ""))
    return cookie


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
    cookie = _cookies(headers)
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


def redact(text: str) -> str:
    """``text`` with the value of every query parameter replaced, whatever its name or escapes:
    for logs (a question asked or a token never reaches them)."""
    return QUERY_VALUE.sub(r"\1<redacted>", text)


# --- every request ------------------------------------------------------------------------------------
class Guard:
    def __init__(self, token: str | None, host: str, sessions: Sessions):
        self.token, self.host, self.sessions = token or None, host, sessions

    def screen(self, head: Head | None) -> bytes | None:
        """For the transport's reader, before a request takes a handler: a whole 403 response for a
        request without the token (where one is set), else None."""
        if not self.token:
            return None
        query = parse_qs(urlsplit(head.target).query, keep_blank_values=True) if head else {}
        if head is None or not token_offered(self.token, query, head.headers)[0]:
            return plain_response(403, WRONG_TOKEN)
        return None

    def refusal(self, headers, query: dict[str, list[str]]) -> Refusal | None:
        """Why a request is not answered at all (another site's, for another host, without the
        token), else None."""
        site = headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() not in ALLOWED_FETCH_SITES:
            return Refusal(403, "this gallery does not answer requests made by other web sites: open its address "
                                "directly (type or paste it into the address bar)")
        if not self._host_ok(headers):
            return Refusal(403, "this gallery only answers requests addressed to localhost")
        if not token_offered(self.token, query, headers)[0]:
            return Refusal(403, WRONG_TOKEN)
        return None

    def token_in_query(self, query: dict[str, list[str]], headers) -> bool:
        """The token came as ``?token=``: it is to be kept in a cookie and taken out of the address."""
        return token_offered(self.token, query, headers)[1]

    def token_cookie(self) -> str:
        return f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"

    def _host_ok(self, headers) -> bool:
        if self.token:
            return True
        host = (headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES or name == self.host.lower()

    # --- changes ----------------------------------------------------------------------------------
    def change_refusal(self, headers) -> Refusal | None:
        """Why a POST may change nothing: it does not come from a page of this gallery."""
        site = headers.get("Sec-Fetch-Site")
        if (site is not None and site.strip().lower() != "same-origin") or not self._origin_ok(headers):
            return Refusal(403, "changes are only taken from the gallery's own pages: open it and use its buttons")
        return None

    @staticmethod
    def _origin_ok(headers) -> bool:
        """Its Origin (else Referer) names the host the request was sent to."""
        host = (headers.get("Host") or "").strip().lower()
        if not host:
            return False
        own = {f"http://{host}", f"https://{host}"}
        origin = headers.get("Origin")
        if origin is not None:
            return origin.strip().lower() in own
        referer = urlsplit(headers.get("Referer") or "")
        return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}".lower() in own

    @staticmethod
    def form_length(headers) -> int | Refusal:
        """The length of a POST's form, or why it is not read: no length, too long, not a form."""
        try:
            length = int(headers.get("Content-Length", ""))
        except ValueError:
            return Refusal(411, "a form must say its length (Content-Length)")
        if not 0 <= length <= MAX_BODY:
            return Refusal(413, f"a form may be at most {MAX_BODY} bytes")
        if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != FORM_TYPE:
            return Refusal(415, f"send the form as {FORM_TYPE}")
        return length

    def csrf_refusal(self, session_id: str | None, form: dict[str, list[str]]) -> Refusal | None:
        if not self.sessions.csrf_ok(session_id, (form.get("csrf") or [""])[0]):
            return Refusal(403, "this form is not from your current visit to the gallery (or it expired when the "
                                "gallery restarted): reload the page and try again")
        return None

    @staticmethod
    def session_id(headers) -> str | None:
        """The visitor's session (a valid id from its cookie), else None."""
        cookie = _cookies(headers)
        value = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
        return value if Sessions.valid_id(value) else None
