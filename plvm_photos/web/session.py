"""Browser sessions of the gallery: a random session cookie, the CSRF token bound to it, and the
one message a session is shown after an action (post, redirect, get).

The session id is 32 random bytes in an HttpOnly, SameSite=Strict cookie. The CSRF token is an
HMAC of the session id under a key made when the server starts: nothing is stored per session,
a token from another session (or another run of the server) never matches, and a page of another
site can neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict

COOKIE = "plvm_session"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_FLASHES = 1000


class Sessions:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._flashes: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def valid_id(value: str | None) -> bool:
        return bool(value) and SESSION_ID.fullmatch(value) is not None

    def csrf(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode("ascii"), hashlib.sha256).hexdigest()

    def csrf_ok(self, session_id: str | None, token: str | None) -> bool:
        if not self.valid_id(session_id) or not token:
            return False
        return hmac.compare_digest(self.csrf(session_id).encode(), token.encode("utf-8", "surrogateescape"))

    def flash(self, session_id: str, kind: str, text: str) -> None:
        with self._lock:
            self._flashes[session_id] = (kind, text)
            self._flashes.move_to_end(session_id)
            while len(self._flashes) > MAX_FLASHES:
                self._flashes.popitem(last=False)

    def take_flash(self, session_id: str | None) -> tuple[str, str] | None:
        if session_id is None:
            return None
        with self._lock:
            return self._flashes.pop(session_id, None)

    @staticmethod
    def cookie(session_id: str) -> str:
        return f"{COOKIE}={session_id}; HttpOnly; SameSite=Strict; Path=/"
