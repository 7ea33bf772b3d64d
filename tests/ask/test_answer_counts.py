"""Counts: "how many photos ..." with people, time and place, equal to the lists they count."""

import pytest

from tests.ask.photo_library import file_names


@pytest.mark.parametrize(
    "count, listing",
    [
        ("how many photos of <obama>?", "photos of <obama>"),
        ("how many pictures with <obama> and <biden> do I have?", "photos with <obama> and <biden>"),
        ("how many photos of <obama> or <biden>?", "photos of <obama> or <biden>"),
        ("how many photos without <obama>?", "photos without <obama>"),
        ("how many photos of <obama> were taken in 2020?", "photos of <obama> from 2020"),
        ("how many photos are there from 2019?", "photos from 2019"),
        ("how many photos in Japan?", "photos in Japan"),
        ("count photos of <angelina> in Australia", "photos of <angelina> in Australia"),
        ("how many photos of only <obama> and <biden>?", "photos of only <obama> and <biden>"),
        ("how many photos?", "photos"),
    ],
)
def test_a_count_is_the_number_of_photos_listed(asked, count, listing):
    counted, listed = asked(count), asked(listing)
    n = len(listed.photos)
    assert counted.answer.startswith(f"{n} photo{'' if n == 1 else 's'}"), counted.answer
    assert file_names(counted) == file_names(listed)
    assert counted.as_dict()["query"]["intent"] == "count"


@pytest.mark.parametrize("count", ["how many photos of <obama> or <biden>?", "how many photos in Japan?",
                                   "how many photos of <obama> were taken in 2020?"])
def test_a_count_asked_without_its_photos_says_the_same(ask_library, asked, count):
    # What `ask` prints without --json: the number alone, without reading the photos it counts.
    from plvm_photos.ask.answer import ask

    bare, full = ask(ask_library, count, with_photos=False), asked(count)
    assert bare.answer == full.answer and bare.photos == [] and full.photos
    listing = "photos of <obama>"  # an answer that lists photos lists them all the same
    assert ask(ask_library, listing, with_photos=False).photos == asked(listing).photos


def test_count_words_and_notes(asked):
    assert asked("how many photos of <obama>?").answer == "5 photos with <Obama>"
    assert asked("how many photos of <katy>?").answer == "2 photos with <katy>"
    assert asked("how many photos of <Rosé>?").answer == "1 photo with <Rosé>"
    assert asked("how many photos of <obama> were taken in 2020?").answer == (
        "1 photo with <Obama> taken in 2020 (1 photo has no date and was not considered)")
    assert asked("how many photos in Japan?").answer == "2 photos in Japan (2 photos have no GPS position and were not considered)"
    assert asked("how many photos?").answer == "16 photos"
    assert asked("how many photos of <obama> in Germany?").answer.startswith("0 photos with <Obama> in Germany")


def test_counting_a_cue_the_pose_stage_has_not_seen_says_so(asked):
    # without the people-pose stage (off in the tests) nobody's smile is seen: none is guessed
    answer = asked("how many photos where <obama> is smiling?")
    assert answer.answer.startswith("0 photos where <Obama> is smiling (5 photos could not be judged: ")
    assert "people-pose stage has not seen this face" in answer.answer
