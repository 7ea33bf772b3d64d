"""The gallery as a daily tool, in a real headless Chromium: a person's page and "often with" down
to the photos together; naming six unknown faces in one action and undoing it in one; a dense grid
(24 faces or more on a 1280×900 screen) chosen from with the mouse and the keyboard; and every page
at 1280×900 and 390×844 (no sideways scrolling at 390 px), checked by axe-core (0 serious or critical
violations). Screenshots go to $PLVM_TEST_ARTIFACTS/gallery."""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote

import pytest

from tests.web.helpers import start_server
from tests.web.test_browser import base_url, images_loaded

SIZES = {"wide": (1280, 900), "phone": (390, 844)}


def axe_source() -> str:
    """axe.min.js as the ``axe-playwright-python`` package ships it (the ``dev`` extra)."""
    from importlib import resources

    pytest.importorskip("axe_playwright_python", reason="axe-core for the accessibility check: pip install -e '.[dev]'")
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_problems(page, source: str) -> list[str]:
    """The serious and critical violations axe-core finds on the page, one line each."""
    page.add_script_tag(content=source)
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
                          "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][:3]}" for v in found
            if v["impact"] in ("serious", "critical")]


def submit(page, button) -> str:
    with page.expect_navigation():
        button.click()
    return page.locator("#flash").inner_text()


# --- a person's page ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def story(ask_library_dir, tmp_path_factory):
    """A copy of the ask tests' library (six people, dates and GPS positions in EXIF), served."""
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("daily") / "lib"
    shutil.copytree(ask_library_dir, root)
    library = Library(root)
    server = start_server(library)
    yield library, base_url(server)
    server.shutdown()
    server.server_close()
    library.close()


def test_person_page_often_with_and_the_photos_together(browser, story, artifacts_dir):
    library, url = story
    obama = library.find_person("obama")
    facts = library.person(obama.id)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url + "/")
        with page.expect_navigation(url="**/person/*"):
            page.locator("a.card.person", has_text="<Obama>").click()
        assert page.locator("h1").inner_text() == "<Obama>"
        assert page.locator("#person-facts").inner_text().startswith(f"{facts.photos} photos")
        assert images_loaded(page, ".person-head img")[0] > 0
        years = page.locator("#years a")
        assert [years.nth(k).inner_text().split() for k in range(years.count())] == [
            [t.label, str(t.photos)] for t in facts.years]
        assert page.locator("#places a").count() == len(facts.places) > 0
        assert "14 July 2019" in page.locator("#moments").inner_text()  # the first photo (tests/ask/photo_library.py)
        assert page.locator(".grid a.card").count() == facts.photos
        page.screenshot(path=str(artifacts_dir / "daily-person-wide.png"), full_page=True)

        # a year: its photos only
        first_year = facts.years[-1]
        with page.expect_navigation(url=f"**year={first_year.key}"):
            page.locator("#years a", has_text=first_year.label).click()
        assert page.locator(".grid a.card").count() == first_year.photos

        # often with -> the photos together: each has both people in it
        [biden] = [t for t in facts.often_with if t.label == "<biden>"]
        page.goto(f"{url}/person/{obama.id}")
        with page.expect_navigation(url=f"**with={biden.key}"):
            page.locator("#often-with a", has_text="<biden>").click()
        assert page.locator("#photos-head").inner_text().startswith("Photos of <Obama> with <biden>")
        cards = page.locator(".grid a.card")
        assert cards.count() == biden.photos == 2
        for k in range(cards.count()):
            photo = int(cards.nth(k).get_attribute("href").split("?")[0].rsplit("/", 1)[1])
            assert {"Obama", "biden"} <= {f.person for f in library.photo_faces(photo).faces}
        assert all(w > 0 for w in images_loaded(page, ".ph img"))
        page.screenshot(path=str(artifacts_dir / "daily-photos-together-wide.png"), full_page=True)
        with page.expect_navigation(url=f"**/person/{obama.id}"):
            page.click("#all-photos")
    finally:
        context.close()


def example_pages(library) -> dict[str, str]:
    """An address for every page of the gallery (``routes.ROUTES`` rows marked ``page``)."""
    from plvm_photos.web.routes import ROUTES

    obama = library.find_person("obama").id
    facts = library.person(obama)
    photo = library.person_photos(obama)[0].photo_id
    with_id = {r"/person/(\d{1,12})": f"/person/{obama}", r"/photo/(\d{1,12})": f"/photo/{photo}"}
    extra = {  # more than one address for some pages
        "person-with": f"/person/{obama}?with={facts.often_with[0].key}",
        "person-place": f"/person/{obama}?place={quote(facts.places[0].key)}",
        "ask": "/ask?q=" + quote("where is <Obama>?"),
        "ask-refused": "/ask?q=" + quote("where is <nobody_here>?"),
        "hidden": "/?hidden=1",
        "not-found": "/photo/999999",
        "photo-in-list": f"/photo/{photo}?from=person:{obama}",
        "year-list": f"/photos?list=year:{facts.years[0].key}",
        "city-list": f"/photos?list=city:{library.places().cities[0].geonameid}",
        "undated-list": "/photos?list=undated",
        "person-list": f"/photos?list=person:{obama}",
        "ask-newest": "/ask?q=" + quote("photos of <Obama>") + "&sort=newest",
    }
    out = {}
    for route in ROUTES:
        if not route.page:
            continue
        if route.pattern in with_id:
            out[route.pattern] = with_id[route.pattern]
        elif "(" not in route.pattern:
            out[route.pattern] = route.pattern.replace("\\", "")
        else:
            pytest.fail(f"the page {route.pattern} has no example address here: add one to example_pages")
    return {**{re.sub(r"\W+", "-", path).strip("-") or "people": path for path in out.values()}, **extra}


