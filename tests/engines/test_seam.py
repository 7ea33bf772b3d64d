"""The engine seam without a database: concepts made from ``References`` values, decisions,
previews and suggestions computed from them alone (no library, no session)."""

from __future__ import annotations

import numpy as np
import pytest

from plvm_photos.engines.base import (
    ConfirmedFace,
    DescribedReference,
    NearFace,
    PhotoToDecide,
    PresentPerson,
    References,
    ReferenceVector,
    StoredConcept,
    StoredReference,
    StoredRegion,
)
from plvm_photos.engines.face.engine import FaceEngine
from plvm_photos.engines.face.space import FACE_TAG
from plvm_photos.errors import LibraryError


def unit(seed: int, dim: int = 128) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


def near(v: np.ndarray, distance: float, seed: int) -> np.ndarray:
    """A vector ``distance`` from ``v``."""
    step = unit(seed, v.shape[0])
    step -= step.dot(v) * v  # orthogonal to v, so the distance is exact
    return (v + distance * step / np.linalg.norm(step)).astype(np.float32)


MIKE, SUSAN, LUCY = unit(1), unit(2), unit(3)
REFERENCES = References(
    concepts=(StoredConcept(1, "mike", "Mike", "person"), StoredConcept(2, "susan", "Susan", "person"),
              StoredConcept(3, "lucy", "Lucy", "person"), StoredConcept(4, "rex", "Rex", "pet")),
    vectors=(StoredReference(1, FACE_TAG, "mike-1.jpg", MIKE), StoredReference(2, FACE_TAG, "susan-1.jpg", SUSAN),
             StoredReference(4, "plvm", "rex-1.jpg", unit(9, 768))),
    confirmed_faces=(ConfirmedFace(3, LUCY),),  # <lucy>: a face the user named, no reference
)


def photo(*vectors: np.ndarray, confirmed=frozenset(), rejected=frozenset()) -> PhotoToDecide:
    regions = [StoredRegion(10 + i, "face", (100 * i, 0, 100 * i + 80, 80), v) for i, v in enumerate(vectors)]

    def no_pixels():
        raise AssertionError("the face engine decides from vectors alone")

    return PhotoToDecide(400, 100, regions, frozenset(rejected), image=no_pixels, confirmed=frozenset(confirmed))


def test_face_concepts_are_made_from_references_and_confirmed_faces():
    people = FaceEngine().concepts(REFERENCES)
    assert people.names == {1: "Mike", 2: "Susan", 3: "Lucy", 4: "Rex"}
    assert people.decided() == {1, 2, 3}  # <rex> has no face reference
    assert [p.concept_id for p in people.vectors] == [1, 2, 3]
    # confirmed faces count only where the loader was told to load them
    without = FaceEngine().concepts(References(REFERENCES.concepts, REFERENCES.vectors))
    assert without.decided() == {1, 2}


def test_face_decisions_previews_and_removals_from_values_alone():
    engine = FaceEngine()
    people = engine.concepts(REFERENCES)
    decision = engine.decide(photo(near(SUSAN, 0.3, 5), near(MIKE, 0.62, 6), near(LUCY, 0.2, 7)), people, None)
    present = {cid: v.region_key for cid, v in decision.verdicts.items() if v.present}
    assert present == {2: 10, 3: 12}
    assert not decision.verdicts[1].present and decision.verdicts[1].distance == pytest.approx(0.62, abs=1e-5)
    assert decision.caption == "<Susan> (left) and <Lucy> (center), with 1 other person"
    # a new reference for <mike> close to his face: previewed, then decided present
    face = near(MIKE, 0.62, 6)
    new = DescribedReference((0, 0, 1, 1), (ReferenceVector(FACE_TAG, (0, 0, 1, 1), near(face, 0.1, 8)),))
    more = engine.with_references(people, 1, "Mike", "person", [new])
    assert more.vectors[0].vectors.shape == (2, 128) and people.vectors[0].vectors.shape == (1, 128)
    assert engine.decide(photo(face), more, None).verdicts[1].present
    # removing <susan>: her face is nobody's
    fewer = engine.without(people, 2)
    assert 2 not in fewer.names and 2 not in engine.decide(photo(near(SUSAN, 0.3, 5)), fewer, None).verdicts
    # a confirmed face is present whatever the distances
    confirmed = engine.decide(photo(near(MIKE, 0.9, 9), confirmed={(10, 1)}), people, None)
    assert confirmed.verdicts[1].present and confirmed.verdicts[1].region_key == 10


def test_face_suggestion_is_the_nearest_face_within_the_radius():
    engine = FaceEngine()
    people = engine.concepts(REFERENCES)
    assert engine.near_miss_radius == engine.rule.prefilter_radius
    faces = [StoredRegion(20, "face", (0, 0, 9, 9), near(MIKE, 0.7, 11)),
             StoredRegion(21, "face", (9, 0, 18, 9), near(MIKE, 0.6, 12)),
             StoredRegion(22, "face", (18, 0, 27, 9), near(MIKE, 0.6, 13))]
    found = engine.suggest(people, 1, faces)
    assert found == NearFace(21, pytest.approx(0.6, abs=1e-5))  # the first of two equally near faces
    assert engine.suggest(people, 1, [StoredRegion(23, "face", (0, 0, 9, 9), near(MIKE, 0.8, 14))]) is None
    assert engine.suggest(people, 4, faces) is None  # <rex>: no face reference
    assert engine.suggest(people, 1, []) is None


def test_plvm_concepts_from_references_alone():
    from plvm_photos.engines.plvm.concepts import plvm_concepts

    dino = unit(20, 768)
    refs = References(REFERENCES.concepts, REFERENCES.vectors + (StoredReference(1, "plvm", "mike-1.jpg", dino),))
    concepts = plvm_concepts(refs, hybrid=False)
    assert [c.id for c in concepts.registered] == [1, 4]  # <susan> and <lucy>: face engine only
    assert concepts.decided() == {1, 4} and concepts.keys[2] == "susan" and concepts.names[2] == "Susan"
    mike = concepts.registered[0]
    assert (mike.name, mike.images, mike.face) == ("Mike", ["mike-1.jpg"], None)
    hybrid = plvm_concepts(refs, hybrid=True).registered[0]
    assert hybrid.face.shape == (1, 128)  # hybrid people keep their face descriptors for the prefilter
    assert plvm_concepts(refs, hybrid=True).registered[1].face is None  # a pet never


def test_vlm_marks_the_people_it_is_given_and_checks_from_concepts():
    from plvm_photos.engines.vlm.visual import VlmVisualAnswers, marked_people
    from plvm_photos.engines.vlm.weights import VlmOptions

    marked = marked_people([PresentPerson("Susan", (400, 0, 600, 200)), PresentPerson("Mike", (0, 0, 200, 200))], 0.5)
    assert [(p.name, p.box) for p in marked] == [("Mike", (0, 0, 100, 100)), ("Susan", (200, 0, 300, 100))]
    options = VlmOptions(model="", device="cpu", dtype="auto", threshold=0.5, caption_tokens=8, ask_limit=50)
    visual = VlmVisualAnswers(model=None, options=options)
    people = FaceEngine().concepts(REFERENCES)
    visual.check(people, [1, 3])
    with pytest.raises(LibraryError, match="<Rex> has no face reference"):
        visual.check(people, [4])
