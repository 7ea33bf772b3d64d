"""When and where photos were taken, stored at scan time, and read for photos scanned before."""

from datetime import datetime

import pytest
from sqlalchemy import select, update

from plvm_photos.db.models import File, Photo
from plvm_photos.indexing.facts import FACTS_VERSION, StoredFacts, read_facts
from plvm_photos.library import Library
from tests.ask.photo_library import write_copy


def _facts_of(library, name: str) -> Photo:
    with library.session() as s:
        return s.scalar(select(Photo).join(File).where(File.path.endswith(name)))


@pytest.fixture
def folder(tmp_path, sample_photos):
    photos = tmp_path / "photos"
    write_copy(sample_photos["astronaut"], photos / "sydney.jpg", datetime(2020, 1, 15, 10, 30), (-33.8688, 151.2093))
    write_copy(sample_photos["hopper"], photos / "plain.jpg", None, None)
    return photos


def test_scan_stores_date_gps_and_place(tmp_path, folder):
    with Library(tmp_path / "lib") as library:
        summary = library.scan([folder], workers=1, progress=False)
        assert summary.analysed == 2 and summary.facts_read == 0  # read by the analysis itself
        sydney = _facts_of(library, "sydney.jpg")
        assert (sydney.taken_at, sydney.taken_source, sydney.facts_version) == (datetime(2020, 1, 15, 10, 30), "exif", FACTS_VERSION)
        assert sydney.lat == pytest.approx(-33.8688, abs=1e-4) and sydney.lon == pytest.approx(151.2093, abs=1e-4)
        assert (sydney.place_name, sydney.admin1, sydney.country_code, sydney.country) == ("Sydney", "New South Wales", "AU", "Australia")
        plain = _facts_of(library, "plain.jpg")
        assert (plain.taken_source, plain.lat, plain.place_id, plain.facts_version) == ("file", None, None, FACTS_VERSION)


def test_photos_scanned_before_facts_are_read_without_analysing_again(tmp_path, folder):
    with Library(tmp_path / "lib") as library:
        library.scan([folder], workers=1, progress=False)
        with library.transaction() as s:  # as an older version left them
            s.execute(update(Photo).values(facts_version=None, taken_at=None, taken_source=None, lat=None, lon=None,
                                           place_id=None, place_name=None, admin1=None, admin1_code=None,
                                           country_code=None, country=None))
        again = library.scan([folder], workers=1, progress=False)
        assert (again.analysed, again.unchanged, again.facts_read) == (0, 2, 2)
        assert _facts_of(library, "sydney.jpg").place_name == "Sydney"
        assert library.scan([folder], workers=1, progress=False).facts_read == 0


def test_a_copy_of_known_content_gets_facts_only_where_the_photo_lacks_them(tmp_path, folder):
    import shutil

    with Library(tmp_path / "lib") as library:
        library.scan([folder / "sydney.jpg"], workers=1, progress=False)
        with library.transaction() as s:
            s.execute(update(Photo).values(facts_version=None, place_name=None))
        shutil.copy(folder / "sydney.jpg", tmp_path / "copy.jpg")
        summary = library.scan([tmp_path / "copy.jpg"], workers=1, progress=False)
        assert (summary.analysed, summary.known_content, summary.facts_read) == (0, 1, 1)
        assert _facts_of(library, "copy.jpg").place_name == "Sydney"
        assert library.scan([tmp_path / "copy.jpg"], workers=1, progress=False).facts_read == 0


def test_read_facts(tmp_path, folder):
    facts = read_facts(str(folder / "sydney.jpg"))
    assert isinstance(facts, StoredFacts) and facts.country_code == "AU" and facts.source == "exif"
    assert read_facts(str(tmp_path / "gone.jpg")) is None  # the file cannot be read now: left for a later scan
