"""What the user said — a named face, a drawn box, a rejection — survives analysing the photos
again (``scan --reanalyze``) and every re-decision."""

from __future__ import annotations

from sqlalchemy import select

from plvm_photos.curation.confirm import draw_face, name_faces, reject_face
from plvm_photos.db.models import Confirmation, Region, Rejection
from tests.curation.small_library import PEOPLE, ROSE_BOX, cli_json
from tests.curation.test_curation_api import face, present


def user_facts(lib) -> dict:
    with lib.session() as s:
        return {
            "confirmations": sorted(s.execute(select(Confirmation.id, Confirmation.concept_id, Confirmation.region_id,
                                                     Confirmation.source)).all()),
            "user regions": sorted(s.execute(select(Region.id, Region.left, Region.top, Region.right, Region.bottom)
                                             .where(Region.by_user.is_(True))).all()),
            "confirmed boxes": sorted(s.execute(select(Region.id, Region.left, Region.top, Region.right, Region.bottom)
                                                .join(Confirmation, Confirmation.region_id == Region.id)).all()),
        }


def test_named_drawn_and_rejected_faces_survive_reanalysis_and_redecisions(small_lib, library_data):
    lib, root, photos = small_lib
    _, biden, _ = face(lib, photos, "biden.jpg", 1)
    name_faces(lib, [biden], "Joe")
    _, snow, _ = face(lib, photos, "johnsnow.jpg", 1)
    name_faces(lib, [snow], "Kit")
    rose_photo, rose, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    with lib.transaction() as s:  # the detector "missed" Rose: the user draws her
        s.delete(s.get(Region, rose))
    draw_face(lib, rose_photo, ROSE_BOX, "Rosé")
    obama2, obama_face, _ = face(lib, photos, "obama2.jpg", 1)
    reject_face(lib, obama2, "obama", obama_face)
    facts = user_facts(lib)
    assert len(facts["confirmations"]) == 3 and len(facts["user regions"]) == 1  # two detections, one drawn
    expected = {"joe": {"biden.jpg", "two_people.jpg", "obama_and_biden.jpg"}, "kit": {"johnsnow.jpg", "kit_with_rose.jpg"},
                "rosé": {"kit_with_rose.jpg"}, "obama": {"obama.jpg", "two_people.jpg", "obama_and_biden.jpg"}}
    assert {name: present(lib, name) for name in expected} == expected
    with lib.session() as s:
        regions = len(s.scalars(select(Region.id)).all())
    lib.close()

    scanned = cli_json(["-L", str(root), "scan", str(photos), "--reanalyze", "-q"])
    assert scanned["analysed"] == 7

    from plvm_photos.library import Library

    lib = Library(root)
    try:
        assert user_facts(lib) == facts  # same rows, same regions: nothing re-made under them
        with lib.session() as s:
            # every face once: the new detections of the kept faces (Rose's too) were dropped
            assert len(s.scalars(select(Region.id)).all()) == regions
            assert s.scalar(select(Rejection.region_id)) == obama_face  # still that face, never the whole photo
        assert {name: present(lib, name) for name in expected} == expected

        # re-decisions from the other paths keep them too
        lib.remove_person("marissa")
        lib.add_reference("obama", library_data / PEOPLE["Obama"].replace("ref.jpg", "test/facerec__obama3.jpg"))
        assert {name: present(lib, name) for name in expected} == expected
        assert user_facts(lib) == facts
    finally:
        lib.close()


def test_not_this_face_stays_a_face_after_reanalysis(small_lib):
    """``faces PHOTO --not <x> --face 2`` where x is face 1, then ``scan --reanalyze``: the rejection
    stays on face 2 and x's own face stays x (it once became "x is not in this photo")."""
    lib, root, photos = small_lib
    photo, obama_face, who = face(lib, photos, "two_people.jpg", 1)
    other_photo, other_face, _ = face(lib, photos, "two_people.jpg", 2)
    assert who == "Obama" and other_photo == photo and other_face != obama_face
    reject_face(lib, photo, "obama", other_face)
    assert "two_people.jpg" in present(lib, "obama")
    lib.close()

    cli_json(["-L", str(root), "scan", str(photos), "--reanalyze", "-q"])

    from plvm_photos.library import Library

    with Library(root) as lib:
        assert "two_people.jpg" in present(lib, "obama")
        assert face(lib, photos, "two_people.jpg", 1)[2] == "Obama"  # detected anew, decided again
        with lib.session() as s:
            assert s.execute(select(Rejection.photo_id, Rejection.region_id)).all() == [(photo, other_face)]
