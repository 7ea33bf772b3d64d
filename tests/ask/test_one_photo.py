"""Questions about one photo (FILE), and the visual questions about actions and appearance."""

import json
from datetime import date

import pytest

from plvm_photos.ask.parser import parse
from plvm_photos.ask.query import AllOf, AnyOf, Cue, Person, PhotoRef, QuestionError

TODAY = date(2024, 7, 15)
A, B = Person("a"), Person("b")


@pytest.mark.parametrize(
    "written, ref",
    [
        ("beach.jpg", "beach.jpg"),
        ("BEACH.JPG", "BEACH.JPG"),
        ("/home/me/Pictures/2019/beach.jpeg", "/home/me/Pictures/2019/beach.jpeg"),
        ("~/Pictures/2009/inauguration.jpg", "~/Pictures/2009/inauguration.jpg"),
        ("./x/y.PNG", "./x/y.PNG"),
        ("2019/beach.jpg", "2019/beach.jpg"),
        ('"summer holiday/day one.jpg"', "summer holiday/day one.jpg"),
        ("'party night.heic'", "party night.heic"),
        ("“with curly quotes.webp”", "with curly quotes.webp"),
        ('"no suffix at all"', "no suffix at all"),
        ("IMG_0001.tif", "IMG_0001.tif"),
        ("scan.tiff", "scan.tiff"),
        ("anim.gif", "anim.gif"),
        ("old.bmp", "old.bmp"),
        ("new.avif", "new.avif"),
        ("image.png.", "image.png"),
    ],
)
def test_file_references(written, ref):
    query = parse(f"who is in {written}?", TODAY)
    assert (query.intent, query.photo) == ("who", PhotoRef(ref))


def test_photo_ids():
    assert parse("who's in #123?", TODAY).photo == PhotoRef("#123", 123)
    assert parse("is <a> in photo #7", TODAY).photo == PhotoRef("#7", 7)


@pytest.mark.parametrize(
    "text, intent, people",
    [
        ("who is in beach.jpg?", "who", None),
        ("who's in the photo beach.jpg", "who", None),
        ("who is there in beach.jpg?", "who", None),
        ("who appears in beach.jpg", "who", None),
        ("which people are in beach.jpg?", "who", None),
        ("is <a> in beach.jpg?", "is_in", A),
        ("is there <a> in beach.jpg?", "is_in", A),
        ("are <a> and <b> in beach.jpg?", "is_in", AllOf((A, B))),
        ("is <a> or <b> in beach.jpg?", "is_in", AnyOf((A, B))),
        ("does beach.jpg show <a>?", "is_in", A),
        ("does the photo beach.jpg contain <a> and <b>", "is_in", AllOf((A, B))),
        ("can you see <a> in beach.jpg", "is_in", A),
        ("where is <a> in beach.jpg?", "where", A),
        ("where are <a> and <b> in beach.jpg", "where", AllOf((A, B))),
        ("which person is <a> in beach.jpg?", "which", A),
        ("which one is <a> in beach.jpg", "which", A),
        ("which is <a> in beach.jpg", "which", A),
        ("which face is <a> in beach.jpg", "which", A),
    ],
)
def test_one_photo_intents(text, intent, people):
    query = parse(text, TODAY)
    assert (query.intent, query.people, query.photo) == (intent, people, PhotoRef("beach.jpg"))


def test_where_without_a_photo():
    query = parse("where is <a>?", TODAY)
    assert (query.intent, query.people, query.photo) == ("where", A, None)


@pytest.mark.parametrize(
    "text, relation",
    [
        ("who is left of <a> in group.jpg?", "left"),
        ("who is to the left of <a> in group.jpg?", "left"),
        ("who is on the left of <a> in group.jpg?", "left"),
        ("who's right of <a> in group.jpg", "right"),
        ("who is standing to the right of <a> in group.jpg?", "right"),
        ("who is next to <a> in group.jpg?", "next"),
        ("who is sitting next to <a> in group.jpg?", "next"),
        ("who is beside <a> in group.jpg?", "next"),
    ],
)
def test_relative_position(text, relation):
    query = parse(text, TODAY)
    assert (query.intent, query.relation, query.people, query.photo) == ("relative", relation, A, PhotoRef("group.jpg"))


