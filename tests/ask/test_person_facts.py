"""A person's facts (``ask.person_facts``: the person page, ``plvm-photos person``, ``Library.person``)
are the answers ``ask`` gives about them: often with, first and latest, places and years; and their
filtered photo lists hold exactly the photos each count counts."""

from __future__ import annotations

import re

import pytest

from tests.ask.big_suite import DISPLAY, Oracle, _day
from tests.ask.suite_library import TODAY

O = Oracle(TODAY)
PENNY = "penny"


@pytest.fixture
def penny(suite_db):
    from plvm_photos.ask.person_facts import person_story
    from plvm_photos.ask.selection import People

    pid = People(suite_db).get(PENNY).id
    return pid, person_story(suite_db, pid)


def _ranking(text: str) -> list[tuple[str, int]]:
    return [(name.strip(), int(n)) for name, n in re.findall(r"(<[^<>]+>|[^,;:()]+?, [^,;:()]+?) \((\d+) photos?\)", text)]


def test_often_with_is_who_is_with_them(answer, penny):
    _, story = penny
    asked = _ranking(answer("who is with Penny?").answer)
    assert [(t.label, t.photos) for t in story.often_with] == asked
    assert {t.label for t in story.often_with} == {f"<{DISPLAY[k]}>" for k in O.with_whom(PENNY)}
    head = answer("who appears most with Penny?").answer.split(";")[0]
    assert story.often_with[0].label in head and f"({story.often_with[0].photos} photos)" in head


def test_first_and_latest_are_when_first_and_last_seen(answer, penny):
    _, story = penny
    mine = O.of(PENNY)
    assert story.latest.path.endswith(O.latest(mine).name) and story.first.path.endswith(O.earliest(mine).name)
    assert answer("when did I last see Penny?").answer.startswith(_day(O.latest(mine).taken))
    assert story.latest.path in answer("when did I last see Penny?").answer
    assert story.first.path in answer("when was Penny first photographed?").answer


def test_places_and_years_are_the_answers_counts(answer, penny):
    _, story = penny
    places = answer("where has Penny been?").answer
    assert [(t.label, t.photos) for t in story.places] == _ranking(places.split(": ", 1)[1])
    assert f"({story.unplaced} photo without a GPS position not counted)" in places
    years = answer("how many photos per year of Penny?").answer
    assert sorted((t.label, t.photos) for t in story.years) == [
        (y, int(n)) for y, n in re.findall(r"(\d{4})(?: in [^(]*)? \((\d+) photos?\)", years)]
    assert story.photos == len(mine := O.of(PENNY)) and story.undated == sum(1 for s in mine if not s.taken)


def test_each_count_is_the_length_of_its_photo_list(suite_db, penny):
    from plvm_photos.ask.person_facts import person_photo_ids, person_photo_rows

    pid, story = penny
    ids = person_photo_ids(suite_db, pid)
    rows = person_photo_rows(suite_db, ids)
    assert len(rows) == len(ids) == story.photos
    dated = [(r.taken, r.path) for r in rows if r.taken]
    assert dated == sorted(dated) and all(r.taken for r in rows[: len(dated)])  # by date, the undated last
    assert (rows[0].id, rows[len(dated) - 1].id) == (story.first.photo_id, story.latest.photo_id)
    newest = person_photo_ids(suite_db, pid, newest_first=True)
    assert newest[: len(dated)] == ids[: len(dated)][::-1] and newest[len(dated):] == ids[len(dated):]
    for t in story.often_with:
        assert len(person_photo_ids(suite_db, pid, with_id=int(t.key))) == t.photos, t
    for t in story.years:
        assert len(person_photo_ids(suite_db, pid, year=int(t.key))) == t.photos, t
    for t in story.places:
        assert len(person_photo_ids(suite_db, pid, place=t.key)) == t.photos, t
    assert person_photo_ids(suite_db, pid, place="Atlantis, Nowhere") == []


def test_hidden_people_are_not_in_often_with_but_their_own_facts_are_shown(suite_library_dir, tmp_path):
    import shutil
    import sqlite3

    from plvm_photos.ask.person_facts import person_story
    from plvm_photos.ask.reader import Reader
    from plvm_photos.ask.selection import People
    from plvm_photos.store.layout import DB_FILE

    shutil.copy(suite_library_dir / DB_FILE, tmp_path / "db")
    conn = sqlite3.connect(tmp_path / "db")
    db = Reader(conn)
    people = People(db)
    penny, raj = people.get(PENNY).id, people.get("raj_koothrappali").id
    assert str(raj) in {t.key for t in person_story(db, penny).often_with}
    with conn:
        conn.execute("UPDATE concepts SET hidden = 1 WHERE id = ?", (raj,))
    assert str(raj) not in {t.key for t in person_story(db, penny).often_with}
    assert person_story(db, raj).photos > 0
    with pytest.raises(KeyError):
        person_story(db, 10**9)
    conn.close()


def test_the_story_and_a_list_read_at_once_are_those_read_apart(suite_db, penny):
    """A person's page reads the story and its list from one selection of their photos: the same
    story and the same photos in the same order as read one by one, for every filter it offers."""
    from plvm_photos.ask.person_facts import person_photo_ids, person_story_and_photo_ids

    pid, story = penny
    filters = [{}, {"newest_first": True}, {"with_id": int(story.often_with[0].key)},
               {"year": int(story.years[0].key), "newest_first": True}, {"place": story.places[0].key},
               {"place": story.places[-1].key, "year": int(story.years[-1].key)}]
    for chosen in filters:
        together, ids = person_story_and_photo_ids(suite_db, pid, **chosen)
        assert together == story
        assert ids == person_photo_ids(suite_db, pid, **chosen), chosen
    assert len(person_story_and_photo_ids(suite_db, pid)[1]) == story.photos
