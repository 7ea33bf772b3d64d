"""Counts: of photos (however the question says it), of people in a photo, of people registered."""

from __future__ import annotations

import pytest

from tests.ask.big_suite import Oracle
from tests.ask.suite_library import TODAY

O = Oracle(TODAY)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("how many photos of Penny?", len(O.of("penny"))),
        ("how many photos does Penny appear in?", len(O.of("penny"))),
        ("in how many photos is Penny?", len(O.of("penny"))),
        ("count the photos with Raj", len(O.of("raj_koothrappali"))),
        ("number of pictures of Amy", len(O.of("amy_farrah_fowler"))),
        ("how often does Stuart show up?", len(O.of("stuart_bloom"))),
        ("how many photos have both Sheldon and Leonard?", len(O.of("sheldon_cooper", "leonard_hofstadter"))),
        ("how many photos were taken in 2019?", len(O.year(2019))),
        ("how many pics of Sheldon in Tokyo?", len(O.city("Tokyo", O.of("sheldon_cooper")))),
        ("how many photos are there?", len(O.shots)),
        ("how many people are in group_c03.jpg?", 5),
        ("how many people have I tagged?", 11),
    ],
)
def test_counts(answer, text, expected):
    assert answer(text).answer.split()[0] == str(expected)


def test_a_count_of_people_in_a_photo_names_them_and_the_strangers(answer):
    text = answer("how many people are in group_c03.jpg?").answer
    assert text.startswith("5 people in ") and "<Penny>" in text and "1 person you have not named" in text
