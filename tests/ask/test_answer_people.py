"""People expressions answered on real photos: and, or, not, only, without, neither."""

import pytest

from plvm_photos.ask.query import QuestionError
from tests.ask.photo_library import file_names
from tests.ask.question_suite import ALL, BIDEN, KATY, KIT, OBAMA, ANGELINA


@pytest.mark.parametrize(
    "question, expected",
    [
        ("photos with <obama>", OBAMA),
        # the issue's first bug: "or" was answered as "and"
        ("photos of <obama> or <biden>", OBAMA | BIDEN),
        ("photos of <obama> and/or <biden>", OBAMA | BIDEN),
        ("photos of either <kit> or <katy>", KIT | KATY),
        ("photos with <obama> and <biden>", OBAMA & BIDEN),
        ("photos with both <obama> and <biden>", OBAMA & BIDEN),
        ("photos with <obama> but not <biden>", OBAMA - BIDEN),
        ("photos of <obama> except <biden>", OBAMA - BIDEN),
        # the issue's second bug: a question without a positive person crashed
        ("photos without <obama>", ALL - OBAMA),
        ("photos with neither <obama> nor <biden>", ALL - OBAMA - BIDEN),
        ("photos of <obama> or <biden> but not <obama>", BIDEN - OBAMA),
        ("photos of (<obama> or <kit>) and <biden>", OBAMA & BIDEN),
        ("photos of <angelina>, <katy>, or <kit>", ANGELINA | KATY | KIT),
        # only: exactly these people recognised; a stranger's face does not count
        ("photos of only <obama> and <biden>", {"two_people.jpg", "obama_and_biden.jpg"}),
        ("<obama> alone", OBAMA - BIDEN),
        ("just <angelina>", ANGELINA),
        ("photos of only <kit>", {"johnsnow.jpg"}),
    ],
)
def test_people_expressions_select_exactly_their_photos(asked, question, expected):
    answer = asked(question)
    assert file_names(answer) == set(expected), answer.answer
    n = len(expected)
    assert answer.answer.startswith(f"{n} photo" if n else "no photos")


def test_the_answer_names_the_expression_with_display_names(asked):
    assert asked("photos of <obama> or <biden>").answer.startswith("6 photos with <Obama> or <biden>:")
    assert asked("photos without <obama>").answer.startswith("11 photos without <Obama>:")
    assert asked("photos with <obama> but not <biden>").answer.startswith("3 photos with <Obama> but not <biden>:")
    assert asked("photos with neither <obama> nor <biden>").answer.startswith("10 photos without <Obama> or <biden>:")
    assert asked("photos of only <obama> and <biden>").answer.startswith("2 photos with only <Obama> and <biden>:")


def test_json_lists_who_is_where_with_date_place_and_the_query(asked):
    data = asked("photos with <obama> and <biden>").as_dict()
    assert set(data) == {"answer", "photos", "query"}
    assert data["query"]["people"] == {"all_of": [{"person": "Obama"}, {"person": "biden"}]}
    paris = next(p for p in data["photos"] if p["path"].endswith("two_people.jpg"))
    assert paris["people"] == ["Obama", "biden"]  # left to right, display names
    assert set(paris["regions"]) == {"Obama", "biden"} and all(len(b) == 4 for b in paris["regions"].values())
    assert paris["taken"] == "2019-07-14T12:00:00"
    assert paris["place"].endswith("Île-de-France, France")


def test_unknown_and_invalid_names_are_errors_not_answers(asked):
    with pytest.raises(QuestionError, match=r"<nobody> is not a registered person \(closest: "):
        asked("photos of <obama> or <nobody>")
    with pytest.raises(QuestionError, match="is not a registered person"):
        asked("photos of <a/b>")
