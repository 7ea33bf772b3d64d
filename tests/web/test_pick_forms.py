"""The grids of unknown faces and suggestions without JavaScript: checkboxes in one form, sent as
a browser sends them (many ``region`` values, the button's ``op``), one action; and the same CSRF
rules as every other form."""

from __future__ import annotations

import re

import pytest
from urllib.parse import urlencode

from tests.web.helpers import http_get, noise_jpeg, start_server, synthetic_library
from tests.web.test_csrf import post


@pytest.fixture(scope="module")
def strangers(tmp_path_factory):
    root = tmp_path_factory.mktemp("picks")
    (root / "photos").mkdir()
    photos = [str(noise_jpeg(root / "photos" / f"{k}.jpg", k, (200, 200))) for k in range(5)]
    library, _ = synthetic_library(root / "lib", {p: [(None, (20, 20, 120, 120))] for p in photos})
    server = start_server(library)
    yield library, server
    server.shutdown()
    server.server_close()
    library.close()


def unknown_form(server) -> tuple[str, str, list[str]]:
    """(session cookie, CSRF token, the region checkboxes' values) of the unknown faces page."""
    status, body, headers = http_get(server, "/unknown")
    assert status == 200
    page = body.decode()
    form = re.search(r"<form method=post action='/action/faces' id=pick-form.*?</form>", page, re.S).group(0)
    token = re.search(r"name='csrf' value='([0-9a-f]+)'", form).group(1)
    return headers["Set-Cookie"].split(";")[0], token, re.findall(r"type=checkbox name=region value='(\d+)'", form)


def unknown_ids(library) -> set[int]:
    found = library.cluster_unknown()
    return {f.region_id for c in found.clusters for f in c.faces} | {f.region_id for f in found.singles}


def test_faces_chosen_without_javascript_are_hidden_in_one_action(strangers):
    library, server = strangers
    cookie, token, regions = unknown_form(server)
    assert len(regions) == 5 and {int(r) for r in regions} == unknown_ids(library)
    body = urlencode([("csrf", token), ("next", "/unknown"), ("region", regions[0]), ("region", regions[2]),
                      ("name", ""), ("op", "hidden")]).encode()
    status, headers = post(server, "/action/faces", {}, {"Cookie": cookie}, body=body)
    assert status == 303 and headers["Location"] == "/unknown"
    assert unknown_ids(library) == {int(r) for r in regions} - {int(regions[0]), int(regions[2])}
    assert "2 face(s) marked hidden" in http_get(server, "/unknown", {"Cookie": cookie})[1].decode()
    library.undo()
    assert unknown_ids(library) == {int(r) for r in regions}


def test_nothing_chosen_or_no_name_is_said_and_changes_nothing(strangers):
    library, server = strangers
    cookie, token, regions = unknown_form(server)
    for fields in ([("op", "hidden")], [("region", regions[0]), ("op", "name"), ("name", "")]):
        body = urlencode([("csrf", token), ("next", "/unknown"), *fields]).encode()
        assert post(server, "/action/faces", {}, {"Cookie": cookie}, body=body)[0] == 303
        page = http_get(server, "/unknown", {"Cookie": cookie})[1].decode()
        assert "id=flash" in page and ("choose one or more faces first" in page or "type the name" in page)
    assert len(unknown_ids(library)) == 5


@pytest.mark.parametrize("action", ["faces", "suggestions"])
def test_a_forged_pick_changes_nothing(strangers, action):
    library, server = strangers
    cookie, token, regions = unknown_form(server)
    fields = [("region" if action == "faces" else "pick", regions[0] if action == "faces" else f"{regions[0]}:1"),
              ("op", "hidden" if action == "faces" else "no")]
    for extra, headers in (([], {"Cookie": cookie}), ([("csrf", token)], {"Cookie": cookie, "Origin": "http://evil.example"})):
        body = urlencode([*extra, *fields]).encode()
        assert post(server, f"/action/{action}", {}, headers, body=body)[0] == 403
    assert len(unknown_ids(library)) == 5
