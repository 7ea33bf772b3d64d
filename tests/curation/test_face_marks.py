"""Faces marked "not a face" or hidden, and suggestions answered many at once: each one action
with one undo; a mark leaves the unknown faces and the suggestions, survives ``scan --reanalyze``,
and a face that is not a face is never decided as anyone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plvm_photos.db.models import FaceMark, JournalEntry, Region
from plvm_photos.errors import LibraryError
from tests.curation.small_library import cli_json
from tests.curation.test_curation_api import face, present


def unknown(lib) -> set[int]:
    clustering = lib.cluster_unknown()
    return {f.region_id for c in clustering.clusters for f in c.faces} | {f.region_id for f in clustering.singles}


def entries(lib) -> int:
    with lib.session() as s:
        return s.scalar(select(func.count(JournalEntry.id)))


def test_not_a_face_is_never_anyone_survives_reanalysis_and_undoes(small_lib):
    lib, root, photos = small_lib
    photo, obama_face, who = face(lib, photos, "obama2.jpg", 1)
    assert who == "Obama" and "obama2.jpg" in present(lib, "obama")
    before = entries(lib)
    assert lib.mark_faces([obama_face], "not_a_face").faces == 1
    assert entries(lib) == before + 1
    assert "obama2.jpg" not in present(lib, "obama")  # decided again without it
    assert obama_face not in unknown(lib)
    lib.close()

    assert cli_json(["-L", str(root), "scan", str(photos), "--reanalyze", "-q"])["analysed"] == 7

    from plvm_photos.library import Library

    lib = Library(root)
    try:
        assert "obama2.jpg" not in present(lib, "obama")  # kept, with its mark, and not decided as anyone
        with lib.session() as s:
            assert s.execute(select(FaceMark.region_id, FaceMark.mark)).all() == [(obama_face, "not_a_face")]
            assert s.scalar(select(func.count(Region.id)).where(Region.photo_id == photo)) == 1  # no new copy of it
        assert obama_face not in unknown(lib)
        undone = lib.undo()
        assert undone.summary == "1 face(s) marked not a face"
        assert "obama2.jpg" in present(lib, "obama") and face(lib, photos, "obama2.jpg", 1)[1] == obama_face
    finally:
        lib.close()


def test_hidden_faces_leave_the_unknown_faces_and_the_suggestions(small_lib):
    lib, _, photos = small_lib
    _, rose, who = face(lib, photos, "kit_with_rose.jpg", 1)
    assert who is None and rose in unknown(lib)
    assert rose in {x.region_id for x in lib.suggestions()}  # 0.71 from <Marissa>
    lib.mark_faces([rose], "hidden")
    assert rose not in unknown(lib) and rose not in {x.region_id for x in lib.suggestions()}
    assert lib.mark_faces([rose], "hidden").faces == 0  # already hidden: nothing changes
    lib.mark_faces([rose], "not_a_face")  # marked again, otherwise
    with lib.session() as s:
        assert s.execute(select(FaceMark.region_id, FaceMark.mark)).all() == [(rose, "not_a_face")]
    lib.undo()
    lib.undo()
    assert rose in unknown(lib) and rose in {x.region_id for x in lib.suggestions()}


def test_a_named_face_is_not_marked_and_a_wrong_mark_is_refused(small_lib):
    lib, _, photos = small_lib
    _, biden, _ = face(lib, photos, "biden.jpg", 1)
    lib.name_faces([biden], "Joe")
    with pytest.raises(LibraryError, match="was named <Joe> by you"):
        lib.mark_faces([biden], "hidden")
    with pytest.raises(LibraryError, match="not 'gone'"):
        lib.mark_faces([biden], "gone")


def test_many_suggestions_answered_in_one_action_and_one_undo(small_lib):
    lib, _, _ = small_lib
    found = lib.suggestions()
    assert sorted(x.person for x in found) == ["Bea", "Marissa"]
    before = entries(lib)
    done = lib.answer_suggestions([], [(x.region_id, x.concept_id) for x in found])
    assert (done.refused, done.people) == (2, ("Bea", "Marissa")) and entries(lib) == before + 1
    assert lib.suggestions() == []
    lib.undo()
    assert [x.region_id for x in lib.suggestions()] == [x.region_id for x in found]
    done = lib.answer_suggestions([(x.region_id, x.concept_id) for x in found], [])
    assert done.accepted == 2 and lib.suggestions() == []
    for x in found:
        assert next(f for f in lib.photo_faces(x.photo_id).faces if f.region_id == x.region_id).person == x.person


def test_a_mark_is_taken_back_without_undoing_what_came_after(small_lib):
    """Hidden faces used to come back only by undo (everything done since undone first): they are
    listed, newest first, and shown again one by one; a face that was not a face is decided again."""
    lib, root, photos = small_lib
    photo, obama_face, _ = face(lib, photos, "obama2.jpg", 1)
    _, rose, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    lib.mark_faces([obama_face], "not_a_face")
    lib.mark_faces([rose], "hidden")
    _, biden, _ = face(lib, photos, "biden.jpg", 1)
    lib.name_faces([biden], "Joe")  # done after: stays
    marked = lib.marked_faces()
    assert [(f.region_id, f.mark, f.number) for f in marked] == [(rose, "hidden", 1), (obama_face, "not_a_face", 1)]
    assert [f.region_id for f in lib.marked_faces("hidden")] == [rose]
    assert next(f for f in lib.photo_faces(photo).faces if f.region_id == obama_face).mark == "not_a_face"

    before = entries(lib)
    assert lib.mark_faces([obama_face, rose], None).faces == 2 and entries(lib) == before + 1
    assert lib.marked_faces() == [] and rose in unknown(lib) and "obama2.jpg" in present(lib, "obama")
    assert "biden.jpg" in present(lib, "joe")
    assert lib.mark_faces([rose], None).faces == 0  # not marked: nothing changes
    assert lib.undo().summary == "2 face(s) shown again"
    assert {f.region_id for f in lib.marked_faces()} == {rose, obama_face} and "obama2.jpg" not in present(lib, "obama")

    listed = cli_json(["-L", str(root), "ignored"])
    assert [(x["face"], x["mark"]) for x in listed] == [(1, "hidden"), (1, "not_a_face")]
    assert listed[0]["path"].endswith("kit_with_rose.jpg")
    assert cli_json(["-L", str(root), "unignore", listed[0]["path"], "--face", "1"]) == {"faces": 1}
    assert [x["mark"] for x in cli_json(["-L", str(root), "ignored"])] == ["not_a_face"]
    assert cli_json(["-L", str(root), "ignored", "--hidden"]) == []


def test_faces_of_a_photo_say_which_are_marked(small_lib):
    lib, root, photos = small_lib
    _, rose, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    lib.mark_faces([rose], "hidden")
    listed = cli_json(["-L", str(root), "faces", str(photos / "kit_with_rose.jpg")])["faces"]
    assert [(f["region_id"], f["mark"]) for f in listed if f["mark"]] == [(rose, "hidden")]
    from tests.curation.small_library import run_cli

    text = run_cli(["-L", str(root), "faces", str(photos / "kit_with_rose.jpg")]).stdout
    assert "face 1: hidden\tbox" in text


def test_naming_a_marked_face_takes_its_mark_away(small_lib):
    """Naming a face marked "not a face" said "named 1 face(s)" and changed nothing: the mark kept it
    from ever being decided as anyone. The user's last word on a face wins; undo brings the mark back."""
    lib, _, photos = small_lib
    _, biden, _ = face(lib, photos, "biden.jpg", 1)
    _, rose, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    lib.mark_faces([biden], "not_a_face")
    lib.mark_faces([rose], "hidden")
    lib.name_faces([biden, rose], "Joe")
    assert "biden.jpg" in present(lib, "joe") and lib.marked_faces() == []
    assert [f.mark for f in lib.photo_faces(face(lib, photos, "biden.jpg", 1)[0]).faces] == [None]
    lib.undo()
    assert {(f.region_id, f.mark) for f in lib.marked_faces()} == {(biden, "not_a_face"), (rose, "hidden")}
    assert "Joe" not in {p.name for p in lib.people(hidden=True)}  # registered by the naming, gone with it
