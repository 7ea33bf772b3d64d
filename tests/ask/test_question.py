import pytest

from plvm_photos.names import InvalidNameError, normalize, show
from plvm_photos.ask.question import parse


def test_names_are_normalised():
    assert normalize("<Mike>") == "mike"
    assert normalize("mike") == "mike"
    assert normalize(" <Billie Eilish> ") == "billie_eilish"
    assert show("mike") == "<mike>"
    with pytest.raises(InvalidNameError):
        normalize("<>")
    with pytest.raises(InvalidNameError):
        normalize("a/b")


@pytest.mark.parametrize(
    "text, intent, include, exclude",
    [
        ("where is <billie>?", "where", ["billie"], []),
        ("Where's <Billie>", "where", ["billie"], []),
        ("photos with <obama>", "with", ["obama"], []),
        ("photos with <obama> and <biden>", "with", ["obama", "biden"], []),
        ("show me <mike> and <susan> together", "with", ["mike", "susan"], []),
        ("photos with <mike> but not <susan>", "with", ["mike"], ["susan"]),
        ("pictures of <mike> without <susan> or <tom>", "with", ["mike"], ["susan", "tom"]),
        ("how many photos of <mike>?", "count", ["mike"], []),
        ("how many photos with <mike> and <susan>?", "count", ["mike", "susan"], []),
    ],
)
def test_intents(text, intent, include, exclude):
    q = parse(text)
    assert (q.intent, q.include, q.exclude) == (intent, include, exclude)
    assert q.unseen == []


def test_photo_questions():
    q = parse("is <mike> in /photos/2024/beach.jpg?")
    assert (q.intent, q.include, q.photo) == ("is_in", ["mike"], "/photos/2024/beach.jpg")
    q = parse("who is in beach.jpg?")
    assert (q.intent, q.photo) == ("who", "beach.jpg")
    q = parse("Who's in the photo 'my party.png'")
    assert (q.intent, q.photo) == ("who", "my party.png")


def test_words_the_face_engine_cannot_see_are_kept():
    q = parse("photos where <mike> and <susan> are talking")
    assert q.intent == "with" and q.include == ["mike", "susan"]
    assert q.unseen == ["talking"]
    assert parse("what is <billie> wearing?").unseen == ["wearing"]


def test_questions_without_names_are_unsupported():
    assert parse("what is the meaning of life").intent == "unsupported"
