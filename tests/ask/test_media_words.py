"""Which media a question asks for: a plain "photos" means photos and videos alike; "videos" only
videos; "stills", "no videos", "photos only" only photos. Media file names are photo references."""

from datetime import date

import pytest

from plvm_photos.ask.parser import parse

TODAY = date(2026, 12, 7)
ROSTER = [("mike", "mike"), ("susan", "susan")]


@pytest.mark.parametrize(
    "text, media",
    [
        ("photos of <mike>", None),
        ("pictures of mike and susan", None),
        ("videos of <mike>", "video"),
        ("show me clips with susan", "video"),
        ("how many videos of mike?", "video"),
        ("stills of <mike>", "photo"),
        ("still photos of mike", "photo"),
        ("photos of mike, no videos", "photo"),
        ("photos of mike without videos", "photo"),
        ("photos of mike only", None),  # only mike, not "photos only"
        ("mike in 2019, photos only", "photo"),
    ],
)
def test_media_words(text, media):
    assert parse(text, TODAY, ROSTER).media == media


def test_only_after_a_name_is_still_about_people():
    query = parse("photos of mike only", TODAY, ROSTER)
    assert query.people.as_dict() == {"only": ["mike"]}


@pytest.mark.parametrize("name", ["birthday.mp4", "IMG_0001.CR2", "trip.MOV", "DSC_1.nef"])
def test_media_files_are_photo_references(name):
    query = parse(f"who is in {name}?", TODAY, ROSTER)
    assert query.photo is not None and query.photo.ref == name


@pytest.mark.parametrize(
    "text, media, people",
    [
        ("only photos of mike, not videos", "photo", {"person": "mike"}),  # the "only" is the media's
        ("only videos of susan", "video", {"person": "susan"}),
        ("pictures of mike but no videos", "photo", {"person": "mike"}),
        ("photos and videos of mike", None, {"person": "mike"}),
        ("the last three videos", "video", None),
    ],
)
def test_media_said_with_only_but_and_both(text, media, people):
    query = parse(text, TODAY, ROSTER)
    assert query.media == media and (query.people.as_dict() if query.people else None) == people
