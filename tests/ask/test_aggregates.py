"""Your people over time: who is with whom, who is in the most photos, the first / last / N most
recent photos, where and when someone was, which city has the most photos."""

from __future__ import annotations

import pytest

from tests.ask.big_suite import DISPLAY, Oracle, _day
from tests.ask.suite_library import TODAY

O = Oracle(TODAY)
PENNY, RAJ = "penny", "raj_koothrappali"


def _names(text: str) -> set[str]:
    import re

    return set(re.findall(r"<([^<>]+)>", text))


def test_who_is_with_someone(answer):
    text = answer("who is with Penny?").answer
    assert _names(text) - {"Penny"} == {DISPLAY[k] for k in O.with_whom(PENNY)}


def test_who_with_the_question_word_last_is_who_is_with(answer):
    """"Penny is with who?", "Penny was photographed with whom?": the question word at the end, as
    people write it; before, "who" was read as an unregistered person's name and refused with
    the rewrite "Penny is ?"."""
    expected = {DISPLAY[k] for k in O.with_whom(PENNY)}
    for text in ("Penny is with who?", "Penny was photographed with whom?", "penny with whom?"):
        assert _names(answer(text).answer) - {"Penny"} == expected, text


def test_been_photographed_with_is_being_in_photos_with(answer):
    """A passive "photographed" is who is in the photo, not who held the camera: "was Penny ever
    photographed with Raj?" was refused as a question about the photographer, and "has Penny been
    photographed with Raj" was answered only through a spelling correction ("photograph")."""
    both = O.of(PENNY, RAJ)
    for text in ("was Penny ever photographed with Raj?", "has Penny been photographed with Raj?"):
        reply = answer(text)
        assert "read as" not in reply.answer and {p.path.rsplit("/", 1)[-1] for p in reply.photos} == {s.name for s in both}, text


def test_who_appears_most_with_someone_and_who_is_in_the_most_photos(answer):
    head = answer("who appears most with Penny?").answer.split("; then")[0]
    assert _names(head) - {"Penny"} == {DISPLAY[k] for k in O.ranking(O.of(PENNY), skip=(PENNY,))}
    head = answer("who is in the most photos?").answer.split("; then")[0]
    assert _names(head) == {DISPLAY[k] for k in O.ranking()}


def test_first_last_and_most_recent(answer):
    mine = O.of(PENNY)
    assert [p.path.rsplit("/", 1)[-1] for p in answer("latest photo of Penny").photos] == [O.latest(mine).name]
    assert [p.path.rsplit("/", 1)[-1] for p in answer("first photo of Penny").photos] == [O.earliest(mine).name]
    newest = sorted((s for s in mine if s.taken), key=lambda s: (s.taken, s.name), reverse=True)[:3]
    assert [p.path.rsplit("/", 1)[-1] for p in answer("the 3 most recent photos of Penny").photos] == [s.name for s in newest]
    assert _day(O.latest(mine).taken) in answer("when did I last see Penny?").answer
    assert _day(O.earliest(O.of(RAJ)).taken) in answer("when did I first see Raj?").answer


def test_where_and_when_someone_was(answer):
    head = answer("where have I been with Penny?").answer.split("\n")[0]
    assert {c for c in ("Tokyo", "New York", "Paris", "Sydney", "Yokohama", "Kyoto") if c in head} == {s.city for s in O.of(PENNY) if s.city}
    assert _day(O.earliest(O.city("Paris", O.of("sheldon_cooper"))).taken) in answer("when was Sheldon in Paris?").answer


def test_rankings_of_places_count_a_district_for_its_city(answer):
    head = answer("which city has the most photos?").answer.split("; then")[0]
    assert {c for c in ("Tokyo", "New York", "Paris", "Sydney") if c in head} == O.top_city()
    assert "Shinjuku" not in answer("which city has the most photos?").answer  # counted for Tokyo


def test_who_was_somewhere(answer):
    text = answer("who is in photos from Sydney in 2022?").answer
    assert _names(text) == {DISPLAY[k] for s in O.year(2022, O.city("Sydney")) for k in s.people}


def test_when_or_where_of_someone_in_no_photo_says_there_is_none(answer):
    """Not "none of the 0 photos has a date", which reads as if there were photos (issue 25, third pass)."""
    emily = O.of("emily_sweeney")
    kyoto = [s for s in emily if s.city == "Kyoto"]
    assert emily and not kyoto
    assert answer("when did I last see Emily in Kyoto?").answer == (
        "never: there are no photos with <Emily Sweeney> in Kyoto (Japan)")
    assert answer("where have I been with Emily in 2011?").answer.startswith("nowhere: there are no photos with <Emily Sweeney>")


