"""Talking, facing each other, next to each other: judged by the face engine from head pose and
position, on real photos labelled by eye (tests/engines/face/interaction_labels.json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from plvm_photos.ask.answer import ask
from plvm_photos.ask.query import QuestionError
from plvm_photos.curation.people import StoredFace, add_person_from_faces
from plvm_photos.db.models import Region
from plvm_photos.library import Library
from plvm_photos.positions import iou

LABELS = json.loads((Path(__file__).resolve().parents[1] / "engines" / "face" / "interaction_labels.json").read_text())
TALKING = "library/_negatives/test/compreface__012_4.jpg"  # labelled: talking, facing each other, next to each other
SIDE_BY_SIDE = "library/_group/test/facerec__test_obama_and_biden.jpg"  # both look at the camera


def _register_pair(library: Library, photo: Path, label: dict) -> None:
    """<a> and <b> from their faces as the scan found them in the photo (the faces the label
    names; a turned head is found by MTCNN, which a reference photo alone would not use)."""
    with library.session() as s:
        regions = list(s.scalars(select(Region).where(Region.kind == "face")))
    for name, box in (("a", label["a"]), ("b", label["b"])):
        region = max(regions, key=lambda r: iou(r.box, box))
        vector = np.frombuffer(region.vector, dtype=np.float32)
        add_person_from_faces(library, name, [StoredFace(photo, region.box, vector)], force=True)


@pytest.fixture(scope="module")
def pair_libraries(tmp_path_factory, library_data):
    data = library_data.parent
    out = {}
    for key in (TALKING, SIDE_BY_SIDE):
        folder = tmp_path_factory.mktemp("photos")
        shutil.copy(data / key, folder / Path(key).name)
        root = tmp_path_factory.mktemp("lib")
        label = next(p for p in LABELS[key] if not p.get("doubt") and p["talking"] == (key == TALKING))
        with Library(root) as library:
            library.scan([folder], workers=1, progress=False)
            _register_pair(library, folder / Path(key).name, label)
        out[key] = (root, folder / Path(key).name, label)
    return out


def test_a_pair_labelled_talking_is_found_and_the_rule_is_said(pair_libraries):
    root, photo, label = pair_libraries[TALKING]
    assert label["talking"] and label["next_to"]
    with Library(root) as library:
        answer = ask(library, "photos where <a> and <b> are talking")
        assert [p.path for p in answer.photos] == [str(photo)]
        assert "judged by head pose and position" in answer.answer and "talking: facing each other" in answer.answer
        yes = ask(library, f"are <a> and <b> talking in {photo.name}?")
        assert yes.answer.startswith("Yes, <a> and <b> are talking in ")
        assert len(ask(library, "photos where <a> and <b> are next to each other").photos) == 1


def test_people_side_by_side_facing_the_camera_are_not_talking(pair_libraries):
    root, photo, label = pair_libraries[SIDE_BY_SIDE]
    assert not label["talking"] and label["next_to"]
    with Library(root) as library:
        assert ask(library, "photos where <a> and <b> are talking").photos == []
        no = ask(library, f"are <a> and <b> looking at each other in {photo.name}?")
        assert no.answer.startswith("No, <a> and <b> are not facing each other in ")
        near = ask(library, "how many photos where <a> and <b> are standing next to each other?")
        assert near.answer.startswith("1 photo ") and "judged from position" in near.answer


def test_an_interaction_needs_two_people(pair_libraries):
    root, _, _ = pair_libraries[TALKING]
    with Library(root) as library, pytest.raises(QuestionError, match="between two people"):
        ask(library, "photos where <a> is talking")