@pytest.mark.parametrize(
    "text, intent, people, action, photo",
    [
        ("photos of <billie> wearing a hat", "visual_yes_no", Person("billie"), "wearing a hat", None),
        ("is <billie> wearing a hat in beach.jpg?", "visual_yes_no", Person("billie"), "wearing a hat", "beach.jpg"),
        ("is <billie> wearing a hat and sunglasses in beach.jpg?", "visual_yes_no", Person("billie"), "wearing a hat and sunglasses", "beach.jpg"),
        ("does <billie> wear glasses in beach.jpg?", "visual_yes_no", Person("billie"), "wear glasses", "beach.jpg"),
        ("is <a> standing in front of the car in beach.jpg", "visual_yes_no", A, "standing in front of the car", "beach.jpg"),
        ("what is <billie> wearing?", "visual_open", Person("billie"), "wearing", None),
        ("what's <billie> holding in beach.jpg", "visual_open", Person("billie"), "holding", "beach.jpg"),
        ("what are <a> and <b> doing in beach.jpg?", "visual_open", AllOf((A, B)), "doing", "beach.jpg"),
        ("what does <a> hold in beach.jpg", "visual_open", A, "hold", "beach.jpg"),
        ("describe <a> in beach.jpg", "visual_open", A, "describe", "beach.jpg"),
        ("count photos where <a> and <b> are dancing", "visual_count", AllOf((A, B)), "are dancing", None),
    ],
)
def test_visual_questions_keep_the_action_words_exactly(text, intent, people, action, photo):
    query = parse(text, TODAY)
    assert (query.intent, query.people, query.action) == (intent, people, action)
    assert query.photo == (PhotoRef(photo) if photo else None)


def test_visual_questions_take_filters():
    query = parse("photos where <a> is dancing in Paris last summer", TODAY)
    assert (query.action, query.place.place.name, query.time.label) == ("is dancing", "Paris", "last summer")


@pytest.mark.parametrize(
    "text, intent, people, cues, photo",
    [
        ("photos where <mike> and <susan> are talking", "list", AllOf((Person("mike"), Person("susan"))),
         (Cue("talking", ("mike", "susan")),), None),
        ("are <a> and <b> hugging?", "exists", AllOf((A, B)), (Cue("hugging", ("a", "b")),), None),
        ("how many photos where <a> is smiling", "count", A, (Cue("smiling", ("a",)),), None),
        ("photos where <a> is smiling with <b>", "list", AllOf((A, B)), (Cue("smiling", ("a",)),), None),
        ("<a> not smiling", "list", A, (Cue("not_smiling", ("a",)),), None),
        ("<a> and <b> hugging", "list", AllOf((A, B)), (Cue("hugging", ("a", "b")),), None),
        ("<a> hugging <b>", "list", AllOf((A, B)), (Cue("hugging", ("a", "b")),), None),
        ("photos of <a> holding hands with <b>", "list", AllOf((A, B)), (Cue("holding_hands", ("a", "b")),), None),
        ("<a> looking at the camera", "list", A, (Cue("looking_at_camera", ("a",)),), None),
        ("<a> with her eyes closed", "list", A, (Cue("eyes_closed", ("a",)),), None),
        ("<a> and <b> are both smiling", "list", AllOf((A, B)), (Cue("smiling", ("a", "b")),), None),
        ("<a> facing <b>", "list", AllOf((A, B)), (Cue("facing", ("a", "b")),), None),
        ("<a> next to <b>", "list", AllOf((A, B)), (Cue("next_to", ("a", "b")),), None),
        ("<a> and <b> side by side", "list", AllOf((A, B)), (Cue("next_to", ("a", "b")),), None),
        ("is <a> smiling in beach.jpg?", "is_in", A, (Cue("smiling", ("a",)),), "beach.jpg"),
        ("are <a> and <b> next to each other in beach.jpg?", "is_in", AllOf((A, B)), (Cue("next_to", ("a", "b")),), "beach.jpg"),
    ],
)
def test_what_people_do_or_show_is_read_as_cues(text, intent, people, cues, photo):
    query = parse(text, TODAY)
    assert (query.intent, query.people, query.cues, query.action) == (intent, people, cues, None)
    assert query.photo == (PhotoRef(photo) if photo else None)