def test_who_is_in_photos_says_every_person_filter_it_counted_over(answer):
    """"who is with Penny or Leonard" said "with <Penny> and <Leonard Hofstadter>"; "who is in the
    photos without Leonard", "who is in group photos", "who is in the most photos with 3 people"
    ranked over those photos and said nothing of the filter: a ranking of everyone, to read it."""
    cases = {
        "who is with Penny or Leonard?": "also in the photos with <Penny> or <Leonard Hofstadter>:",
        "who is in the photos without Leonard?": "in the photos without <Leonard Hofstadter>:",
        "who is with Penny but not Leonard?": "also in the photos with <Penny> but not <Leonard Hofstadter>:",
        "who is in group photos?": "in the photos with 3 or more people in the photo",
        "who is in the most photos with 3 people?": "is in the most photos with exactly 3 people in the photo",
        "who is in photos with strangers?": "in the photos with someone you do not know",
    }
    for question, said in cases.items():
        assert said in answer(question).answer, question
    listed = answer("who is in the photos without Leonard?").answer.split(":", 1)[1]
    assert "Leonard" not in listed and "<Sheldon Cooper>" in listed
    # nobody is named beside them: not "who else"
    assert answer("who is in the photos without Leonard?").understood == "who is in the photos showing not <Leonard Hofstadter>"


def _counts(shots, skip=()) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in shots:
        for p in s.people:
            if p not in skip:
                counts[DISPLAY[p]] = counts.get(DISPLAY[p], 0) + 1
    return counts


