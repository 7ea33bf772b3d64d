"""The unknown faces' page on a library large enough to be clustered in the background (a low
threshold stands in for 5000 faces): it answers at once, says that it is grouping, lists the faces
not grouped yet after the groups; and the grid's forms act on exactly the faces posted."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from plvm_photos.curation import unknown_groups
from tests.curation.face_vectors import add_faces, blobs, vector_library
from tests.web.helpers import http_get, start_server
from tests.web.test_csrf import post


@pytest.fixture
def served(tmp_path, monkeypatch):
    monkeypatch.setattr(unknown_groups, "BACKGROUND_ABOVE", 3)
    monkeypatch.setattr(unknown_groups, "START_DELAY_S", 0)
    library, ids = vector_library(tmp_path / "lib", blobs())
    server = start_server(library)
    yield library, server, ids
    server.shutdown()
    server.server_close()
    library.wait_for_grouping(10)
    library.close()


def page(server, headers=None) -> str:
    status, body, _ = http_get(server, "/unknown", headers)
    assert status == 200
    return body.decode()


def shown(html: str, section: str) -> list[int]:
    found = re.search(rf"<section class=group id={section} .*?</section>", html, re.S)
    return [int(r) for r in re.findall(r"name=region value='(\d+)'", found.group(0))] if found else []


def test_the_page_answers_at_once_and_groups_in_the_background(served):
    library, server, ids = served
    first = page(server)
    assert "grouping 11 faces in the background; reload in a minute" in first
    assert shown(first, "new") == ids and "11 faces not grouped yet" in first and "id=group-1 " not in first
    assert library.wait_for_grouping(30)
    grouped = page(server)
    assert "grouping" not in grouped and "3 groups of faces that look alike" in grouped
    assert [len(shown(grouped, f"group-{k}")) for k in (1, 2, 3)] == [4, 3, 2] and len(shown(grouped, "alone")) == 2

    # Faces hidden and a new face since: the groups shown are the last ones, less the faces gone,
    # and the new face waits after them while the faces are grouped again.
    cluster = shown(grouped, "group-1")
    library.mark_faces(cluster[:1], "hidden")
    new = add_faces(library, blobs(sizes=(), lone=1, seed=5))
    stale = page(server)
    assert "grouping 11 faces in the background" in stale
    assert shown(stale, "group-1") == cluster[1:] and shown(stale, "new") == new
    assert library.wait_for_grouping(30)
    assert "grouping" not in page(server)


def form(server) -> tuple[str, str]:
    status, body, headers = http_get(server, "/unknown")
    token = re.search(r"name='csrf' value='([0-9a-f]+)'", body.decode()).group(1)
    return headers["Set-Cookie"].split(";")[0], token


def test_a_form_acts_on_the_faces_posted_only_even_if_they_changed_since(served):
    """The grid posts region ids, never a group: a face named or hidden elsewhere between the page
    and the form is taken as the form says, and the rest of its group is left alone."""
    from plvm_photos.db.models import Concept, Confirmation

    library, server, ids = served
    library.unknown_groups(background_above=100)  # grouped at once
    cookie, token = form(server)
    group = shown(page(server, {"Cookie": cookie}), "group-1")
    assert len(group) == 4
    library.mark_faces(group[:1], "hidden")  # elsewhere, after the page was shown
    body = urlencode([("csrf", token), ("next", "/unknown"), ("region", group[0]), ("region", group[1]),
                      ("name", ""), ("op", "hidden")]).encode()
    assert post(server, "/action/faces", {}, {"Cookie": cookie}, body=body)[0] == 303
    assert "1 face(s) marked hidden" in page(server, {"Cookie": cookie})
    still = library.unknown_groups(background_above=100)
    assert set(group[2:]) <= {r for c in still.clusters for r in c} | set(still.singles)

    library.name_faces([group[2]], "<bob>")  # elsewhere: the face is named
    body = urlencode([("csrf", token), ("next", "/unknown"), ("region", group[2]), ("name", "<carol>"),
                      ("op", "name")]).encode()
    assert post(server, "/action/faces", {}, {"Cookie": cookie}, body=body)[0] == 303
    with library.session() as s:
        confirmed = dict(s.execute(select(Confirmation.region_id, Concept.name)
                                   .join(Concept, Concept.id == Confirmation.concept_id)).all())
    assert confirmed == {group[2]: "carol"}  # the user's last word, on that face alone


def test_pages_hold_whole_groups_then_the_faces_alone(monkeypatch):
    """The faces alone are paged by counting (96 000 of them on a large library), as if each were a
    group of one: the same pages as whole groups of any size."""
    import random

    from plvm_photos.web import unknown as unknown_pages

    monkeypatch.setattr(unknown_pages, "FACES_PER_PAGE", 10)

    def reference(groups):  # every group whole, a face alone a group of one
        pages, count = [[]], 0
        for g in groups:
            if pages[-1] and count + len(g) > 10:
                pages.append([])
                count = 0
            pages[-1].append(g)
            count += len(g)
        return pages

    rng = random.Random(3)
    for _ in range(200):
        clusters = [list(range(rng.randint(2, 14))) for _ in range(rng.randint(0, 6))]
        tail = rng.randint(0, 35)
        expected = reference(clusters + [[f"t{i}"] for i in range(tail)])
        for page_no in range(1, len(expected) + 2):
            shown, part, number, total = unknown_pages._pages(clusters, tail, page_no)
            assert total == len(expected) and number == min(page_no, total)
            got = [clusters[k - 1] for k, _ in shown] + [[f"t{i}"] for i in range(tail)[part]]
            assert got == expected[number - 1]


def test_hidden_faces_are_listed_and_shown_again_from_their_page(served):
    """Faces hidden or marked not a face came back only by undo: the hidden faces' page lists them
    by mark, and its form shows the faces chosen again (one action, one undo)."""
    library, server, ids = served
    library.mark_faces(ids[:2], "hidden")
    library.mark_faces(ids[2:3], "not_a_face")
    cookie, token = form(server)
    status, body, _ = http_get(server, "/hidden", {"Cookie": cookie})
    html = body.decode()
    assert status == 200 and "3 faces marked not a face or hidden" in html
    assert shown(html, "marked-hidden") == ids[1::-1] and shown(html, "marked-not_a_face") == ids[2:3]
    assert "href='/hidden'" in page(server)  # reached from the unknown faces
    body = urlencode([("csrf", token), ("next", "/hidden"), ("region", ids[0]), ("region", ids[2]),
                      ("op", "unmark")]).encode()
    assert post(server, "/action/faces", {}, {"Cookie": cookie}, body=body)[0] == 303
    after = http_get(server, "/hidden", {"Cookie": cookie})[1].decode()
    assert "2 face(s) shown again among the unknown faces" in after and shown(after, "marked-hidden") == ids[1:2]
    assert shown(after, "marked-not_a_face") == [] and set(library.unknown_face_ids()) == set(ids) - {ids[1]}
    still = library.marked_faces()[0]
    photo = http_get(server, f"/photo/{still.photo_id}")[1].decode()
    assert "<span class=muted>hidden</span> <a href='/hidden'>hidden faces</a>" in photo  # the photo says so too
    library.undo()
    assert {f.region_id for f in library.marked_faces()} == set(ids[:3])
