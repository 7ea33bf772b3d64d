"""The curation API the CLI and the gallery share: naming faces and clusters, rejecting, drawing a
missed face, merging, hiding, references, suggestions, and undoing any of them."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from plvm_photos.curation import journal
from plvm_photos.curation.clusters import cluster_unknown, split_by_photo
from plvm_photos.curation.confirm import draw_face, name_faces, reject_face
from plvm_photos.curation.merge import merge_people
from plvm_photos.curation.people import hide_person
from plvm_photos.curation.reference_faces import set_reference
from plvm_photos.curation.suggestions import suggestions
from plvm_photos.db.models import Concept, Confirmation, Photo, Reference, Region, Rejection, Verdict
from plvm_photos.errors import LibraryError
from tests.curation.small_library import ROSE_BOX, cli_json, run_cli


def photo_faces(lib, photo: str):
    """(photo id, path, faces) of a photo named as the CLI names it, through the Library API."""
    found = lib.photo_faces(lib.find_photo(photo))
    return found.photo_id, found.path, found.faces


def face(lib, photos, name: str, n: int):
    """(photo id, region id, person) of face ``n`` (1 = leftmost) of the photo file ``name``."""
    photo_id, _, faces = photo_faces(lib, str(photos / name))
    return photo_id, faces[n - 1].region_id, faces[n - 1].person


def present(lib, person: str) -> set[str]:
    """File names of the photos ``person`` is decided present in."""
    import os

    from plvm_photos.ask.answer import ask

    return {os.path.basename(p.path) for p in ask(lib, f"photos of <{person}>").photos}


def snapshot(lib) -> dict:
    """What the user said and what was decided, row by row (ids included)."""
    with lib.session() as s:
        return {
            "concepts": sorted(s.execute(select(Concept.id, Concept.name, Concept.display, Concept.hidden)).all()),
            "references": sorted(s.execute(select(Reference.id, Reference.concept_id, Reference.image)).all()),
            "confirmations": sorted(s.execute(select(Confirmation.id, Confirmation.concept_id, Confirmation.region_id)).all()),
            "rejections": sorted(s.execute(select(Rejection.concept_id, Rejection.region_id)).all()),
            "verdicts": sorted(s.execute(select(Verdict.photo_id, Verdict.concept_id, Verdict.region_id, Verdict.present)).all()),
            "regions": s.scalar(select(func.count(Region.id))),
        }


def test_naming_one_face_finds_the_person_in_the_others(small_lib):
    lib, _, photos = small_lib
    _, region, person = face(lib, photos, "biden.jpg", 1)
    assert person is None
    named = name_faces(lib, [region], "<Jöe Bïden>")
    assert named.created and named.faces == 1 and named.person == "Jöe Bïden"
    # the confirmed face is a reference: Biden is found in the two group photos nobody named him in
    assert present(lib, "jöe bïden") == {"biden.jpg", "two_people.jpg", "obama_and_biden.jpg"} and named.photos == 3
    with lib.session() as s:
        assert s.scalar(select(Confirmation.region_id).where(Confirmation.concept_id == select(Concept.id).where(
            Concept.name == "jöe_bïden").scalar_subquery())) == region
        assert s.scalar(select(Region.by_user).where(Region.id == region)) is False  # a detection, confirmed
    # a person is in a photo once: two faces of one photo cannot both be them
    _, left, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    _, right, _ = face(lib, photos, "kit_with_rose.jpg", 2)
    with pytest.raises(LibraryError, match="same photo"):
        name_faces(lib, [left, right], "kit")


def test_a_cluster_never_holds_two_faces_of_one_photo():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 128)).astype(np.float32)
    vectors = np.stack([a, a + 0.01, a + 0.02, b, b + 0.01])
    photo_of = [1, 2, 3, 1, 4]  # faces 0 and 3 share photo 1
    groups = split_by_photo([0, 1, 2, 3, 4], photo_of, vectors)
    assert sorted(map(sorted, groups)) == [[0, 1, 2], [3, 4]]
    assert split_by_photo([0, 1, 2], photo_of, vectors) == [[0, 1, 2]]


def test_unknown_faces_are_grouped_largest_first_with_the_singles(small_lib):
    lib, _, _ = small_lib
    clustering = cluster_unknown(lib)
    assert [len(c.faces) for c in clustering.clusters] == [3, 2] and len(clustering.singles) == clustering.noise == 2
    assert clustering.unknown_faces == 7
    for c in clustering.clusters:
        assert len({f.photo_id for f in c.faces}) == len(c.faces)


def test_rejecting_and_naming_undo_each_other(small_lib):
    lib, _, photos = small_lib
    photo, region, person = face(lib, photos, "obama2.jpg", 1)
    assert person == "Obama"
    r = reject_face(lib, photo, "obama", region)
    assert r.present_before and "obama2.jpg" not in present(lib, "obama")
    name_faces(lib, [region], "Obama")  # the user changes their mind: the rejection goes
    assert "obama2.jpg" in present(lib, "obama")
    with lib.session() as s:
        assert s.scalar(select(func.count(Rejection.id))) == 0
    reject_face(lib, photo, "obama", None)  # "not in this photo": the confirmation goes
    assert "obama2.jpg" not in present(lib, "obama")
    with lib.session() as s:
        assert s.scalar(select(func.count(Confirmation.id))) == 0


def test_merge_moves_everything_and_undo_restores_every_row(small_lib):
    lib, root, photos = small_lib
    _, snow, _ = face(lib, photos, "johnsnow.jpg", 1)
    _, kit, _ = face(lib, photos, "kit_with_rose.jpg", 2)
    name_faces(lib, [snow], "Jon Snow")
    reject_face(lib, face(lib, photos, "kit_with_rose.jpg", 1)[0], "Jon Snow", face(lib, photos, "kit_with_rose.jpg", 1)[1])
    name_faces(lib, [kit], "Kit")
    before = snapshot(lib)
    merged = merge_people(lib, "kit", "jon snow")
    assert merged.person == "Kit" and merged.confirmed == 1 and merged.photos == 2
    people = {p["name"]: p["photos"] for p in cli_json(["-L", str(root), "people"])}
    assert "Jon Snow" not in people and people["Kit"] == 2
    with lib.session() as s:
        assert set(s.scalars(select(Rejection.concept_id))) == {s.scalar(select(Concept.id).where(Concept.name == "kit"))}
    undone = cli_json(["-L", str(root), "undo"])
    assert undone["action"] == "merge"
    assert snapshot(lib) == before  # the same ids, confirmations, rejections and verdicts
    with pytest.raises(LibraryError, match="same person"):
        merge_people(lib, "kit", "<KIT>")


def test_the_last_actions_undo_in_reverse_order(small_lib):
    lib, root, photos = small_lib
    before, built = snapshot(lib), len(journal.history(lib, 50))  # the three add-person of the build
    _, region, _ = face(lib, photos, "biden.jpg", 1)
    name_faces(lib, [region], "Joe")
    for k in range(20):
        hide_person(lib, "joe", hidden=k % 2 == 0)
    lib.rename_person("joe", "Joseph")
    assert len(journal.history(lib, 50)) == built + 22
    for _ in range(22):
        journal.undo(lib)
    assert snapshot(lib) == before
    assert run_cli(["-L", str(root), "undo", "--list"]).stdout.strip().splitlines()[0].endswith("added <Bea>")
    for _ in range(built):  # and the people themselves, down to an empty library
        journal.undo(lib)
    assert lib.people() == [] and lib.verdicts() == []
    with lib.session() as s:  # the photos they were in were decided again: no caption names them
        captions = list(s.scalars(select(Photo.caption)))
    assert len(captions) == 7 and not any("<" in c for c in captions), captions
    with pytest.raises(LibraryError, match="nothing to undo"):
        journal.undo(lib)


def test_removing_a_person_is_undone_with_their_reference_copy(small_lib):
    lib, root, _ = small_lib
    before = snapshot(lib)
    copies = sorted(p.name for p in lib.references_dir.iterdir())
    assert lib.remove_person("obama") == 4
    assert len(list(lib.references_dir.iterdir())) == len(copies) - 1  # moved out of references/
    assert "obama" not in {p.name for p in lib.people()}
    journal.undo(lib)
    assert sorted(p.name for p in lib.references_dir.iterdir()) == copies
    assert snapshot(lib) == before
    assert present(lib, "obama") == {"obama.jpg", "obama2.jpg", "two_people.jpg", "obama_and_biden.jpg"}


def test_a_hidden_person_is_recognised_but_not_listed_unless_asked_for(small_lib):
    from plvm_photos.ask.answer import ask

    lib, root, photos = small_lib
    _, region, _ = face(lib, photos, "biden.jpg", 1)
    name_faces(lib, [region], "Joe")
    hide_person(lib, "joe")
    assert [p.name for p in lib.people()] == ["Bea", "Marissa", "Obama"]
    assert [p["name"] for p in cli_json(["-L", str(root), "hidden"])] == ["Joe"]
    listed = ask(lib, "photos of <obama>")  # Joe is in two of them: not named there
    assert listed.photos and all("Joe" not in p.people and "Joe" not in p.regions for p in listed.photos)
    asked = ask(lib, "photos of <joe>")  # asked for: found and boxed as ever
    assert len(asked.photos) == 3 and all("Joe" in p.regions for p in asked.photos)
    hide_person(lib, "joe", hidden=False)
    assert "Joe" in [p.name for p in lib.people()]


def test_a_drawn_face_is_described_from_its_box(small_lib):
    lib, _, photos = small_lib
    photo, rose, _ = face(lib, photos, "kit_with_rose.jpg", 1)
    with lib.session() as s:
        detected = np.frombuffer(s.get(Region, rose).vector, dtype=np.float32)
    with pytest.raises(LibraryError, match="face there already"):
        draw_face(lib, photo, ROSE_BOX, "Rose")
    with lib.transaction() as s:  # as if the detector had missed her
        s.delete(s.get(Region, rose))
    drawn = draw_face(lib, photo, ROSE_BOX, "Rosé")
    assert drawn.created and drawn.photos == 1
    _, region, person = face(lib, photos, "kit_with_rose.jpg", 1)
    with lib.session() as s:
        stored = s.get(Region, region)
        assert stored.box == ROSE_BOX and stored.by_user and person == "Rosé"
        # the same box as the detector's: the same landmarks and descriptor, near enough
        assert float(np.linalg.norm(np.frombuffer(stored.vector, dtype=np.float32) - detected)) < 0.1
    with pytest.raises(LibraryError, match="at least"):
        draw_face(lib, photo, (10, 10, 12, 12), "Rosé")


def test_a_face_in_the_library_becomes_the_only_reference_and_back(small_lib):
    lib, _, photos = small_lib
    before = snapshot(lib)
    _, region, _ = face(lib, photos, "obama2.jpg", 1)
    added = set_reference(lib, "obama", region)
    assert added.references == 2
    with pytest.raises(LibraryError, match="already a reference"):
        set_reference(lib, "obama", region)
    replaced = set_reference(lib, "obama", region, replace=True)
    assert replaced.references == 1 and replaced.replaced == 2 and replaced.photos == 4
    journal.undo(lib)
    journal.undo(lib)
    assert snapshot(lib) == before


def test_suggestions_are_faces_just_over_the_threshold(small_lib):
    lib, _, photos = small_lib
    found = suggestions(lib)
    assert [(s.person, round(s.distance, 2)) for s in found] == [("Bea", 0.65), ("Marissa", 0.7)]
    assert all(0.55 <= s.distance < 0.72 for s in found)
    bea, marissa = found
    name_faces(lib, [bea.region_id], bea.person)  # accepted
    reject_face(lib, marissa.photo_id, marissa.person, marissa.region_id)  # refused
    assert suggestions(lib) == []
    assert present(lib, "bea") == {"obama_and_biden.jpg"}
    with lib.session() as s:
        assert s.scalar(select(Rejection.region_id)) == marissa.region_id
