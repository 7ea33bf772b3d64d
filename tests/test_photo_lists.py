"""The gallery's read models by time and place (``reads/photo_lists.py``, ``reads/places.py``) on a
synthetic library (``benchmarks/synth.py``): the same counts as ``ask`` for the same question, and
previous / next that walk each list exactly in its page order."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    from benchmarks.synth import build
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("synth-lists") / "library"
    build(root, photos=400)
    library = Library(root)
    yield library
    library.close()


def _count(library, question: str) -> int:
    return len(library.ask(question).photos)


def test_timeline_counts_are_asks_counts(synth):
    timeline = synth.timeline()
    assert timeline.years == tuple(sorted(timeline.years, key=lambda y: -y.year))
    assert timeline.dated + timeline.undated == 400 and timeline.undated > 0
    year = timeline.years[3]
    assert year.months == tuple(sorted(year.months, key=lambda m: -m.month))
    assert year.photos == sum(m.photos for m in year.months) == _count(synth, f"photos in {year.year}")
    month = year.months[0]
    assert month.photos == _count(synth, f"photos in {month.name}")
    assert synth.list_page(synth.photo_list(month.key), 0, 1000).total == month.photos
    assert synth.list_page(synth.photo_list("undated"), 0, 1000).total == timeline.undated
    assert timeline.undated == _count(synth, "photos without a date")


def test_places_counts_are_asks_counts(synth):
    places = synth.places()
    assert sum(c.photos for c in places.countries) + places.unplaced == 400
    city = places.cities[0]
    page = synth.list_page(synth.photo_list(city.key), 0, 1000)
    assert page.total == city.photos == _count(synth, f"photos in {city.name}")
    assert city.cover in {p.photo_id for p in page.photos}
    japan = next(c for c in places.countries if c.code == "JP")
    assert japan.photos == _count(synth, "photos in Japan") == synth.list_page(synth.photo_list("country:JP"), 0, 1000).total
    assert {c.name for c in japan.cities} == {"Tokyo", "Kyoto"}
    assert places.unplaced == _count(synth, "photos without a location")


@pytest.mark.parametrize("key", ["all", "year:2012", "city:2988507", "person:1", "undated", "unplaced"])
def test_previous_and_next_walk_the_list_in_its_page_order(synth, key):
    plist = synth.photo_list(key)
    ordered = [p.photo_id for p in synth.list_page(plist, 0, 1000).photos]
    assert len(ordered) > 1
    sample = sorted({0, 1, len(ordered) // 2, len(ordered) - 2, len(ordered) - 1})
    for k in sample:
        near = synth.neighbours(plist, ordered[k])
        assert (near.previous, near.next, near.position, near.total) == (
            ordered[k - 1] if k else None, ordered[k + 1] if k + 1 < len(ordered) else None, k + 1, len(ordered))
    dated = [p for p in synth.list_page(plist, 0, 1000).photos if p.taken]
    assert [p.taken for p in dated] == sorted(p.taken for p in dated)  # by date, the undated last


def test_a_photo_outside_the_list_has_no_neighbours_in_it(synth):
    march = synth.list_page(synth.photo_list("month:2012-03"), 0, 1000).photos
    outside = next(p.photo_id for p in synth.list_page(synth.photo_list("month:2013-03"), 0, 1000).photos)
    assert march and synth.neighbours(synth.photo_list("month:2012-03"), outside) is None


@pytest.mark.parametrize("key", ["month:2020-13", "month:0000-01", "city:1", "country:ZZ", "person:999", "bogus", "",
                                 "month:2020-03 ", "year:20201"])
def test_a_key_that_names_no_list_is_a_key_error(synth, key):
    with pytest.raises(KeyError):
        synth.photo_list(key)


def test_when_where_links_the_month_city_and_country(synth):
    photo = next(p for p in synth.list_page(synth.photo_list("city:1850147"), 0, 1000).photos if p.taken)  # Tokyo
    facts = synth.when_where(photo.photo_id)
    assert facts.taken == photo.taken and facts.month == f"month:{photo.taken[:7]}"
    assert facts.city.key == "city:1850147" and facts.country.key == "country:JP" and facts.place.startswith("Tokyo")
    undated = synth.list_page(synth.photo_list("unplaced"), 0, 1).photos[0]
    assert synth.when_where(undated.photo_id).city is None
