"""Never a silent wrong answer: anything not fully understood is refused in one line."""

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plvm_photos.ask.parser import EXAMPLES, parse, tokenize
from plvm_photos.ask.query import Query, QuestionError

TODAY = date(2024, 7, 15)


def refusal(text: str) -> str:
    with pytest.raises(QuestionError) as error:
        parse(text, TODAY)
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "text, message",
    [
        ("wher is <x>", 'I can\'t read "wher is <x>": did you mean "where is <x>?"'),
        ("photos wth <a>", 'I can\'t read "photos wth <a>": did you mean "photos with <a>"'),
        ("photos of <a> adn <b>", 'I can\'t read "photos of <a> adn <b>": did you mean "photos of <a> and <b>"'),
        ("how mny photos of <a>?", 'I can\'t read "how mny photos of <a>?": did you mean "how many photos of <a>?"'),
        ("whois in beach.jpg", 'I can\'t read "whois in beach.jpg": did you mean "who is in beach.jpg?"'),
        ("photos of <a> in Jully 2019", 'I can\'t read "photos of <a> in Jully 2019": did you mean "photos of <a> in July 2019"'),
        ("Wher is <x>?", 'I can\'t read "Wher is <x>?": did you mean "Where is <x>?"'),
        ("photos of <a> butt not <b>", 'I can\'t read "photos of <a> butt not <b>": did you mean "photos of <a> but not <b>"'),
    ],
)
def test_near_miss_keywords_get_a_corrected_question(text, message):
    assert refusal(text) == message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("photos of <a> on a boat", '"photos of <a> on a boat": I can\'t use "on a boat"; try "photos of <a> in Paris last summer"'),
        ("<a> in Narnia", '"<a> in Narnia": I don\'t know the place "Narnia"'),
        ("photos of <a> and", '"photos of <a> and": the question stops too early; try'),
        ("photos of me", '"photos of me": I can\'t use "of me"'),
        ("hello", '"hello": I can\'t use "hello"'),
        ("", '"": there is no question'),
        ("please?", '"please?": there is no question'),
        ("photos of <>", '"photos of <>": a name is empty'),
        ("photos of <a", '"photos of <a": a name must be written between < and >'),
        ('who is in "beach.jpg', "a quote is not closed"),
        ("photos where <mike> is hugging <susan>", 'name everyone before what they do; try "photos where <mike> and <susan> are hugging"'),
        ("who is in Paris?", '"Paris" is a place, not a photo'),
        ("photos of <a> in rain", '"rain" is not a place I know'),
        ("photos of <a> near the car", "I can't use \"near the car\""),
        ("photos of <a> 2019", "I can't use \"2019\""),
        ("who is in ~/Pictures/beach", '"~/Pictures/beach" looks like a path: name a photo with its suffix'),
        ("is <a> in Paris or <b>", '"Paris" is a place, not a photo'),
        ("photos of <a> before summer 2019", "I can't use \"before summer 2019\""),
    ],
)
def test_refusals_name_the_part_not_understood(text, expected):
    assert expected in refusal(text)


def test_a_refusal_is_a_question_error_with_its_parts():
    with pytest.raises(QuestionError) as error:
        parse("photos of <a> on a boat", TODAY)
    assert (error.value.part, error.value.text) == ("on a boat", "photos of <a> on a boat")
    assert error.value.suggestion == "photos of <a> in Paris last summer"


def test_actions_are_not_refused_but_kept():
    assert parse("photos where <mike> and <susan> are talking", TODAY).action == "are talking"
    assert parse("is <billie> wearing a hat in x.jpg?", TODAY).action == "wearing a hat"


def test_only_framing_words_are_dropped():
    dropped = {t.text.lower() for t in tokenize("please show me all the photos of my <a>")} ^ {"show", "me", "photos", "of", "<a>"}
    assert dropped == set()


def test_every_example_parses():
    assert len(EXAMPLES) >= 60
    for example in EXAMPLES:
        assert isinstance(parse(example, TODAY), Query), example


PIECES = [
    "photos", "of", "with", "and", "or", "but", "not", "without", "only", "in", "on", "near", "from", "to",
    "between", "before", "after", "since", "last", "this", "summer", "winter", "july", "may", "2019", "14",
    "the", "90s", "Paris", "Japan", "New", "York", "<a>", "<b>", "(", ")", ",", "beach.jpg", "'x y.jpg'",
    "#12", "where", "is", "who", "which", "what", "how", "many", "are", "wearing", "a", "hat", "left",
    "right", "next", "within", "20", "km", "?", "2021-02-30", "07/08/2021", "Narnia", "wher", "&", "and/or",
    "<", ">", '"', "'", "week", "days", "past", "neither", "nor", "either", "both", "describe", "does",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80))
def test_random_text_is_answered_or_refused(text):
    try:
        assert isinstance(parse(text, TODAY), Query)
    except QuestionError as error:
        assert "\n" not in str(error).strip("\n") or "\n" in text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_random_questions_from_grammar_words_are_answered_or_refused(words):
    try:
        assert isinstance(parse(" ".join(words), TODAY), Query)
    except QuestionError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.text(alphabet=string.ascii_letters + " <>?,.'\"#/", max_size=12))
def test_examples_with_garbage_are_answered_or_refused(example, garbage):
    for text in (example + " " + garbage, garbage + " " + example):
        try:
            parse(text, TODAY)
        except QuestionError:
            pass


def _run_parser_in(cache_home, tmp_path) -> list[str]:
    import os
    import subprocess
    import sys

    code = (
        "import sys; from datetime import date; from plvm_photos.ask.parser import parse; "
        "q = parse('photos of <a> last summer', date(2024, 7, 15)); print(q.intent, 'lark' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()


def test_the_parse_table_is_built_once_and_cached(tmp_path):
    cache = tmp_path / "cache"
    assert _run_parser_in(cache, tmp_path) == ["list", "True"]  # built with lark, then cached
    assert len(list((cache / "plvm-photos").glob("ask-grammar-*.json"))) == 1
    assert _run_parser_in(cache, tmp_path) == ["list", "False"]  # read from the cache: no lark


def test_an_unwritable_cache_still_parses(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert _run_parser_in(blocked, tmp_path)[0] == "list"


def test_every_rule_that_builds_a_value_has_a_callback():
    from plvm_photos.ask.parser import Callbacks, tables

    for name, alias, expand1, keep, _size in tables().rules:
        always_inlined = name.startswith("_") or (expand1 and alias is None and sum(keep) == 1)
        assert always_inlined or hasattr(Callbacks, alias or name), (name, alias)
