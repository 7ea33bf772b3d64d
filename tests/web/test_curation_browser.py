"""Curating in the gallery, in a real headless Chromium: every action is clicked through and its
result read back through the CLI. Screenshots of each page go to $PLVM_TEST_ARTIFACTS/gallery.

The library is ``tests/curation/small_library.py``: <Obama>, <Marissa> and <Bea> registered;
Biden (3 photos), Kit Harington (2), Rose Leslie (1) and a girl (1) unknown.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from tests.curation.small_library import ROSE_BOX, cli_json, copy
from tests.web.helpers import start_server
from tests.web.test_browser import base_url, images_loaded


@pytest.fixture
def curated(curation_root, tmp_path):
    """A writable copy of the small library, served; (library folder, photos folder, base URL)."""
    from plvm_photos.library import Library

    root = copy(curation_root, tmp_path / "lib")
    library = Library(root)
    server = start_server(library)
    yield root, curation_root / "photos", base_url(server)
    server.shutdown()
    server.server_close()
    library.close()


def submit(page, form, url_part: str = "**") -> str:
    """Click the form's button, wait for the page the action leads to; the message it shows."""
    with page.expect_navigation(url=url_part):
        form.locator("button[type=submit]").click()
    return page.locator("#flash").inner_text()


def edit(page) -> None:
    """Open the person page's "Edit this person" (its forms are folded away)."""
    if page.locator("details.tools").get_attribute("open") is None:
        page.click("details.tools summary")


def people(root) -> dict[str, dict]:
    return {p["name"]: p for p in cli_json(["-L", str(root), "people"])}


def faces(root, photo) -> list[dict]:
    return cli_json(["-L", str(root), "faces", str(photo)])["faces"]


def photo_id(root, photo) -> int:
    return cli_json(["-L", str(root), "faces", str(photo)])["photo_id"]


def test_naming_unknown_faces_suggestions_and_search_in_chromium(page, curated, artifacts_dir):
    root, photos, url = curated
    page.goto(url + "/unknown")
    summary = page.locator("#unknown-summary").inner_text()
    assert summary.startswith("7 faces match no registered person: 2 groups") and "2 alone" in summary
    groups = page.locator("section.group")
    assert [int(groups.nth(k).get_attribute("data-size")) for k in range(groups.count())] == [3, 2, 2]  # then those alone
    assert all(w > 0 for w in images_loaded(page, "section.group img"))
    page.screenshot(path=str(artifacts_dir / "6-unknown-faces.png"), full_page=True)

    groups.first.locator("button.choose-all").click()  # Biden's three faces
    page.fill(".bar input[name=name]", "Jöe Bïden")
    with page.expect_navigation(url="**/unknown"):
        page.click("button[value=name]")
    assert page.locator("#flash").inner_text().startswith("named 3 face(s) <Jöe Bïden> (a new person)")
    assert people(root)["Jöe Bïden"]["photos"] == 3
    assert page.locator("li.pick").count() == 4  # named: no longer unknown

    page.click("header a[href='/suggestions']")
    page.wait_for_url("**/suggestions")
    cards = page.locator("section.group")
    assert cards.count() == 2 and "Is this <Bea>?" in cards.first.inner_text()
    assert all(w > 0 for w in images_loaded(page, "section.group img"))
    page.screenshot(path=str(artifacts_dir / "7-suggestions.png"), full_page=True)
    cards.first.locator("li.pick label").click()
    with page.expect_navigation():
        page.click("button[value=yes]")
    assert "<Bea>" in page.locator("#flash").inner_text()
    page.locator("li.pick label").first.click()
    with page.expect_navigation():
        page.click("button[value=no]")
    assert page.locator("li.pick").count() == 0 and "No suggestions now" in page.locator("main").inner_text()
    # the CLI names faces as the gallery does: by display name
    assert [f["person"] for f in faces(root, photos / "obama_and_biden.jpg")] == ["Jöe Bïden", "Obama", "Bea"]
    rose = faces(root, photos / "kit_with_rose.jpg")[0]
    assert rose["person"] is None and rose["not"] == ["Marissa"]

    page.fill("#q", "where is <jöe bïden>?")
    with page.expect_navigation(url="**/ask?q=*"):
        page.click("header form.search button")
    assert page.locator("#answer").inner_text() == "<Jöe Bïden> is in 3 photos"
    assert page.locator("#understood").inner_text() == "Understood as: where is <Jöe Bïden>"
    assert page.locator(".grid a.card").count() == 3 and page.locator(".ph rect.person").count() == 3
    assert all(w > 0 for w in images_loaded(page, ".ph img"))
    page.screenshot(path=str(artifacts_dir / "8-search.png"), full_page=True)

    page.fill("#q", "photos of <Jöe Bïden> in Narnia")
    with page.expect_navigation():
        page.click("header form.search button")
    assert "Narnia" in page.locator("p.error").inner_text() and page.locator(".grid").count() == 0


