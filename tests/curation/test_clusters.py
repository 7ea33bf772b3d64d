"""Unknown-face clusters, a person registered from one, and rejected matches that stay rejected."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import delete, select

from plvm_photos.curation.clusters import cluster_unknown, dbscan, reject_match
from plvm_photos.db.models import Concept, Region, Rejection, Verdict
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.indexing.concepts import registered_concepts
from plvm_photos.indexing.decisions import apply_decisions, decide_photos
from plvm_photos.library import Library
from tests.curation.small_library import run_cli


def photo_faces(lib: Library, photo: str):
    """(photo id, path, faces) of a photo named as the CLI names it, through the Library API."""
    found = lib.photo_faces(lib.find_photo(photo))
    return found.photo_id, found.path, found.faces


def present_photos(lib: Library, name: str) -> set[int]:
    with lib.session() as s:
        return set(
            s.scalars(
                select(Verdict.photo_id)
                .join(Concept, Concept.id == Verdict.concept_id)
                .where(Concept.name == name, Verdict.present.is_(True))
            )
        )


def test_dbscan_groups_dense_faces_and_leaves_lone_ones():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 128)).astype(np.float32) * 3
    blobs = [centres[k] + rng.normal(scale=0.01, size=(n, 128)).astype(np.float32) for k, n in enumerate((5, 3, 2))]
    lone = rng.normal(size=(2, 128)).astype(np.float32) * 3 + 10
    # A chain: neighbours 0.4 apart are linked although its ends are 1.2 apart (density, not radius).
    step = np.zeros(128, dtype=np.float32)
    step[0] = 0.4
    chain = np.stack([centres[0] + 50 + i * step for i in range(4)])
    x = np.concatenate([*blobs, lone, chain])
    labels = dbscan(x, eps=0.5, min_samples=2)
    assert len(set(labels[:5])) == 1 and len(set(labels[5:8])) == 1 and len(set(labels[8:10])) == 1
    assert len({labels[0], labels[5], labels[8], labels[12]}) == 4 and -1 not in labels[:10]
    assert list(labels[10:12]) == [-1, -1]
    assert len(set(labels[12:16])) == 1 and labels[12] != -1
    assert list(dbscan(x, eps=0.5, min_samples=4)[5:10]) == [-1] * 5  # 3- and 2-face groups are too thin


def test_a_forgotten_person_comes_back_as_a_cluster_and_is_registered_from_it(indexed_library_dir, copy_library):
    lib_dir = copy_library(indexed_library_dir)
    with Library(lib_dir) as lib:
        before = present_photos(lib, "barack_obama")
        assert len(before) >= 8
        lib.remove_person("barack_obama")
        clustering = cluster_unknown(lib)
    sizes = [len(c.faces) for c in clustering.clusters]
    assert sizes == sorted(sizes, reverse=True) and all(s >= 2 for s in sizes)
    best = max(clustering.clusters, key=lambda c: len({f.photo_id for f in c.faces} & before))
    overlap = {f.photo_id for f in best.faces} & before
    assert len(overlap) >= 0.8 * len(before), (len(overlap), len(before))
    assert len({f.photo_id for f in best.faces} - before) <= 1  # hardly anyone else in it

    result = run_cli(["-L", str(lib_dir), "faces", "--unknown", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [c["size"] for c in shown["clusters"]] == sizes and shown["unclustered"] == clustering.noise

    result = run_cli(["-L", str(lib_dir), "add-person", "<obama>", "--from-cluster", str(best.id), "--json"])
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    with Library(lib_dir) as lib:
        after = present_photos(lib, "obama")
    assert added["photos"] == len(after)
    assert len(after & before) >= 0.9 * len(before) and len(after - before) <= 1

    result = run_cli(["-L", str(lib_dir), "add-person", "x", "--from-cluster", "999"])
    assert result.exit_code != 0 and "no cluster 999" in str(result.exception)


def test_a_rejected_match_is_never_reported_again(indexed_library_dir, copy_library, library_data):
    lib_dir = copy_library(indexed_library_dir)
    photo = str(library_data / "_group" / "test" / "facerec__two_people.jpg")
    with Library(lib_dir) as lib:
        photo_id, _, faces = photo_faces(lib, photo)
        matched = [f for f in faces if f.person == "barack_obama"]
        assert len(matched) == 1 and photo_id in present_photos(lib, "barack_obama")

        result = reject_match(lib, photo, "<barack_obama>")
        assert result.present_before and result.region_id == matched[0].region_id
        assert photo_id not in present_photos(lib, "barack_obama")
        assert [f.rejected for f in photo_faces(lib, photo)[2] if f.region_id == result.region_id] == [["barack_obama"]]
        reject_match(lib, photo, "barack_obama")  # twice is the same rejection
        with lib.session() as s:
            assert len(s.scalars(select(Rejection)).all()) == 1

        # Re-decisions from every path that re-decides keep it out.
        redecide(lib, photo_id)
        lib.remove_person("joe_biden")  # re-decides the photos Biden was in, this one included
        lib.add_reference("barack_obama", library_data / "_group" / "test" / "facerec__two_people.jpg", face=1)
        assert photo_id not in present_photos(lib, "barack_obama")
        assert len(present_photos(lib, "barack_obama")) >= 8  # elsewhere he is still found

        from plvm_photos.ask.answer import ask

        assert not any(p.path == photo for p in ask(lib, "photos with <barack_obama>").photos)

        # If the face itself is re-made (re-analysis), the rejection covers the whole photo.
        with lib.transaction() as s:
            s.execute(delete(Region).where(Region.id == result.region_id))
        with lib.session() as s:
            assert s.scalar(select(Rejection.region_id)) is None
        redecide(lib, photo_id)
        assert photo_id not in present_photos(lib, "barack_obama")


def test_rejecting_a_face_by_number_and_bad_input(indexed_library_dir, copy_library, library_data):
    lib_dir = copy_library(indexed_library_dir)
    photo = str(library_data / "_group" / "test" / "facerec__test_obama_and_biden.jpg")
    result = run_cli(["-L", str(lib_dir), "faces", photo, "--json"])
    assert result.exit_code == 0, result.output
    faces = json.loads(result.stdout)["faces"]
    biden = next(f for f in faces if f["person"] == "joe_biden")
    result = run_cli(["-L", str(lib_dir), "faces", photo, "--not", "joe_biden", "--face", str(biden["face"]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["region_id"] == biden["region_id"]
    with Library(lib_dir) as lib:
        assert all(f.person != "joe_biden" for f in photo_faces(lib, photo)[2])
        with pytest.raises(LibraryError, match="--face must be"):
            reject_match(lib, photo, "joe_biden", face=99)
        with pytest.raises(LibraryError, match="unknown person"):
            reject_match(lib, photo, "nobody")
        with pytest.raises(LibraryError, match="no photo"):
            reject_match(lib, "/nowhere/none.jpg", "joe_biden")


def redecide(lib, photo_id: int) -> None:
    """Decide the photo again from its stored regions, as every re-decision path does."""
    engine = open_engine(lib)
    with lib.write_transaction() as s:
        apply_decisions(s, decide_photos(lib, engine, s, {photo_id}, registered_concepts(s, engine), None), engine.name)
