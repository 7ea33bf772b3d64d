"""Answers on the demo library (packaged photos, no EXIF dates or GPS): the forms the README shows."""

import pytest

from plvm_photos.ask.answer import ask
from plvm_photos.ask.query import QuestionError
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library


@pytest.fixture(scope="module")
def library(demo_library_dir):
    with Library(demo_library_dir) as lib:
        yield lib


def _names(answer):
    return sorted(p.path.rsplit("/", 1)[1] for p in answer.photos)


def test_where(library):
    answer = ask(library, "where is <eileen>?")
    assert _names(answer) == ["eileen-and-grace.jpg", "eileen-mirror.jpg", "grace-and-eileen.jpg"]
    lines = {line.split(": ")[0].rsplit("/", 1)[-1]: line for line in answer.answer.splitlines()[1:]}
    assert "<eileen> left" in lines["eileen-and-grace.jpg"]
    assert "<eileen> right" in lines["grace-and-eileen.jpg"]
    photo = next(p for p in answer.photos if p.path.endswith("grace-and-eileen.jpg"))
    left, top, right, bottom = photo.regions["eileen"]
    assert left > 500 and right > left and bottom > top


def test_with_and_but_not_and_count(library):
    assert _names(ask(library, "photos with <eileen> and <grace>")) == ["eileen-and-grace.jpg", "grace-and-eileen.jpg"]
    assert _names(ask(library, "photos with <grace> but not <eileen>")) == ["grace-mirror.jpg"]
    count = ask(library, "how many photos of <grace>?")
    assert count.answer.startswith("3 photos with <grace>")


def test_is_in_and_who_is_in(library):
    assert ask(library, "is <eileen> in eileen-mirror.jpg?").answer.startswith("Yes, <eileen> is in")
    assert ask(library, "is <grace> in coffee.jpg").answer.startswith("No, <grace> is not in")
    who = ask(library, "who is in grace-and-eileen.jpg?")
    assert who.answer.endswith("<grace> (left) and <eileen> (right)")
    assert who.photos[0].people == ["grace", "eileen"]


def test_json_shape(library):
    data = ask(library, "photos with <eileen> and <grace>").as_dict()
    assert set(data) == {"answer", "photos", "query"}
    assert data["query"]["intent"] == "list" and data["query"]["names"] == ["eileen", "grace"]
    for photo in data["photos"]:
        assert set(photo) == {"path", "people", "regions", "taken", "place", "kind", "files", "segments"}
        assert photo["kind"] == "photo" and photo["files"] == [photo["path"]] and photo["segments"] == {}
        assert photo["taken"] is None and photo["place"] is None  # the demo photos carry no EXIF date or GPS
        assert set(photo["people"]) == {"eileen", "grace"} == set(photo["regions"])
        assert all(len(box) == 4 for box in photo["regions"].values())


def test_unknown_names_and_unanswerable_questions(library):
    with pytest.raises(QuestionError, match=r"<billie> is not a registered person \(closest: .*\); try \"where is <"):
        ask(library, "where is <billie>?")
    with pytest.raises(QuestionError, match="try"):
        ask(library, "what is the weather like")
    with pytest.raises(LibraryError, match="no photo"):
        ask(library, "who is in nowhere.jpg")
    with pytest.raises(LibraryError, match="could not be analysed"):
        ask(library, "who is in notes.jpg")


def test_an_action_the_face_engine_cannot_see_is_refused_not_answered_by_people(library):
    # an answer that dropped "dancing" would answer another question (issue 25)
    with pytest.raises(QuestionError, match=r'not "dancing"; try "photos of <eileen> and <grace>"'):
        ask(library, "photos where <eileen> and <grace> are dancing")
