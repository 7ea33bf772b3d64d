"""Names that look alike are one person: characters that are not seen (text-direction controls,
zero-width spaces, soft hyphens, fillers) are refused in new names. Two people once looked
identical: <Bill> and <Bi\u200bll>."""

import pytest

from plvm_photos.errors import InvalidNameError
from plvm_photos.names import normalize, parse_name

UNSEEN = {
    "zero-width space": "Bi\u200bll",
    "right-to-left override": "\u202eBill",
    "left-to-right mark": "Bill\u200e",
    "right-to-left isolate": "\u2067Bill\u2069",
    "word joiner": "Bi\u2060ll",
    "byte order mark": "\ufeffBill",
    "soft hyphen": "Bi\u00adll",
    "zero-width joiner between Latin letters": "Bi\u200dll",
    "zero-width non-joiner at the end": "Bill\u200c",
    "Hangul filler": "Bill\u3164",
    "combining grapheme joiner": "Bil\u034fl",
    "variation selector": "Bill\ufe0f",
    "tag character": "Bill\U000e0041",
    "Arabic letter mark": "\u061cBill",
}


@pytest.mark.parametrize("what", list(UNSEEN))
def test_characters_that_are_not_seen_are_refused_in_new_names(what):
    with pytest.raises(InvalidNameError, match=r"not seen.*\(U\+[0-9A-F]{4,5} "):
        parse_name(UNSEEN[what])


@pytest.mark.parametrize("name", ["مهدی\u200cزاده", "क्\u200dष", "Zoë", "Anne-Marie", "李雷", "  Billie   Eilish "])
def test_joiners_that_shape_a_script_and_ordinary_names_are_kept(name):
    assert parse_name(name).display == " ".join(name.split())


def test_a_person_an_earlier_version_registered_with_them_can_still_be_named():
    assert normalize("Bi\u200bll") == "bi\u200bll" != normalize("Bill")


def test_registering_a_name_that_looks_like_a_registered_one_is_refused(demo_library_dir, copy_library):
    from sqlalchemy import select

    from plvm_photos.curation.confirm import name_faces
    from plvm_photos.db.models import Region
    from plvm_photos.library import Library

    with Library(copy_library(demo_library_dir)) as library:
        with library.session() as s:
            region = s.scalar(select(Region.id).limit(1))
        with pytest.raises(InvalidNameError, match="U\\+200B ZERO WIDTH SPACE"):
            name_faces(library, [region], "<eile\u200ben>")
        assert sorted(p.name for p in library.people()) == ["eileen", "grace"]
