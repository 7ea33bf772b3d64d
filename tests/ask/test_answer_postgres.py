"""Dates, places and names answered by the same SQL on PostgreSQL (a throwaway server, see conftest)."""

from datetime import datetime

import pytest

from plvm_photos.ask.answer import ask
from plvm_photos.library import Library
from tests.ask.photo_library import PARIS, SYDNEY, file_names, write_copy

pytestmark = pytest.mark.postgres



def test_time_place_and_unicode_names_on_postgresql(tmp_path, sample_photos, pg_url):
    photos = tmp_path / "photos"
    write_copy(sample_photos["astronaut"], photos / "paris.jpg", datetime(2019, 7, 14, 12), PARIS)
    write_copy(sample_photos["astronaut"].with_name("astronaut.jpg"), photos / "sydney.jpg", datetime(2020, 1, 15, 10), SYDNEY)
    write_copy(sample_photos["hopper"], photos / "undated.jpg", None, None)
    with Library(tmp_path / "lib", db_url=pg_url) as library:
        assert library.db.dialect.name == "postgresql"
        library.add_person("<Zoë>", [sample_photos["astronaut"]])
        library.scan([photos], workers=1, progress=False)
        assert file_names(ask(library, "photos of <ZOË> from 2019")) == {"paris.jpg"}
        assert file_names(ask(library, "photos from summer 2019")) == {"paris.jpg", "sydney.jpg"}  # Sydney: southern summer
        in_paris = ask(library, "photos in Paris")
        assert file_names(in_paris) == {"paris.jpg"} and "1 photo has no GPS position" in in_paris.answer
        assert file_names(ask(library, "who is in photos/paris.jpg?")) == {"paris.jpg"}  # ix_files_name's expression
        from plvm_photos.errors import LibraryError

        with pytest.raises(LibraryError, match=r"no photo 'par_is.png' in the library \(scan"):  # "_" is no wildcard
            ask(library, "who is in par_is.png?")
        with pytest.raises(LibraryError, match=r"no photo 'paris.png' in the library; did you mean paris.jpg\?"):
            ask(library, "who is in paris.png?")
        assert file_names(ask(library, "photos near Sydney")) == {"sydney.jpg"}
        assert ask(library, "how many photos were taken in 2020?").answer.startswith("1 photo taken in 2020 (1 photo has no date")
        assert ask(library, "photos of <zoë> in Australia").answer.startswith("1 photo with <Zoë> in Australia")
        assert ask(library, "photos from 2019").as_dict()["photos"][0]["taken"] == "2019-07-14T12:00:00"
        # every year's July (by month and day of the camera's date), places joined with "but not"
        assert file_names(ask(library, "photos from July")) == {"paris.jpg"}
        assert file_names(ask(library, "photos from december to january")) == {"sydney.jpg"}
        assert file_names(ask(library, "photos in Europe but not Paris")) == set()
        assert file_names(ask(library, "photos with gps")) == {"paris.jpg", "sydney.jpg"}
        by_year = ask(library, "how many photos per year?", with_photos=False).answer  # grouped in SQL
        assert by_year == "2 years: 2019 in Paris 04 Hôtel-de-Ville (1 photo); 2020 in Sydney (1 photo) (1 photo without a date not counted)", by_year
        # the gallery's timeline, places and lists: the same conditions, on PostgreSQL
        timeline = library.timeline()
        assert [(y.year, [m.month for m in y.months]) for y in timeline.years] == [(2020, [1]), (2019, [7])]
        assert timeline.undated == 1
        places = library.places()
        assert [(c.code, c.photos) for c in places.countries] == [("AU", 1), ("FR", 1)] and places.unplaced == 1
        everything = library.photo_list("all")
        ordered = [p.photo_id for p in library.list_page(everything, 0, 10).photos]
        assert len(ordered) == 3 and library.list_page(everything, 0, 10).photos[0].taken == "2019-07-14T12:00:00"
        middle = library.neighbours(everything, ordered[1])
        assert (middle.previous, middle.next, middle.position, middle.total) == (ordered[0], ordered[2], 2, 3)
        assert library.list_page(library.photo_list("month:2019-07"), 0, 10).total == 1


def test_easter_of_every_year_on_postgresql(tmp_path, sample_photos, pg_url):
    photos = tmp_path / "photos"
    write_copy(sample_photos["astronaut"], photos / "easter_2021.jpg", datetime(2021, 4, 4, 11), None)
    write_copy(sample_photos["hopper"], photos / "day_after.jpg", datetime(2021, 4, 5, 11), None)
    with Library(tmp_path / "lib", db_url=pg_url) as library:
        library.scan([photos], workers=1, progress=False)
        assert file_names(ask(library, "easter photos")) == {"easter_2021.jpg"}
        assert file_names(ask(library, "photos from easter 2021")) == {"easter_2021.jpg"}
