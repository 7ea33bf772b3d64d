"""The timeline, the places and the photo page's previous / next: over HTTP (counts agree with
``ask`` for the same question, the list travels in the link, headers and alt text) and clicked
through in Chromium, with screenshots at 1280x900 and 390x844.

The indexed test library has camera dates but no GPS positions: a copy of it gets positions for a
few photos here (stored as a scan stores them: ``helpers.place_photos``), three in Paris, one in
Shinjuku (which counts for Tokyo), two in Tokyo and one in New York.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote

import pytest
from tests.web.helpers import http_get, place_photos, start_server

PARIS, TOKYO, NEW_YORK = (48.8566, 2.3522), (35.6895, 139.6917), (40.7128, -74.0060)
SHINJUKU = (35.6938, 139.7034)
TOKYO_ID = "city:1850147"


@pytest.fixture(scope="module")
def placed(indexed_library_dir, tmp_path_factory):
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("placed") / "library"
    shutil.copytree(indexed_library_dir, root)
    library = Library(root)
    every = library.list_page(library.photo_list("all"), 0, 1000).photos
    dated = [p.photo_id for p in every if p.taken]
    undated = [p.photo_id for p in every if not p.taken]
    place_photos(library, {dated[0]: PARIS, dated[1]: PARIS, dated[2]: PARIS, dated[3]: SHINJUKU, undated[0]: TOKYO,
                           undated[1]: TOKYO, undated[2]: NEW_YORK})
    server = start_server(library)
    yield library, server
    server.shutdown()
    server.server_close()
    library.close()


def get(server, path: str) -> str:
    status, body, headers = http_get(server, path)
    assert status == 200, (path, status, body[:300])
    from plvm_photos.web.guard import CSP

    assert headers["Content-Security-Policy"] == CSP
    text = body.decode()
    assert not re.search(r"""(?:src|href|action)=['"]?(?:https?:)?//""", text), "a request outside the gallery"
    for img in re.findall(r"<img [^>]*>", text):
        assert re.search(r"alt='[^']+'", img), img
    return text


def busiest_month(library):
    return max((m for y in library.timeline().years for m in y.months), key=lambda m: (m.photos, m.key))


def test_every_page_links_the_timeline_and_the_places(placed):
    _, server = placed
    for path in ("/", "/timeline", "/places", "/ask?q=x"):
        text = get(server, path)
        assert "href='/timeline'>Timeline</a>" in text and "href='/places'>Places</a>" in text


def test_timeline_lists_years_and_months_newest_first_with_asks_counts(placed):
    library, server = placed
    text = get(server, "/timeline")
    timeline = library.timeline()
    years = [int(y) for y in re.findall(r"<section class=year id=year-(\d+)>", text)]
    assert years == sorted(years, reverse=True) == [y.year for y in timeline.years] and years
    for year in timeline.years:
        assert f"<a href='/photos?list=year:{year.year}'>{year.year}</a>" in text
        for month in year.months:
            assert f"href='/photos?list={month.key}' aria-label='{month.name}: " in text
            page = get(server, f"/photos?list={month.key}")
            shown = int(re.search(r"<h1>[^<]+ <span class=muted>\((\d+) photos?\)", page).group(1))
            assert shown == month.photos == len(library.ask(f"photos in {month.name}").photos)
    assert timeline.undated and f"No date</a> <span class=muted>{timeline.undated} photos" in text
    undated = get(server, "/photos?list=undated")
    assert f"({timeline.undated} photos)" in undated and undated.count("<a class=card") == min(timeline.undated, 60)
    assert "page 1 of 2" in undated and "rel=next" in undated  # 60 a page


def test_places_list_countries_and_cities_with_asks_counts_and_a_map(placed):
    library, server = placed
    text = get(server, "/places")
    assert "<svg class=map id=map" in text and text.count("<circle ") == 3  # Paris, Tokyo, New York
    assert re.search(r"<a href='/photos\?list=city:1850147' aria-label='Tokyo, Japan: 3 photos'>", text)
    assert "/photos?list=country:FR' aria-label='France: 3 photos'" in text
    for key, name, n in ((TOKYO_ID, "Tokyo", 3), ("city:2988507", "Paris", 3), ("country:US", "the United States", 1)):
        page = get(server, f"/photos?list={key}")
        assert f"({n} photo{'s' if n > 1 else ''})" in page
        assert len(library.ask(f"photos in {name}").photos) == n
    assert "No location</a>" in text and "/photos?list=unplaced" in text
    # a city says which places within it its count takes in, as ``ask`` does ("Shinjuku, within Tokyo, included")
    tokyo = next(c for c in library.places().cities if c.name == "Tokyo")
    assert tokyo.takes_in == ("Shinjuku",) and "Japan<br>with Shinjuku</div>" in text
    assert "Shinjuku, within Tokyo, included" in library.ask("photos in Tokyo").answer
    assert next(c for c in library.places().cities if c.name == "Paris").takes_in == ()


def test_photo_page_steps_through_the_list_it_was_opened_from(placed):
    library, server = placed
    month = busiest_month(library)
    assert month.photos >= 2
    listed = [p.photo_id for p in library.list_page(library.photo_list(month.key), 0, 100).photos]
    page = get(server, f"/photos?list={month.key}")
    assert f"href='/photo/{listed[0]}?from={month.key}'" in page
    first = get(server, f"/photo/{listed[0]}?from={month.key}")
    assert "rel=prev" not in first and f"<a href='/photo/{listed[1]}?from={month.key}' rel=next id=next>" in first
    assert f"1 of {month.photos} in <a href='/photos?list={month.key}'>{month.name}</a>" in first
    assert re.search(rf"Taken <a href='/photos\?list={month.key}' id=taken>\d+ {month.name.split()[0]} ", first)
    second = get(server, f"/photo/{listed[1]}?from={month.key}")
    assert f"<a href='/photo/{listed[0]}?from={month.key}' rel=prev id=prev>" in second
    alone = get(server, f"/photo/{listed[0]}")  # no list: the whole library by date
    everything = library.neighbours(library.photo_list("all"), listed[0])
    assert f"{everything.position} of {everything.total} in <a href='/timeline'>the library, by date</a>" in alone
    assert get(server, f"/photo/{listed[0]}?from=city:1") .count("the library, by date") == 1  # a list that is none


def test_photo_page_says_where_it_was_taken_with_links(placed):
    library, server = placed
    tokyo = [p.photo_id for p in library.list_page(library.photo_list(TOKYO_ID), 0, 10).photos]
    assert len(tokyo) == 3
    shinjuku = next(pid for pid in tokyo if "Shinjuku" in (library.when_where(pid).place or ""))
    text = get(server, f"/photo/{shinjuku}?from={TOKYO_ID}")
    assert "<span id=place>Shinjuku" in text and f"<a href='/photos?list={TOKYO_ID}'>Tokyo</a>" in text
    assert "<a href='/photos?list=country:JP'>Japan</a>" in text and "Tokyo (Japan)</a>" in text  # the stepper's list


def test_search_results_show_date_and_place_and_sort_by_date(placed):
    library, server = placed
    question = "where is <barack_obama>?"
    answer = library.ask(question)
    assert len(answer.photos) >= 3 and any(p.taken for p in answer.photos) and any(not p.taken for p in answer.photos)
    by_path = {p.path: p for p in answer.photos}
    ids = {path: s.photo_id for path, s in library.photos_by_path(list(by_path)).items()}
    for sort, newest in (("newest", True), ("oldest", False)):
        text = get(server, f"/ask?q={quote(question)}&sort={sort}")
        shown = [int(x) for x in re.findall(r"<a class=card href='/photo/(\d+)\?from=ask:", text)]
        dated = sorted((p for p in answer.photos if p.taken), key=lambda p: p.taken, reverse=newest)
        assert shown[: len(dated)] == [ids[p.path] for p in dated]
        assert f"&amp;sort={sort}' aria-current=true>" in text
        first = dated[0]
        assert f"<div class=note>{int(first.taken[8:10])} " in text
        nxt = get(server, f"/photo/{shown[0]}?from={quote(f'ask:{sort}:{question}', safe=':')}")
        assert f"<a href='/photo/{shown[1]}?from=ask:{sort}:" in nxt and f"1 of {len(shown)} in" in nxt
    plain = get(server, f"/ask?q={quote(question)}")
    assert "no date" in plain  # the undated photos say so


@pytest.mark.parametrize("path", ["/photos?list=bogus", "/photos?list=month:2020-13", "/photos", "/photos?list=city:1"])
def test_a_list_that_is_none_is_404(placed, path):
    _, server = placed
    assert http_get(placed[1], path)[0] == 404


# --- in Chromium -----------------------------------------------------------------------------------------
def _url(server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def _loaded(page, selector: str) -> list[int]:
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(
        selector, "els => Promise.all(els.map(e => { e.loading = 'eager'; return e.decode().then(() => e.naturalWidth, () => 0); }))")


def test_timeline_month_photo_and_places_clicked_through_in_chromium(browser, placed, artifacts_dir):
    library, server = placed
    url = _url(server)
    month = busiest_month(library)
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)
        shot = lambda name: page.screenshot(path=str(artifacts_dir / f"timeline-{name}-{width}.png"), full_page=width > 400)

        page.goto(url + "/")
        page.click("header a[href='/timeline']")
        page.wait_for_url("**/timeline")
        shot("1-timeline")
        page.click(f"a[href='/photos?list={month.key}']")
        page.wait_for_url(f"**/photos?list={month.key}")
        assert page.locator(".grid a.card").count() == month.photos
        assert all(w > 0 for w in _loaded(page, ".grid img"))
        shot("2-month")
        page.locator(".grid a.card").first.click()
        page.wait_for_url("**/photo/*?from=*")
        assert page.locator("#position").inner_text().startswith(f"1 of {month.photos} in {month.name}")
        assert month.name.split()[0] in page.locator("#taken").inner_text()
        shot("3-photo")
        page.click("#next")
        assert page.locator("#position").inner_text().startswith(f"2 of {month.photos}")
        page.keyboard.press("Shift+Tab")  # keyboard: the links are reachable and followed with Enter
        page.focus("#prev")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.locator("#position").inner_text().startswith(f"1 of {month.photos}")

        page.click("header a[href='/places']")
        page.wait_for_url("**/places")
        assert page.locator("#map circle").count() == 3
        assert all(w > 0 for w in _loaded(page, "#cities img"))
        shot("4-places")
        page.click("#cities a.card:has-text('Paris')")
        page.wait_for_url("**/photos?list=city:*")
        assert page.locator(".grid a.card").count() == 3
        shot("5-city")
        page.locator(".grid a.card").nth(1).click()
        assert page.locator("#position").inner_text().startswith("2 of 3 in Paris")
        assert page.locator("#place").inner_text().startswith("Paris")
        page.click("#next")
        assert page.locator("#position").inner_text().startswith("3 of 3")
        assert page.locator("#next").count() == 0
        shot("6-photo-in-paris")
        assert not outside, outside
        context.close()
