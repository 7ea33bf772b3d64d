"""Time filters on the camera's EXIF date: ranges, seasons by hemisphere, and what is left out."""

from datetime import date

import pytest

from plvm_photos.ask.answer import ask
from plvm_photos.library import Library
from tests.ask.photo_library import file_names

Y2019 = {"two_people.jpg", "obama.jpg", "johnsnow.jpg", "angelina_sydney_july.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg"}


@pytest.mark.parametrize(
    "question, expected",
    [
        ("photos from 2019", Y2019),
        ("photos of <obama> in 2019", {"two_people.jpg", "obama.jpg"}),
        ("photos of <obama> in July 2019", {"two_people.jpg"}),
        ("photos on 2019-07-14", {"two_people.jpg"}),
        ("photos on 14 July 2019", {"two_people.jpg"}),
        ("photos of <obama> before 2020", {"two_people.jpg", "obama.jpg"}),
        ("photos of <obama> since 2020", {"obama_and_biden.jpg", "obama2.jpg"}),
        ("photos of <katy> after March 2021", set()),  # after = from April on; her LA photo is 12 March
        ("photos of <katy> since March 2021", {"katy_la.jpg"}),
        ("photos from 2018 to 2019", Y2019 | {"kit_with_rose.jpg"}),
        ("photos of <biden> between 2020 and 2021", {"obama_and_biden.jpg", "biden.jpg"}),
        ("photos in the 2010s", Y2019 | {"kit_with_rose.jpg"}),
        # seasons: the northern summer is June-August, the southern December-February
        ("photos from summer 2019", {"two_people.jpg", "johnsnow.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg",
                                     "angelina_sydney_january.jpg"}),
        ("photos from the winter of 2019", {"obama.jpg", "obama_and_biden.jpg", "angelina_sydney_july.jpg"}),
    ],
)
def test_time_filters_select_by_the_camera_date(asked, question, expected):
    assert file_names(asked(question)) == expected


def test_photos_without_a_date_are_counted_as_left_out(asked):
    # obama3.jpg has no EXIF date (only the file's time, which says when it was copied)
    answer = asked("photos of <obama> in 2019")
    assert "(1 photo has no date and was not considered)" in answer.answer
    everyone = asked("how many photos were taken in 2020?")
    assert everyone.answer == "3 photos taken in 2020 (2 photos have no date and were not considered)"
    assert "no date" not in asked("photos with <biden>").answer  # no time asked: nothing left out


def test_the_file_time_is_not_a_date(asked, ask_library):
    from sqlalchemy import select

    from plvm_photos.db.models import File, Photo

    with ask_library.session() as s:
        source, taken = s.execute(select(Photo.taken_source, Photo.taken_at).join(File).where(File.path.endswith("obama3.jpg"))).one()
    assert source == "file" and taken is not None
    this_year = asked(f"photos of <obama> in {taken.year}")
    assert file_names(this_year) == set() and "1 photo has no date" in this_year.answer
    [photo] = asked("who is in obama3.jpg").as_dict()["photos"]
    assert photo["taken"] is None


def test_relative_times_use_today(ask_library):
    answer = ask(ask_library, "photos of <obama> last year", today=date(2020, 6, 1))
    assert file_names(answer) == {"two_people.jpg", "obama.jpg"}
    assert answer.answer.startswith("2 photos with <Obama> taken last year (2019)")
    winter = ask(ask_library, "photos from last winter", today=date(2020, 3, 15))
    # the northern winter 2019/20 in Honolulu and Washington, the southern winter (June-August 2019) in Sydney
    assert file_names(winter) == {"obama.jpg", "obama_and_biden.jpg", "angelina_sydney_july.jpg"}


def test_json_gives_the_date_with_its_offset_where_recorded(asked):
    data = asked("photos from 2019-07-14").as_dict()
    assert [p["taken"] for p in data["photos"]] == ["2019-07-14T12:00:00"]
    assert data["query"]["time"]["start"] == "2019-07-14T00:00:00"


def test_a_library_without_dates_says_so(demo_library_dir):
    with Library(demo_library_dir) as library:
        answer = ask(library, "photos of <eileen> in 2019")
        assert file_names(answer) == set()
        assert "no photo in the library has a date yet" in answer.answer
        count = ask(library, "how many photos were taken last summer?")
        assert count.answer.startswith("0 photos taken last summer") and "no photo in the library has a date yet" in count.answer


def test_easter_photos_are_those_of_every_years_easter(suite_library_dir, tmp_path):
    """"Easter photos" answered Easter Sunday of this year only; each year's Easter is its own day."""
    import shutil
    import sqlite3

    from plvm_photos.ask.answer import answer_question
    from plvm_photos.ask.reader import Reader
    from plvm_photos.store.layout import DB_FILE
    from tests.ask.suite_library import TODAY

    shutil.copy(suite_library_dir / DB_FILE, tmp_path / DB_FILE)
    conn = sqlite3.connect(tmp_path / DB_FILE, check_same_thread=False)
    days = {1: "2019-04-21 10:00:00.000000", 2: "2021-04-04 18:30:00.000000", 3: "2022-04-17 09:00:00.000000",
            4: "2019-04-22 10:00:00.000000", 5: "2021-04-17 10:00:00.000000"}  # the last two: the day after, 2022's day
    for photo_id, taken in days.items():
        conn.execute("UPDATE photos SET taken_at = ?, taken_source = 'exif' WHERE id = ?", (taken, photo_id))
    conn.commit()
    easters = ("2019-04-21", "2020-04-12", "2021-04-04", "2022-04-17", "2023-04-09", "2024-03-31", "2025-04-20")
    easter = {row[0] for row in conn.execute("SELECT id FROM photos WHERE substr(taken_at, 1, 10) IN (?, ?, ?, ?, ?, ?, ?)", easters)}
    assert {1, 2, 3} <= easter and not easter & {4, 5}
    found = answer_question(Reader(conn), "easter photos", TODAY)
    assert len(found.photos) == len(easter) and all(p.taken[:10] in easters for p in found.photos)
    assert "at Easter Sunday (every year)" in found.answer
    counted = answer_question(Reader(conn), "how many photos were taken at easter?", TODAY)
    assert counted.answer.startswith(f"{len(easter)} photo")
    conn.close()
