"""Changes only through the gallery's own forms: POST, the session's CSRF token, the gallery's own
origin, a bounded body. Forged requests change nothing; GET never changes anything.

The library is written row by row (``synthetic_library``): no face engine runs.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from plvm_photos.db.models import Concept
from tests.web.helpers import http_get, noise_jpeg, start_server, synthetic_library


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("csrf")
    (root / "photos").mkdir()
    photo = str(noise_jpeg(root / "photos" / "a.jpg", 1))
    library, _ = synthetic_library(root / "lib", {photo: [("eileen", (10, 10, 200, 200))]}, ["eileen"])
    server = start_server(library, request_timeout=1.0)
    yield library, server
    server.shutdown()
    server.server_close()
    library.close()


def hidden(library, name: str = "eileen") -> bool:
    with library.session() as s:
        return bool(s.scalar(select(Concept.hidden).where(Concept.name == name)))


def visit(server) -> tuple[str, str]:
    """(session cookie, CSRF token) as a browser gets them by opening a page."""
    status, body, headers = http_get(server, "/person/1")
    assert status == 200
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("plvm_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = re.search(r"name='csrf' value='([0-9a-f]+)'", body.decode()).group(1)
    return cookie.split(";")[0], token


def post(server, path: str, fields: dict, headers: dict | None = None, body: bytes | None = None):
    host, port = server.server_address[:2]
    data = body if body is not None else urlencode(fields).encode()
    sent = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(data))}
    for k, v in (headers or {}).items():
        if v is None:
            sent.pop(k, None)
        else:
            sent[k] = v
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(data)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders())
    finally:
        conn.close()


def test_a_form_of_the_gallery_changes_the_library_and_undo_reverts_it(served):
    library, server = served
    cookie, token = visit(server)
    status, headers = post(server, "/action/hide", {"person": "eileen", "hidden": "1", "csrf": token, "next": "/person/1"},
                           {"Cookie": cookie})
    assert status == 303 and headers["Location"] == "/person/1" and hidden(library)
    page = http_get(server, "/person/1", {"Cookie": cookie})[1].decode()
    assert "&lt;eileen&gt; is hidden" in page and "Undo: hid &lt;eileen&gt;" in page  # the outcome, shown once
    assert "is hidden: still" not in http_get(server, "/person/1", {"Cookie": cookie})[1].decode()
    status, _ = post(server, "/action/undo", {"csrf": token, "entry": shown_entry(page, "undo")}, {"Cookie": cookie})
    assert status == 303 and not hidden(library)


def shown_entry(page: str, verb: str) -> str:
    """The journal entry the page's Undo (or Redo) form names."""
    return re.search(rf"action='/action/{verb}'>.*?name='entry' value='(\d+)'", page).group(1)


def test_an_undo_from_a_page_shown_before_another_action_is_refused_and_redo_does_it_again(served):
    """The page says "Undo: hid <eileen>"; meanwhile a terminal renames her; the page's Undo must
    not undo the renaming (it once did: the form did not say which action it meant)."""
    from plvm_photos.curation.people import rename_person

    library, server = served
    cookie, token = visit(server)
    post(server, "/action/hide", {"person": "eileen", "hidden": "1", "csrf": token}, {"Cookie": cookie})
    page = http_get(server, "/person/1", {"Cookie": cookie})[1].decode()
    hid = shown_entry(page, "undo")
    rename_person(library, "eileen", "Eileen C")  # another client, meanwhile
    status, headers = post(server, "/action/undo", {"csrf": token, "entry": hid, "next": "/person/1"}, {"Cookie": cookie})
    page = http_get(server, headers["Location"], {"Cookie": cookie})[1].decode()
    assert "the last action is now" in page and "renamed &lt;eileen&gt; to &lt;Eileen C&gt;" in page
    with library.session() as s:
        assert s.scalar(select(Concept.display)) == "Eileen C" and hidden(library, "eileen_c")
    renamed = shown_entry(page, "undo")
    post(server, "/action/undo", {"csrf": token, "entry": renamed}, {"Cookie": cookie})
    page = http_get(server, "/person/1", {"Cookie": cookie})[1].decode()
    assert "Redo: renamed" in page and shown_entry(page, "redo") == renamed and hidden(library)
    status, _ = post(server, "/action/redo", {"csrf": token, "entry": renamed}, {"Cookie": cookie})
    assert status == 303
    with library.session() as s:
        assert s.scalar(select(Concept.display)) == "Eileen C"
    for entry in (renamed, hid):  # back as the other tests expect her
        post(server, "/action/undo", {"csrf": token, "entry": entry}, {"Cookie": cookie})
    assert not hidden(library) and "Redo: hid" in http_get(server, "/person/1", {"Cookie": cookie})[1].decode()