def test_a_relation_in_a_named_photo_is_no_cue():
    query = parse("is <a> next to <b> in beach.jpg?", TODAY)
    assert (query.intent, query.relation, query.cues) == ("related", "next", ())


@pytest.mark.parametrize("text, refused", [
    ("<a> not hugging <b>", 'I can judge "not smiling", not "not hugging"'),
    ("who is smiling in beach.jpg", "say who"),
    ("who is smiling with <a>", "what people do is judged over photos"),
    ("photos without <a> smiling", "whom the question leaves out"),
    ("photos where smiling", "say who"),
])
def test_cues_that_cannot_be_judged_are_refused(text, refused):
    with pytest.raises(QuestionError, match=refused):
        parse(text, TODAY)


def test_presence_is_not_an_action():
    query = parse("photos where <a> and <b> appear", TODAY)
    assert (query.intent, query.action) == ("list", None)


def test_people_and_one_photo_ask_whether_they_are_in_it():
    assert parse("photos of <a> in beach.jpg", TODAY).intent == "is_in"


def test_a_place_is_not_a_photo():
    query = parse("is <a> in Paris?", TODAY)
    assert (query.intent, query.place.place.name, query.photo) == ("exists", "Paris", None)


def test_describe_and_json():
    query = parse("is <billie> wearing a hat in ~/Pictures/beach.jpg?", TODAY)
    assert query.describe() == 'whether <billie> "wearing a hat" in "~/Pictures/beach.jpg" (for the vision model)'
    assert parse("who is left of <a> in #5", TODAY).describe() == "who is left of <a> in photo #5"
    data = parse("photos of <a> or <b> in Paris last summer", TODAY).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["place"]["place"]["name"] == "Paris" and data["time"]["north"]["start"] == "2023-06-01T00:00:00"
    assert data["intent"] == "list" and data["names"] == ["a", "b"]


def test_an_exact_copy_is_answered_with_its_own_path(answer):
    found = answer("who's in raj_copy.jpg?")
    head = found.answer.split(": ", 1)[0]
    assert head.split(" (")[0].endswith("/raj_copy.jpg") and head.endswith("/raj.jpg)") and "(an exact copy of /" in head
    assert [p.path.rsplit("/", 1)[-1] for p in found.photos] == ["raj_copy.jpg"]
    assert answer("who is in raj.jpg?").photos[0].path.endswith("/raj.jpg")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("who is on the far left in group_c03.jpg?", "<Raj Koothrappali> is on the far left in"),
        ("who is in the middle of group_c03.jpg?", "<Sheldon Cooper> is in the middle in"),
        ("is Penny next to Sheldon in group_c03.jpg?", "Yes, <Penny> is next to <Sheldon Cooper>"),
        ("is Leonard to the left of Raj in group_c03.jpg?", "No, <Leonard Hofstadter> is not left of <Raj Koothrappali>"),
        ("is Raj on the left in group_c03.jpg?", "Yes, <Raj Koothrappali> is on the far left"),
        ("when was group_c03.jpg taken?", "was taken on 24 December 2019 at 18:00"),
        ("where was group_c03.jpg taken?", "was taken in Times Square, New York, United States"),
        ("where was party_no_gps.jpg taken?", "has no GPS position"),
        ("is Penny in group_c03.jpg or raj.jpg?", "Yes, in "),
        ("who is in group_c03", "<Raj Koothrappali>"),
        # a name without its suffix before "taken" (was read as an unregistered person's name)
        ("when was group_c03 taken?", "was taken on 24 December 2019 at 18:00"),
        ("where was group_c03 shot?", "was taken in Times Square, New York, United States"),
        ("who is in crowd (1).jpg?", "3 people you have not named"),
    ],
)
def test_positions_relations_dates_and_places_of_one_photo(answer, text, expected):
    assert expected in answer(text).answer
