"""The person page as HTML (no browser): its facts and links are ``Library.person``'s, its photos
are paged newest first, and each filter lists as many photos as its link says."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

import pytest


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    from plvm_photos.library import Library
    from tests.ask.suite_library import build

    root = tmp_path_factory.mktemp("suite-library")
    build(root)
    with Library(root) as library:
        yield library


def cards(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<a class=card href='/photo/(\d+)[^']*'>", html)]


def test_pages_of_photos_newest_first(suite, monkeypatch):
    from plvm_photos.web import pages

    penny = suite.find_person("penny").id
    every = [p.photo_id for p in suite.person_photos(penny)]  # oldest first, the undated last
    dated = [p.photo_id for p in suite.person_photos(penny) if p.taken]
    newest = dated[::-1] + every[len(dated):]
    monkeypatch.setattr(pages, "PHOTOS_PER_PAGE", 10)
    shown = [cards(str(pages.person_page(suite, penny, page_no=n))) for n in (1, 2, 3)]
    assert shown[0] + shown[1] + shown[2] == newest and [len(s) for s in shown] == [10, 10, len(every) - 20]
    assert cards(str(pages.person_page(suite, penny, page_no=99))) == shown[2]  # past the end: the last page
    assert "page 3 of 3" in str(pages.person_page(suite, penny, page_no=3))


def test_every_link_lists_as_many_photos_as_it_says(suite):
    from plvm_photos.web import pages

    penny = suite.find_person("penny").id
    html = str(pages.person_page(suite, penny))
    links = re.findall(r"<a(?: class=companion)? href='/person/\d+\?(\w+)=([^']+)'[^>]*>.*?<span class=n[^>]*>(\d+)</span>",
                       html)
    assert {kind for kind, _, _ in links} == {"with", "year", "place"}
    for kind, value, count in links:
        value = unquote_plus(value.replace("&amp;", "&"))
        chosen = pages.PersonFilter(**{{"with": "with_id", "year": "year", "place": "place"}[kind]:
                                       value if kind == "place" else int(value)})
        listed = str(pages.person_page(suite, penny, chosen=chosen))
        assert len(cards(listed)) == int(count), (kind, value)
        assert f"({count} photo" in listed


def test_photos_together_name_the_companion_and_an_unknown_companion_is_no_page(suite):
    from plvm_photos.web import pages

    penny, leonard = suite.find_person("penny"), suite.find_person("leonard_hofstadter")
    listed = str(pages.person_page(suite, penny.id, chosen=pages.PersonFilter(with_id=leonard.id)))
    assert f"with &lt;{leonard.display}&gt;" in listed or f"with <{leonard.display}>" in listed
    with pytest.raises(KeyError):
        pages.person_page(suite, penny.id, chosen=pages.PersonFilter(with_id=10**9))
    with pytest.raises(KeyError):
        pages.person_page(suite, 10**9)
    with pytest.raises(KeyError):
        suite.person_view(10**9)
