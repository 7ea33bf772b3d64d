"""Questions about one photo, named by path, file name, tail of a path or #ID: who, is, where,
which, and who is left of / right of / next to someone, relative to the others in it."""

import os

import pytest

from plvm_photos.ask import sides
from plvm_photos.ask.query import QuestionError
from plvm_photos.errors import LibraryError
from tests.ask.photo_library import file_names


def test_who_is_in_a_photo_by_name_tail_path_and_id(asked, ask_library):
    by_name = asked("who is in two_people.jpg?")
    assert file_names(by_name) == {"two_people.jpg"} and by_name.photos[0].people == ["Obama", "biden"]
    assert by_name.answer.endswith("<Obama> (left) and <biden> (right)")  # the stored caption: one row, left to right
    by_tail = asked("who is in chicago/obama2.jpg?")
    assert by_tail.photos[0].people == ["Obama"]
    full = by_tail.photos[0].path
    assert asked(f"who is in {full}?").photos[0].path == full
    assert asked(f'who is in "{full}"?').photos[0].path == full
    here = os.getcwd()
    try:
        os.chdir(os.path.dirname(full))
        assert asked("who is in ./obama2.jpg?").photos[0].path == full  # relative to the current folder
    finally:
        os.chdir(here)
    assert asked(f"who's in #{_photo_id(ask_library, full)}?").photos[0].path == full


def _photo_id(library, path: str) -> int:
    from sqlalchemy import select

    from plvm_photos.db.models import File

    with library.session() as s:
        return s.scalar(select(File.photo_id).where(File.path == path))


def test_is_in_answers_begin_with_yes_or_no(asked):
    assert asked("is <obama> in two_people.jpg?").answer.startswith("Yes, <Obama> is in ")
    assert asked("is <obama> in two_people.jpg?").answer.endswith("two_people.jpg (left)")
    assert asked("is <kit> in two_people.jpg?").answer.startswith("No, <kit> is not in ")
    assert asked("is <obama> or <biden> in biden.jpg?").answer.startswith("Yes: in ")
    assert asked("is <obama> or <kit> in biden.jpg?").answer.startswith("No: in ")
    both = asked("are <kit> and <rosé> in kit_with_rose.jpg?").answer
    assert both.startswith("Yes: in ") and both.endswith("<kit> is there (right); <Rosé> is there (left)")
    one = asked("are <kit> and <biden> in kit_with_rose.jpg?").answer
    assert one.startswith("No: in ") and one.endswith("<kit> is there (right); <biden> is not")
    assert asked("does two_people.jpg show <biden>?").answer.startswith("Yes, <biden> is in")
    assert asked("is there <katy> in two_people.jpg?").answer.startswith("No, <katy> is not in")


def test_where_and_which_name_the_side_among_the_people_in_the_photo(asked):
    assert " is on the right in " in asked("where is <biden> in two_people.jpg?").answer
    answer = asked("where is <obama> in obama_and_biden.jpg?").answer  # <biden>, <obama>, a stranger
    assert "<Obama> is in the middle in " in answer and "(among 3 people)" in answer
    which = asked("which person is <obama> in 2019/paris/two_people.jpg?")
    assert " is the person on the left in " in which.answer and "(face 1 of 2 from the left)" in which.answer
    assert file_names(which) == {"two_people.jpg"}
    assert asked("where is <kit> in two_people.jpg?").answer.startswith("<kit> is not in ")


@pytest.mark.parametrize(
    "question, said",
    [
        ("who is right of <obama> in two_people.jpg?", "<biden> is right of <Obama> in "),
        ("who is to the left of <kit> in kit_with_rose.jpg?", "<Rosé> is left of <kit> in "),
        ("who is next to <ROSÉ> in kit_with_rose.jpg?", "<kit> is next to <Rosé> in "),
        ("who is left of <obama> in two_people.jpg?", "nobody recognised is left of <Obama> in "),
        ("who is right of <obama> in obama_and_biden.jpg?", "nobody recognised is right of <Obama> in "),
        ("who is left of <obama> in obama_and_biden.jpg?", "<biden> is left of <Obama> in "),
        ("who is beside <obama> in obama_and_biden.jpg?", "<biden> and 1 unknown person are next to <Obama> in "),
        ("who is left of <kit> in two_people.jpg?", "<kit> is not in "),
    ],
)
def test_relative_positions(asked, question, said):
    assert asked(question).answer.startswith(said)


def test_photo_references_that_do_not_name_one_photo(asked, tmp_path):
    with pytest.raises(LibraryError, match="no photo 'nowhere.jpg'"):
        asked("who is in nowhere.jpg?")
    with pytest.raises(LibraryError, match="no photo with id #99999"):
        asked("who is in #99999?")
    with pytest.raises(QuestionError, match="one photo cannot also give a time or a place"):
        asked("where is <obama> in two_people.jpg in 2019?")
    with pytest.raises(QuestionError, match='not "dancing"; try "is <Obama> in two_people.jpg\\?"'):
        asked("is <obama> dancing in two_people.jpg?")


def test_sides_relative_to_the_others():
    a, b, c = (0, 0, 10, 10), (100, 0, 110, 10), (200, 0, 210, 10)
    assert [sides.side(x, [a, b], 300, 300) for x in (a, b)] == ["left", "right"]
    assert [sides.side(x, [a, b, c], 300, 300) for x in (a, b, c)] == ["left", "middle", "right"]
    row = [(i * 100, 0, i * 100 + 10, 10) for i in range(6)]
    assert [sides.side(x, row, 600, 300) for x in row] == [
        "far left", "second from the left", "third from the left", "third from the right", "second from the right", "far right"]
    front, behind = (100, 200, 140, 240), (105, 50, 135, 80)  # one column: top and bottom
    assert sides.side(behind, [front, behind, a], 300, 300) == "top right"
    assert sides.side(front, [front, behind, a], 300, 300) == "bottom right"
    assert sides.side(a, [a], 300, 300) == "top left"  # alone: where in the photo
    assert sides.next_to(b, [a, b, c]) == [a, c] and sides.left_of(c, [a, b, c]) == [b, a]