def _first_n(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """The first ``n`` of a ranking and every one tied with the last of them."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return [kv for kv in ranked if kv[1] >= ranked[min(n, len(ranked)) - 1][1]]


def _listed(text: str) -> list[tuple[str, int]]:
    import re

    return [(name, int(n)) for name, n in re.findall(r"<([^<>]+)> \((\d+) photos?\)", text.split(":", 1)[1])]


@pytest.mark.parametrize("question, n, skip", [
    ("top 5 people", 5, ()), ("who are the top 3 people?", 3, ()), ("the 4 people in the most photos", 4, ()),
    ("which 3 people are in the most photos?", 3, ()), ("top 3 people with Penny", 3, (PENNY,)),
    ("who are Penny's top 2 companions?", 2, (PENNY,)),
])
def test_the_top_n_people_are_the_first_n_of_the_ranking(answer, question, n, skip):
    """"who are the top 3 people" answered who is in photos showing exactly 3 faces, without
    saying so; "top 5 people" and "top 3 people with Penny" were refused."""
    shots = O.of(PENNY) if skip else O.shots
    expected = _first_n(_counts(shots, skip), n)
    text = answer(question).answer
    assert text.startswith(f"the {n} people in the most photos") and _listed(text) == expected, text
    if len(expected) > n:
        assert f"({len(expected)} listed: a tie at" in text
    understood = answer(question).understood
    assert understood.startswith(f"the {n} other people" if skip else f"the {n} people"), understood


@pytest.mark.parametrize("question, head", [
    ("top 3 cities", "the 3 cities with the most photos"), ("which 2 countries have the most photos?", "the 2 countries with the most photos"),
    ("Penny's top places", None), ("Penny's favourite places", None), ("top cities for Penny", None), ("the top city", None),
    ("most photographed people", None), ("most photographed person", None),
])
def test_rankings_asked_as_top_favourite_or_most_photographed_are_answered(answer, question, head):
    """Each was refused ("I can't use "top places""; "penny's top places" offered "penny's")."""
    text = answer(question).answer
    if head is not None:
        assert text.startswith(head), text
    else:  # the leader, then the rest
        assert " the most photos" in text and "; then" in text, text
    if "Penny" in question:
        assert "with <Penny>" in text.split(";")[0]


def test_the_top_years_are_the_first_of_the_years_ranked(answer):
    """"top 3 years" was refused."""
    counts: dict[str, int] = {}
    for s in O.shots:
        if s.taken:
            counts[str(s.taken.year)] = counts.get(str(s.taken.year), 0) + 1
    text = answer("top 3 years").answer
    import re

    listed = [(year, int(n)) for year, n in re.findall(r"(\d{4}) \((\d+) photos?\)", text.split(":", 1)[1])]
    assert text.startswith("the 3 years with the most photos") and listed == _first_n(counts, 3)
    assert answer("the top year").answer.split(" ")[0] in {y for y, n in counts.items() if n == max(counts.values())}


@pytest.mark.parametrize("question", ["list people", "list everyone", "everyone", "show me all the people", "name everyone",
                                      "all people"])
def test_listing_people_is_who_is_in_the_photos(answer, question):
    """These were refused ("I can't use "people""), with the rewrite "photos from this year"."""
    text = answer(question).answer
    assert text.startswith(f"{len(_counts(O.shots))} people in the photos:"), text


def test_people_in_a_place_is_who_is_in_its_photos(answer):
    assert answer("people in Paris").answer == answer("who is in the photos in Paris?").answer
    assert answer("everyone in Tokyo in 2019").answer == answer("who is in the photos in Tokyo in 2019?").answer


def test_the_top_person_in_a_photo_is_a_position_not_a_ranking():
    """With the ranking heads, "who is the top person in beach.jpg" listed everyone in the photo."""
    from plvm_photos.ask.parser import parse

    query = parse("who is the top person in beach.jpg", TODAY)
    assert (query.intent, query.position, query.most) == ("who_at", "top", False)


def test_how_long_ago_counts_whole_days_months_and_years_from_the_day_asked_on():
    from datetime import date

    from plvm_photos.ask.wording import ago

    assert [ago(date(2026, 12, d), date(2026, 12, 7)) for d in (7, 6, 1)] == ["today", "yesterday", "6 days ago"]
    assert ago(date(2026, 7, 20), date(2026, 12, 7)) == "4 months ago" and ago(date(2026, 7, 8), date(2026, 12, 7)) == "4 months ago"
    assert ago(date(2023, 12, 8), date(2026, 12, 7)) == "2 years ago" and ago(date(2023, 12, 7), date(2026, 12, 7)) == "3 years ago"


def test_how_long_since_i_saw_someone(answer):
    """"how long since I saw Raj" was refused ("I can't use "how long since""); the last and first
    time now say how long ago they were."""
    from plvm_photos.ask.wording import ago

    last = O.latest(O.of(RAJ)).taken
    expected = f"{_day(last)} ({ago(last.date(), TODAY)})"
    for question in ("how long since I saw Raj?", "how long has it been since I saw Raj?", "how long ago did I see Raj?"):
        assert answer(question).answer.startswith(expected), question
    assert answer("how long since I saw Raj?").answer == answer("when did I last see Raj?").answer


def test_a_number_of_photos_of_someone_is_that_many_most_recent():
    """"5 photos of Penny" was refused ("a number alone is no date"); "one photo of Penny" listed all."""
    from plvm_photos.ask.parser import parse

    for text, limit in (("5 photos of <a>", 5), ("one photo of <a>", 1), ("3 videos of <a>", 3), ("10 pics of <a> in 2019", 10)):
        query = parse(text, TODAY)
        assert (query.intent, query.order, query.limit) == ("list", "last", limit), text
    assert parse("2019 photos of <a>", TODAY).limit is None  # a year


def test_five_photos_of_penny_are_her_five_most_recent(answer):
    mine = sorted((s for s in O.of(PENNY) if s.taken), key=lambda s: (s.taken, s.name), reverse=True)[:5]
    found = answer("5 photos of Penny")
    assert found.answer.startswith("the 5 most recent") and [p.path.rsplit("/", 1)[-1] for p in found.photos] == [s.name for s in mine]


@pytest.mark.parametrize("text", ["how long did <a> stay in Paris", "how long was I in Tokyo", "how long is beach.jpg"])
def test_how_long_a_stay_lasted_is_not_read_as_the_last_time(text):
    """With "how long since", these were answered with the last photo (a different question)."""
    from plvm_photos.ask.parser import parse
    from plvm_photos.ask.query import QuestionError

    with pytest.raises(QuestionError):
        parse(text, TODAY)


def test_when_a_photo_was_taken_says_how_long_ago(answer):
    from plvm_photos.ask.wording import ago

    shot = O.latest(O.of(PENNY))
    for question in (f"when was {shot.name} taken?", f"how long ago was {shot.name} taken?"):
        assert f"({ago(shot.taken.date(), TODAY)})" in answer(question).answer, question


def test_people_with_someone_is_who_is_with_them(answer):
    """"people with Penny" was refused ("I can't use "people"")."""
    assert answer("people with Penny").answer == answer("who is with Penny?").answer
    assert answer("everyone with Penny in Paris").answer == answer("who is with Penny in Paris?").answer


@pytest.mark.parametrize("text", ["photos of <a> in her favourite place", "photos of my favourite person", "videos of the top 3 people"])
def test_photos_asked_for_are_never_answered_with_a_ranking(text):
    """"photos of Penny in her favourite place" was answered with a ranking of her places."""
    from plvm_photos.ask.parser import parse
    from plvm_photos.ask.query import QuestionError

    with pytest.raises(QuestionError):
        parse(text, TODAY)