def test_photo_and_person_actions_and_undo_in_chromium(page, curated, artifacts_dir):
    from plvm_photos.db.models import Region
    from plvm_photos.library import Library

    root, photos, url = curated
    rose_photo = photos / "kit_with_rose.jpg"
    with Library(root) as lib, lib.transaction() as s:  # the detector "missed" Rose's face
        s.execute(delete(Region).where(Region.photo_id == photo_id(root, rose_photo), Region.left == ROSE_BOX[0]))

    # Draw the missed face by dragging on the photo (the script fills the four fields), name it.
    page.goto(f"{url}/photo/{photo_id(root, rose_photo)}")
    img = page.locator("#photo img")
    assert images_loaded(page, "#photo img")[0] > 0
    shown, full = img.bounding_box(), int(img.get_attribute("width"))
    scale = shown["width"] / full
    page.mouse.move(shown["x"] + ROSE_BOX[0] * scale, shown["y"] + ROSE_BOX[1] * scale)
    page.mouse.down()
    page.mouse.move(shown["x"] + ROSE_BOX[2] * scale, shown["y"] + ROSE_BOX[3] * scale, steps=5)
    page.mouse.up()
    drawn = [int(page.input_value(f"#draw-{k}")) for k in ("left", "top", "right", "bottom")]
    assert all(abs(a - b) <= 3 for a, b in zip(drawn, ROSE_BOX)), drawn
    assert page.locator("#drawn-box").is_visible()
    form = page.locator("#draw form")
    form.locator("input[name=name]").fill("Rosé")
    assert submit(page, form).startswith("added a face of <Rosé>")
    [rose] = [f for f in faces(root, rose_photo) if f["person"] == "Rosé"]
    assert all(abs(a - b) <= 3 for a, b in zip(rose["box"], ROSE_BOX))
    page.screenshot(path=str(artifacts_dir / "9-photo-with-a-drawn-face.png"), full_page=True)

    # Name Kit's face here: he is found in the other photo at once (a confirmed face is a reference);
    # say that one is someone else.
    row = page.locator("table.regions tr", has_text="unknown")
    row.locator("input[name=name]").fill("Kit")
    submit(page, row.locator("form", has_text="Name"))
    assert people(root)["Kit"]["photos"] == 2
    page.goto(f"{url}/photo/{photo_id(root, photos / 'johnsnow.jpg')}")
    row = page.locator("table.regions tr", has_text="<Kit>")
    row.locator("input[name=name]").fill("Jon Snow")
    submit(page, row.locator("form", has_text="It is"))
    assert people(root)["Jon Snow"]["photos"] == 1 and people(root)["Kit"]["photos"] == 1

    # Merge Jon Snow into Kit on Kit's page; Undo brings Jon Snow back.
    page.goto(url + "/")
    with page.expect_navigation(url="**/person/*"):
        page.locator("a.card.person", has_text="<Kit>").click()
    edit(page)
    merge = page.locator("form", has_text="Merge into this person")
    merge.locator("select").select_option("Jon Snow")
    assert "merged <Jon Snow> into <Kit>" in submit(page, merge)
    listed = people(root)
    assert "Jon Snow" not in listed and listed["Kit"]["photos"] == 2
    assert page.locator(".grid a.card").count() == 2
    page.screenshot(path=str(artifacts_dir / "10-person-after-merge.png"), full_page=True)
    assert page.locator("#undo").inner_text() == "Undo: merged <Jon Snow> into <Kit>"
    assert submit(page, page.locator("form.undo")) == "undone: merged <Jon Snow> into <Kit>"
    assert people(root)["Jon Snow"]["photos"] == 1

    # Rename, then hide: still recognised, no longer listed.
    edit(page)
    rename = page.locator("form", has_text="Rename")
    rename.locator("input[name=name]").fill("Kit Harington")
    assert submit(page, rename) == "renamed <Kit> to <Kit Harington>"
    assert page.locator("h1").inner_text().startswith("<Kit Harington>")
    edit(page)
    submit(page, page.locator("form", has_text="Hide"))
    assert "Kit Harington" not in people(root)
    assert [p["name"] for p in cli_json(["-L", str(root), "hidden"])] == ["Kit Harington"]
    assert cli_json(["-L", str(root), "ask", "photos of <kit harington>"])["photos"]  # asked for: found
    page.goto(url + "/")
    assert page.locator("a.card.person", has_text="Kit").count() == 0
    assert page.locator("#show-hidden").is_visible()

    # Reject a match, and use a face as a reference.
    obama2 = photo_id(root, photos / "obama2.jpg")
    page.goto(f"{url}/photo/{obama2}")
    submit(page, page.locator("form", has_text="Not <Obama>"))
    assert all(f["person"] is None and f["not"] == ["Obama"] for f in faces(root, photos / "obama2.jpg"))
    page.goto(f"{url}/photo/{photo_id(root, photos / 'two_people.jpg')}")
    submit(page, page.locator("tr", has_text="<Obama>").locator("form", has_text="Add as reference"))
    assert people(root)["Obama"]["references"] == 2

    # Remove a person; Undo brings them back with their reference.
    page.goto(url + "/")
    with page.expect_navigation(url="**/person/*"):
        page.locator("a.card.person", has_text="<Marissa>").click()
    edit(page)
    assert submit(page, page.locator("form", has_text="Remove this person")).startswith("removed <Marissa>")
    assert "Marissa" not in people(root)
    page.screenshot(path=str(artifacts_dir / "11-people-after-remove.png"), full_page=True)
    submit(page, page.locator("form.undo"))
    assert people(root)["Marissa"]["references"] == 1
    assert all(w > 0 for w in images_loaded(page, "a.card.person img"))


def test_a_page_of_another_site_cannot_post_to_the_gallery(page, curated, tmp_path):
    """An auto-submitting form on another origin: Chromium sends Sec-Fetch-Site: cross-site and its
    own Origin (and no SameSite=Strict cookie), so the gallery refuses and nothing changes."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root, _, url = curated
    page.goto(url + "/")  # the victim has the gallery open: a session cookie exists
    (tmp_path / "attack.html").write_text(
        f"<!doctype html><form id=f method=post action='{url}/action/hide'><input name=person value=Obama>"
        "<input name=hidden value=1><input name=csrf value=guess></form><script>document.getElementById('f').submit()</script>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with page.expect_response(f"{url}/action/hide") as response:
            page.goto(f"http://localhost:{other.server_address[1]}/attack.html")
        assert response.value.status == 403
    finally:
        other.shutdown()
        other.server_close()
    assert "Obama" in people(root)  # not hidden