def test_every_page_passes_axe_fits_a_phone_and_has_alt_text(browser, story, artifacts_dir):
    library, url = story
    source = axe_source()
    pages = example_pages(library)
    problems = []
    for size, (width, height) in SIZES.items():
        # bypass_csp only lets the audit inject axe-core: the pages' own CSP is checked elsewhere
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        try:
            for name, path in pages.items():
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                missing_alt = page.eval_on_selector_all("img", "els => els.filter(e => !e.hasAttribute('alt')).length")
                if missing_alt:
                    problems.append(f"{size} {path}: {missing_alt} image(s) without alt text")
                if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
                    problems.append(f"{size} {path}: scrolls sideways ({page.evaluate('document.documentElement.scrollWidth')} px)")
                page.screenshot(path=str(artifacts_dir / f"daily-{name}-{size}.png"), full_page=True)
                problems += [f"{size} {path}: {p}" for p in axe_problems(page, source)]
        finally:
            context.close()
    assert problems == []


def test_focus_is_visible_on_every_kind_of_control(page, story):
    library, url = story
    page.goto(f"{url}/person/{library.find_person('obama').id}")
    outlines = []
    for selector in ("header a", "#years a", "header input[type=text]", "details.tools summary", ".grid a.card"):
        page.focus(selector)
        outlines.append((selector, page.evaluate("getComputedStyle(document.activeElement).outlineStyle")))
    assert [s for s, style in outlines if style in ("none", "")] == []


# --- naming many faces at once -----------------------------------------------------------------------
@pytest.fixture
def strangers(curation_root, tmp_path):
    """The small curation library with <Obama> removed: an unknown face in each of its 7 photos."""
    from plvm_photos.library import Library
    from tests.curation.small_library import copy

    root = copy(curation_root, tmp_path / "lib")
    library = Library(root)
    library.remove_person("Obama")
    server = start_server(library)
    yield library, base_url(server)
    server.shutdown()
    server.server_close()
    library.close()


def picks(page) -> list[tuple[int, int]]:
    """(region id, photo id) of each face of the grid, in page order."""
    return [(int(r), int(p.rsplit("/", 1)[1])) for r, p in page.eval_on_selector_all(
        "li.pick", "els => els.map(e => [e.querySelector('input').id.slice(5), e.querySelector('a.open').getAttribute('href')])")]


def person_of(library, region_id: int, photo_id: int) -> str | None:
    return next(f.person for f in library.photo_faces(photo_id).faces if f.region_id == region_id)


def test_six_unknown_faces_named_in_one_action_and_undone_in_one(page, strangers, artifacts_dir):
    library, url = strangers
    page.goto(url + "/unknown")
    faces = picks(page)
    assert len(faces) >= 9 and all(w > 0 for w in images_loaded(page, "li.pick img"))
    chosen, photos = [], set()
    for region, photo in faces:  # one face of each of six photos (a person is in a photo once)
        if photo not in photos and len(chosen) < 6:
            chosen.append(region)
            photos.add(photo)
    assert len(chosen) == 6
    assert page.locator("button[value=name]").is_disabled()  # nothing chosen yet
    boxes = {region: page.locator(f"#pick-{region}") for region, _ in faces}
    page.click(f"label[for=pick-{chosen[0]}]")  # the face itself is the checkbox's label
    for region in chosen[1:5]:
        boxes[region].click()
    boxes[chosen[5]].focus()  # and one by the keyboard
    page.keyboard.press("Enter")
    assert sorted(r for r, b in boxes.items() if b.is_checked()) == sorted(chosen)
    assert page.locator(".bar .chosen").inner_text() == "6 faces chosen:"
    page.screenshot(path=str(artifacts_dir / "daily-six-chosen-wide.png"), full_page=True)
    page.fill(".bar input[name=name]", "Six Strangers")
    assert submit(page, page.locator("button[value=name]")).startswith("named 6 face(s) <Six Strangers> (a new person)")
    assert {person_of(library, r, p) for r, p in faces if r in chosen} == {"Six Strangers"}
    assert not set(chosen) & {r for r, _ in picks(page)}  # no longer unknown

    assert submit(page, page.locator("#undo")).startswith("undone: named 6 face(s) <Six Strangers>")
    assert {person_of(library, r, p) for r, p in faces if r in chosen} == {None}
    assert set(chosen) <= {r for r, _ in picks(page)}
    assert "Six Strangers" not in {p.name for p in library.people(hidden=True)}