FORGED = {
    "another site's origin": ({"Origin": "http://evil.example"}, True),
    "an opaque origin": ({"Origin": "null"}, True),
    "no origin, another site's referer": ({"Origin": None, "Referer": "http://evil.example/x"}, True),
    "neither origin nor referer": ({"Origin": None}, True),
    "a cross-site fetch": ({"Sec-Fetch-Site": "cross-site"}, True),
    "a same-site fetch": ({"Sec-Fetch-Site": "same-site"}, True),
    "a typed-in request": ({"Sec-Fetch-Site": "none"}, True),
    "no token": ({}, False),
    "no session cookie": ({"Cookie": None}, True),
    "another session's cookie": ({"Cookie": "plvm_session=" + "A" * 43}, True),
}


@pytest.mark.parametrize("case", list(FORGED))
def test_forged_posts_change_nothing(served, case):
    library, server = served
    cookie, token = visit(server)
    changes, with_token = FORGED[case]
    fields = {"person": "eileen", "hidden": "1", **({"csrf": token} if with_token else {})}
    status, _ = post(server, "/action/hide", fields, {"Cookie": cookie, **changes})
    assert status == 403, case
    assert not hidden(library)


def test_get_changes_nothing_and_only_known_actions_are_taken(served):
    library, server = served
    cookie, token = visit(server)
    query = urlencode({"person": "eileen", "hidden": "1", "csrf": token})
    assert http_get(server, f"/action/hide?{query}", {"Cookie": cookie})[0] == 404
    assert post(server, "/action/drop-tables", {"csrf": token}, {"Cookie": cookie})[0] == 404
    assert not hidden(library)


def test_bodies_are_bounded(served):
    from plvm_photos.web.transport import MAX_BODY

    library, server = served
    cookie, token = visit(server)
    fields = {"person": "eileen", "hidden": "1", "csrf": token}
    assert post(server, "/action/hide", fields, {"Cookie": cookie, "Content-Length": None})[0] == 411
    assert post(server, "/action/hide", fields, {"Cookie": cookie, "Content-Length": str(MAX_BODY + 1)})[0] == 413
    assert post(server, "/action/hide", fields, {"Cookie": cookie, "Content-Type": "text/plain"})[0] == 415
    assert post(server, "/action/hide", {}, {"Cookie": cookie}, body=b"\xff\xfe=\xff")[0] == 400
    # A body announced and never sent: the connection is dropped after request_timeout, nothing done.
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"POST /action/hide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                     f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: 500\r\n\r\nperson=eileen".encode())
        started = time.monotonic()
        assert sock.recv(1024) == b""
        assert time.monotonic() - started < 5
    assert not hidden(library)


def test_an_action_only_ever_sends_the_browser_to_a_gallery_page(served):
    _, server = served
    cookie, token = visit(server)
    for target in ("//evil.example/", "http://evil.example/", "/person/1\r\nSet-Cookie: x=1", "/thumb/1.jpg", "/nope"):
        status, headers = post(server, "/action/hide", {"person": "eileen", "hidden": "0", "csrf": token, "next": target},
                               {"Cookie": cookie})
        assert status == 303 and headers["Location"] == "/", target
