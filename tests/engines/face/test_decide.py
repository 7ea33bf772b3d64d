import numpy as np

from plvm_photos.engines.face.decide import DecisionRule, FaceVector, PersonVectors, decide_photo, score_of

RULE = DecisionRule(threshold=0.55, prefilter_radius=0.72)


def _vec(*xs):
    v = np.zeros(128, dtype=np.float32)
    v[: len(xs)] = xs
    return v


def test_a_face_goes_to_the_closest_person_only():
    # One face close to both people: it is the closer one, the other is absent.
    faces = [FaceVector(1, _vec(0.0))]
    people = [PersonVectors(10, _vec(0.30)[None]), PersonVectors(20, _vec(0.45)[None])]
    out = decide_photo(faces, people, RULE)
    assert out[10].present and out[10].region_key == 1
    assert not out[20].present and out[20].region_key is None and out[20].score < 0.5


def test_a_person_appears_once_per_photo():
    faces = [FaceVector(1, _vec(0.1)), FaceVector(2, _vec(0.2))]
    people = [PersonVectors(10, _vec(0.0)[None])]
    out = decide_photo(faces, people, RULE)
    assert out[10].present and out[10].region_key == 1
    assert abs(out[10].distance - 0.1) < 1e-6


def test_two_people_two_faces():
    faces = [FaceVector(1, _vec(0.0, 0.0)), FaceVector(2, _vec(1.0, 0.0))]
    people = [PersonVectors(10, _vec(1.05)[None]), PersonVectors(20, _vec(0.05)[None])]
    out = decide_photo(faces, people, RULE)
    assert out[10].region_key == 2 and out[20].region_key == 1


def test_far_pairs_get_no_verdict_and_near_misses_are_no():
    faces = [FaceVector(1, _vec(0.0))]
    people = [PersonVectors(10, _vec(0.6)[None]), PersonVectors(20, _vec(2.0)[None])]
    out = decide_photo(faces, people, RULE)
    assert not out[10].present
    assert 20 not in out


def test_several_references_take_the_closest():
    faces = [FaceVector(1, _vec(0.0))]
    people = [PersonVectors(10, np.stack([_vec(0.9), _vec(0.2)]))]
    assert decide_photo(faces, people, RULE)[10].present


def test_score_is_half_at_the_threshold_and_monotone():
    assert abs(score_of(0.55, RULE) - 0.5) < 1e-9
    assert score_of(0.3, RULE) > score_of(0.5, RULE) > score_of(0.6, RULE)