def test_shift_click_ranges_arrows_not_a_face_and_hide(page, strangers):
    library, url = strangers
    page.goto(url + "/unknown")
    faces = picks(page)
    page.locator(f"#pick-{faces[1][0]}").click()
    page.locator(f"#pick-{faces[4][0]}").click(modifiers=["Shift"])  # a range: faces 2 to 5
    checked = [r for r, _ in faces if page.locator(f"#pick-{r}").is_checked()]
    assert checked == [r for r, _ in faces[1:5]]
    page.click("#pick-clear")
    assert page.locator(".bar .chosen").inner_text() == "Choose faces, then:"
    page.locator(f"#pick-{faces[0][0]}").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.id") == f"pick-{faces[1][0]}" and page.locator(f"#pick-{faces[1][0]}").is_checked()
    flash = submit(page, page.locator("button[value=not_a_face]"))
    assert flash.startswith("1 face(s) marked not a face")
    assert faces[1][0] not in {r for r, _ in picks(page)}
    page.locator(f"#pick-{faces[2][0]}").click()
    page.locator(f"#pick-{faces[3][0]}").click()
    assert submit(page, page.locator("button[value=hidden]")).startswith("2 face(s) marked hidden")
    assert not {faces[2][0], faces[3][0]} & {r for r, _ in picks(page)}
    assert submit(page, page.locator("#undo")).startswith("undone: 2 face(s) marked hidden")
    assert {faces[2][0], faces[3][0]} <= {r for r, _ in picks(page)}


def test_suggestions_chosen_and_answered_at_once(page, curated_copy):
    library, url = curated_copy
    page.goto(url + "/suggestions")
    faces = picks(page)
    assert len(faces) == 2  # <Bea> and <Marissa> (tests/curation/small_library.py)
    for region, _ in faces:
        page.locator(f"#pick-{region}").click()
    flash = submit(page, page.locator("button[value=no]"))
    assert flash == "refused 2 suggestion(s): remembered that they are not <Bea>, <Marissa>"
    assert "No suggestions now" in page.locator("main").inner_text()
    assert submit(page, page.locator("#undo")).startswith("undone: suggestions: 2 refused")
    assert len(picks(page)) == 2
    page.locator(f"#pick-{faces[0][0]}").click()
    assert submit(page, page.locator("button[value=yes]")).startswith("accepted 1 suggestion(s): ")
    assert person_of(library, *faces[0]) is not None


@pytest.fixture
def curated_copy(curation_root, tmp_path):
    from plvm_photos.library import Library
    from tests.curation.small_library import copy

    library = Library(copy(curation_root, tmp_path / "lib"))
    server = start_server(library)
    yield library, base_url(server)
    server.shutdown()
    server.server_close()
    library.close()


# --- a dense grid ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """40 photos of noise with one face each, nobody registered (rows written directly)."""
    from tests.web.helpers import noise_jpeg, synthetic_library

    root = tmp_path_factory.mktemp("crowd")
    (root / "photos").mkdir()
    paths = [str(noise_jpeg(root / "photos" / f"{k:02d}.jpg", k, (160, 160))) for k in range(40)]
    library, _ = synthetic_library(root / "lib", {p: [(None, (20, 20, 120, 120))] for p in paths})
    server = start_server(library)
    yield library, base_url(server)
    server.shutdown()
    server.server_close()
    library.close()


def test_at_least_24_faces_are_seen_at_once_on_a_1280_by_900_screen(browser, crowd, artifacts_dir):
    _, url = crowd
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            page.goto(url + "/unknown")
            assert len(images_loaded(page, "li.pick img")) == 40
            seen = page.eval_on_selector_all("li.pick img", """els => els.filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
            }).length""")
            assert seen >= (24 if size == "wide" else 12), (size, seen)
            page.screenshot(path=str(artifacts_dir / f"daily-unknown-grid-{size}.png"))
        finally:
            context.close()


def test_hidden_faces_shown_again_from_their_page(page, strangers, artifacts_dir):
    library, url = strangers
    page.goto(url + "/unknown")
    faces = picks(page)
    for region, _ in faces[:3]:
        page.locator(f"#pick-{region}").click()
    assert submit(page, page.locator("button[value=hidden]")).startswith("3 face(s) marked hidden")
    page.click("a[href='/hidden']")
    hidden = [r for r, _ in picks(page)]
    assert sorted(hidden) == sorted(r for r, _ in faces[:3])
    page.screenshot(path=str(artifacts_dir / "hidden-faces-wide.png"), full_page=True)
    page.locator(f"#pick-{hidden[0]}").click()
    assert submit(page, page.locator("button[value=unmark]")).startswith("1 face(s) shown again")
    assert [r for r, _ in picks(page)] == hidden[1:]
    page.goto(url + "/unknown")
    assert hidden[0] in {r for r, _ in picks(page)}
