"""Names as people type them: with or without brackets, first names, full names, unique prefixes,
possessives, any case; the parser is handed the registered names and never reads the database."""

from __future__ import annotations

from datetime import date

import pytest

from plvm_photos.ask.parser import parse
from plvm_photos.ask.query import AllOf, Person, QuestionError
from plvm_photos.ask.roster import Roster
from tests.ask.suite_library import PEOPLE

TODAY = date(2024, 7, 15)
SHELDON = Person("Sheldon Cooper")


@pytest.mark.parametrize(
    "text",
    ["photos of <Sheldon Cooper>", "photos of <sheldon_cooper>", "photos of <sheldon>", "photos of sheldon",
     "pictures of sheldon cooper", "Sheldon's photos", "photos of SHELDON", "photos of shel", "photos of Cooper",
     "show me sheldon", "sheldon", "<SHELDON COOPER>"],
)
def test_a_registered_person_by_any_of_their_names(text):
    assert parse(text, TODAY, PEOPLE).people == SHELDON


def test_the_parse_is_pure_the_names_are_handed_in():
    assert parse("photos of <whoever>", TODAY).people == Person("whoever")  # no roster: as written
    with pytest.raises(QuestionError, match="not a registered person"):
        parse("photos of <whoever>", TODAY, PEOPLE)
    with pytest.raises(QuestionError):
        parse("photos of whoever", TODAY, PEOPLE)  # a bare word is a name only when it names someone


def test_a_name_that_is_also_a_place_or_a_month_is_the_person_where_registered():
    roster = Roster([("paris_hilton", "Paris Hilton"), ("june", "June")])
    assert parse("photos of Paris Hilton", TODAY, roster).people == Person("Paris Hilton")
    query = parse("photos of June in Paris", TODAY, roster)
    assert query.people == Person("June") and query.place.place.name == "Paris"


def test_short_prefixes_and_ambiguous_names_are_refused_with_the_candidates():
    roster = Roster([("amy_adams", "Amy Adams"), ("amy_farrah_fowler", "Amy Farrah Fowler")])
    with pytest.raises(QuestionError, match='"amy" could be <Amy Adams> or <Amy Farrah Fowler>; say which'):
        parse("photos of amy", TODAY, roster)
    assert parse("photos of amy farrah", TODAY, roster).people == Person("Amy Farrah Fowler")


def test_answers_by_name_on_the_suite_library(answer):
    for text in ("photos of sheldon", "Sheldon's photos", "photos of <sheldon_cooper>"):
        assert answer(text).answer.startswith("36 photos with <Sheldon Cooper>")


@pytest.mark.parametrize(
    "text, refused",
    [
        ("photos of penny sheldon", None),  # two first names one after the other: both (see below)
        ("photos of penny cooper", r"<penny cooper> is not a registered person"),  # a first name and another's surname
        ("photos of the Coopers", r'"Coopers" is a family; name its people'),
        ("who is sheldon?", r"not who they are; try \"photos of <Sheldon Cooper>\""),
        ("photos of me", r'"me" is you'),
        ("photos of Penny and us", r'"us" is you'),
        ("photos of shel and bernie", r"<bernie> is not a registered person"),
        ("photos of leo", r'"leo" is not a registered name; try "photos of <Leonard Hofstadter>"'),
    ],
)
def test_names_that_name_nobody_registered_are_refused(text, refused):
    if refused is None:
        assert parse(text, TODAY, PEOPLE).people == AllOf((Person("Penny"), SHELDON))
        return
    with pytest.raises(QuestionError, match=refused):
        parse(text, TODAY, PEOPLE)
