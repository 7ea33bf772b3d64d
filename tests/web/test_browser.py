"""The gallery in a real headless Chromium (Debian's ``chromium``) driven by Playwright for Python.

Screenshots go to $PLVM_TEST_ARTIFACTS/gallery (or a pytest temp folder, printed on failure).
"""

from __future__ import annotations

import pytest


def base_url(server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def images_loaded(page, selector: str) -> list[int]:
    """naturalWidth of each matching <img> once loaded (0 = broken); lazy ones are loaded first."""
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(
        selector,
        "els => Promise.all(els.map(e => { e.loading = 'eager'; return e.decode().then(() => e.naturalWidth, () => 0); }))",
    )


def boxes_inside_photos(page) -> list[bool]:
    """For each drawn face box: does it lie inside its photo on screen?"""
    return page.eval_on_selector_all(
        ".ph",
        """phs => phs.flatMap(ph => {
            const img = ph.querySelector('img').getBoundingClientRect();
            return [...ph.querySelectorAll('rect')].map(r => {
                const b = r.getBoundingClientRect();
                return b.width > 2 && b.height > 2 && b.left >= img.left - 2 && b.top >= img.top - 2
                    && b.right <= img.right + 2 && b.bottom <= img.bottom + 2;
            });
        })""",
    )


def test_people_person_photo_and_ask_in_chromium(page, gallery_server, gallery_library, artifacts_dir, manifest):
    url = base_url(gallery_server)
    people = {p.name: p for p in gallery_library.people()}

    page.goto(url + "/")
    cards = page.locator("a.card.person")
    assert cards.count() == len(people) == len(manifest["identities"])
    faces = images_loaded(page, "a.card.person img")
    assert faces and all(w > 0 for w in faces), faces
    page.screenshot(path=str(artifacts_dir / "1-people.png"), full_page=True)

    name = "barack_obama"
    card = page.locator("a.card.person", has_text=f"<{name}>")
    assert card.locator(".count").inner_text() == f"{people[name].photos} photos"
    card.click()
    page.wait_for_url("**/person/*")
    assert f"<{name}>" in page.locator("h1").inner_text()
    tiles = page.locator(".grid a.card")
    assert tiles.count() == people[name].photos > 0
    assert page.locator(".ph rect.person").count() == people[name].photos
    thumbs = images_loaded(page, ".ph img")
    assert all(w > 0 for w in thumbs), thumbs
    inside = boxes_inside_photos(page)
    assert inside and all(inside), inside
    page.screenshot(path=str(artifacts_dir / "2-person.png"), full_page=True)

    tiles.first.click()
    page.wait_for_url("**/photo/*")
    assert f"<{name}>" in page.locator("p.caption").inner_text()
    region_rows = page.locator("table.regions tr").count() - 1
    assert region_rows >= 1 and page.locator(".ph rect").count() == region_rows
    assert images_loaded(page, ".ph img")[0] > 0
    page.screenshot(path=str(artifacts_dir / "3-photo.png"), full_page=True)

    page.fill("#q", f"where is <{name}>?")
    page.click("header form.search button")
    page.wait_for_url("**/ask?q=*")
    answer = page.locator("#answer").inner_text()
    assert answer.startswith(f"<{name}> is in {people[name].photos} photo")
    assert page.locator(".grid a.card").count() == people[name].photos
    assert page.locator(".ph rect.person").count() == people[name].photos
    assert all(w > 0 for w in images_loaded(page, ".ph img"))
    page.screenshot(path=str(artifacts_dir / "4-ask.png"), full_page=True)

    page.fill("#q", "where is <nobody_here>?")
    page.click("header form.search button")
    page.wait_for_load_state()
    assert "<nobody_here> is not a registered person" in page.locator(".error").inner_text()


def test_unknown_faces_page_in_chromium(page, gallery_server, gallery_library, artifacts_dir):
    from plvm_photos.curation.clusters import cluster_unknown
    from plvm_photos.web.unknown import FACES_PER_PAGE

    clustering = cluster_unknown(gallery_library)
    page.goto(base_url(gallery_server) + "/")
    page.click("header a[href='/unknown']")
    page.wait_for_url("**/unknown")
    order = [f.region_id for c in clustering.clusters for f in c.faces] + [f.region_id for f in clustering.singles]
    shown = [int(i[5:]) for i in page.eval_on_selector_all("li.pick input", "els => els.map(e => e.id)")]
    assert shown == order[: len(shown)] and (len(shown) == len(order) or len(shown) <= FACES_PER_PAGE), (shown, order)
    assert page.locator("section.group").count() == (len([c for c in clustering.clusters if c.faces])
                                                     + bool(clustering.singles))
    crops = images_loaded(page, "li.pick img")
    assert len(crops) == len(shown) > 0 and all(w > 0 for w in crops)
    page.screenshot(path=str(artifacts_dir / "5-unknown.png"), full_page=True)


@pytest.fixture(scope="module")
def small_gallery(tmp_path_factory):
    """Two noise photos, rows written directly (no engine): enough to load images in a browser."""
    from tests.web.helpers import noise_jpeg, synthetic_library

    root = tmp_path_factory.mktemp("browser-small")
    (root / "photos").mkdir()
    paths = [str(noise_jpeg(root / "photos" / f"{k}.jpg", k)) for k in range(2)]
    library, ids = synthetic_library(root / "lib", {p: [("eileen", (10, 10, 200, 200))] for p in paths}, ["eileen"])
    yield library, [ids[p] for p in paths]
    library.close()


def test_the_token_link_becomes_a_cookie_and_leaves_the_address_bar(browser, small_gallery):
    from tests.web.helpers import start_server

    library, _ = small_gallery
    token = "browser-test-token-1234"
    server = start_server(library, token=token)
    context = browser.new_context()
    try:
        page = context.new_page()
        url = base_url(server)
        page.goto(f"{url}/?token={token}")
        assert page.url == f"{url}/"  # the token is out of the address bar (and the history)
        assert "People" in page.locator("h1").inner_text()
        cookies = {c["name"]: c for c in context.cookies()}
        assert set(cookies) == {"plvm_token", "plvm_session"}  # the token, and the session forms are bound to
        assert all(c["httpOnly"] and c["sameSite"] == "Strict" for c in cookies.values())
        page.goto(f"{url}/person/1")  # the cookie alone opens pages and images
        thumbs = images_loaded(page, ".ph img")
        assert len(thumbs) == 2 and all(w > 0 for w in thumbs), thumbs
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_another_site_cannot_load_the_gallerys_images(page, small_gallery, tmp_path):
    """A page on another site (http://localhost:OTHER) embeds a gallery image: Chromium sends
    Sec-Fetch-Site: cross-site and the gallery refuses, so the page cannot probe for photos."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from tests.web.helpers import start_server

    library, ids = small_gallery
    gallery = start_server(library)
    url = base_url(gallery)
    (tmp_path / "probe.html").write_text(f"<!doctype html><img id=probe src='{url}/thumb/{ids[0]}.jpg'>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://localhost:{other.server_address[1]}/probe.html")
        assert images_loaded(page, "#probe") == [0]  # refused: the image never loads
        page.goto(f"{url}/photo/{ids[0]}")  # on the gallery's own pages the same image loads
        assert images_loaded(page, ".ph img")[0] > 0
    finally:
        other.shutdown()
        other.server_close()
        gallery.shutdown()
        gallery.server_close()
