"""The interaction rules on hand-made numbers (no dlib), and their precision / recall on the
by-eye labelled photos (skipped where the shared data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plvm_photos.engines.face.interaction import (
    DEFAULT,
    Face,
    Thresholds,
    facing_each_other,
    judge_all,
    judge_pair,
    near,
    next_to,
    talking,
)

REPO = Path(__file__).resolve().parents[3]


W = 100.0  # face width in the hand-made photos


def face(x: float, yaw: float, y: float = 200.0, w: float = W) -> Face:
    """A face whose box starts at x (left edge), top at y, w wide and tall."""
    return Face((x, y, x + w, y + w), yaw)


def mirror(f: Face, width: float = 2000.0) -> Face:
    left, top, right, bottom = f.box
    return Face((width - right, top, width - left, bottom), -f.yaw_deg)


# --- facing -------------------------------------------------------------------------------------


def test_two_heads_turned_toward_each_other_face_each_other():
    a, b = face(0, 40), face(200, -35)  # a on the left turned right, b turned left
    assert facing_each_other(a, b) and facing_each_other(b, a)


def test_one_head_turned_is_not_facing():
    assert not facing_each_other(face(0, 45), face(200, 0))  # b looks at the camera
    assert not facing_each_other(face(0, 45), face(200, -10))  # b barely turned


def test_heads_turned_the_same_way_are_not_facing():
    assert not facing_each_other(face(0, -40), face(200, -40))  # both look to the image's left
    assert not facing_each_other(face(0, -40), face(200, 40))  # back to back


def test_facing_threshold_is_inclusive_and_configurable():
    t = DEFAULT.facing_yaw_deg
    assert facing_each_other(face(0, t), face(200, -t))
    assert not facing_each_other(face(0, t - 0.1), face(200, -t))
    assert facing_each_other(face(0, 12), face(200, -12), Thresholds(facing_yaw_deg=10))


# --- talking = facing and near -------------------------------------------------------------------


def test_talking_needs_facing_and_close():
    a, b = face(0, 40, w=W), face(W + 2 * W, -40)  # 2 face widths apart
    assert talking(a, b)
    far = face(W + 8 * W, -40)  # 8 face widths apart: turned to each other across the room
    assert facing_each_other(a, far) and not near(a, far) and not talking(a, far)
    assert not talking(a, face(W + 2 * W, 0))  # close, but one looks at the camera


def test_talking_needs_a_similar_depth():
    a = face(0, 40, w=W)
    behind = face(150, -40, w=0.4 * W)  # far smaller: metres behind, though beside in the image
    assert facing_each_other(a, behind) and not talking(a, behind)


# --- next to ------------------------------------------------------------------------------------


def test_side_by_side_at_the_same_depth_is_next_to():
    a, b = face(0, 0), face(150, 0)  # half a face width apart, both to the camera
    assert next_to(a, b) and not facing_each_other(a, b)


def test_next_to_is_refused_far_apart_at_other_depths_or_heights():
    a = face(0, 0)
    assert not next_to(a, face(W + 4 * W, 0))  # 4 face widths apart
    assert not next_to(a, face(150, 0, w=0.5 * W))  # half the size: well behind
    assert not next_to(a, face(120, 0, y=200 + 2.5 * W))  # someone sitting 2.5 faces lower


def test_a_face_between_them_blocks_next_to_only_at_their_depth_and_height():
    a, b = face(0, 0), face(300, 0)  # two face widths apart
    assert next_to(a, b)
    assert not next_to(a, b, [face(150, 0)])  # someone stands between them
    assert next_to(a, b, [face(170, 0, w=0.4 * W)])  # a face far behind, between them in the image
    assert next_to(a, b, [face(150, 0, y=200 + 2 * W)])  # a child in front, below their faces


# --- the judgement ------------------------------------------------------------------------------


def test_judgement_carries_the_numbers_and_the_rule():
    a, b = face(0, 40), face(200, -30)
    j = judge_pair(a, b)
    assert (j.facing, j.near, j.talking, j.next_to) == (True, True, True, True)
    assert j.yaw_a == 40 and j.yaw_b == -30 and j.toward_a == 40 and j.toward_b == 30
    assert j.gap_face_widths == pytest.approx(1.0) and j.size_ratio == 1.0 and j.faces_between == 0
    assert j.rule.startswith("talking") and j.explain().startswith("judged by head pose and position")
    apart = judge_pair(face(0, 0), face(900, 0))
    assert not apart.talking and not apart.next_to and "not facing" in apart.rule and "apart" in apart.rule


def test_judgement_is_symmetric_and_mirror_invariant():
    faces = [face(0, 35), face(180, -28), face(420, 5), face(900, -50, w=60)]
    for (i, k), j in judge_all(faces).items():
        swapped = judge_pair(faces[k], faces[i], faces)
        mirrored = judge_pair(mirror(faces[i]), mirror(faces[k]), [mirror(f) for f in faces])
        for other in (swapped, mirrored):
            assert (other.facing, other.near, other.talking, other.next_to) == (j.facing, j.near, j.talking, j.next_to)
            assert other.gap_face_widths == pytest.approx(j.gap_face_widths)
        assert (swapped.toward_a, swapped.toward_b) == (j.toward_b, j.toward_a)


# --- the labelled photos --------------------------------------------------------------------------

# What ``python -m tools.eval_interaction --no-pose-stage`` measures (all labelled photos; the
# tune / holdout halves are printed by the tool): these floors are the reported numbers, with the
# fetched photos (``tools/fetch_interaction_photos.py``: next to 0.97 / 0.91) or without them
# (0.97 / 0.93).
FLOORS = {  # rule: (precision, recall)
    "facing": (1.0, 0.6),
    "talking": (1.0, 1 / 3),
    "next_to": (0.96, 0.91),
}


def test_face_labels_are_well_formed():
    from tools.eval_interaction import load_face_labels

    faces = [f for photo in load_face_labels().values() for f in photo]
    assert len(faces) >= 150
    for f in faces:
        assert len(f["box"]) == 4 and all(isinstance(f[k], bool) for k in ("smiling", "camera", "eyes_closed"))
        assert set(f.get("doubt", [])) <= {"smiling", "camera", "eyes_closed"}
    for key in ("smiling", "camera"):
        scored = [f[key] for f in faces if key not in f.get("doubt", [])]
        assert sum(scored) >= 50 and len(scored) - sum(scored) >= 50, key


def test_labels_are_well_formed():
    from tools.eval_interaction import RULES, UNMEASURED, doubted, load_labels

    labels = load_labels()
    pairs = [p for photo in labels.values() for p in photo]
    assert len(pairs) >= 150
    for p in pairs:
        assert len(p["a"]) == 4 and len(p["b"]) == 4 and p["a"] != p["b"]
        assert all(isinstance(p[r], bool) for r in RULES + UNMEASURED)
        assert p.get("doubt", False) in (True, False) or set(p["doubt"]) <= set(RULES + UNMEASURED)
    for rule in RULES:
        scored = [p[rule] for p in pairs if not doubted(p, rule)]
        assert any(scored) and not all(scored), rule  # clear positives and clear negatives


@pytest.fixture(scope="module")
def measured(library_data, bench_data):
    pytest.importorskip("dlib")
    from tools.eval_interaction import detect, load_labels, score

    labels = load_labels()
    # head pose and position only (the floors below); the pose stage's figures: docs/interactions.md
    found = detect(library_data.parent, labels, stored_boxes=True, cues=False)
    return labels, found, score(labels, found)


def test_precision_and_recall_on_the_labelled_photos_stay_at_what_is_reported(measured):
    _, _, scores = measured
    for rule, (precision, recall) in FLOORS.items():
        c = scores.get("all", rule)
        assert c.precision is not None and c.precision >= precision - 1e-9, (rule, c)
        assert c.recall is not None and c.recall >= recall - 1e-9, (rule, c)


def test_the_engine_still_finds_the_labelled_faces(library_data):
    """The test above takes the labelled boxes as the detections (to stay fast); they must still be
    what the face engine returns, or the labels need redoing."""
    pytest.importorskip("dlib")
    from plvm_photos.engines.face.engine import FaceEngine
    from plvm_photos.imaging import decode
    from tools.eval_interaction import iou, load_labels

    labels = load_labels()
    engine = FaceEngine()
    for photo in ("library/_negatives/test/compreface__012_4.jpg",):  # one photo: the engine costs ~1 s each
        found = [r.box for r in engine.analyze(decode(library_data.parent / photo, max_side=1024)).regions]
        for pair in labels[photo]:
            for key in ("a", "b"):
                assert max(iou(pair[key], b) for b in found) >= 0.9, (photo, pair[key])


def test_folds_share_out_the_rare_positives_by_photo():
    """Conversations first, then hugs, then the rest, each in name order across the folds: every
    fold gets its share of the few positives, and one photo is never in two folds."""
    from tools.eval_interaction import folds, split

    def pair(**truth):
        return {"a": [0, 0, 1, 1], "b": [2, 0, 3, 1], **truth}

    labels = {f"talk{i}.jpg": [pair(talking=True)] for i in range(4)}
    labels |= {f"hug{i}.jpg": [pair(hugging=True)] for i in range(3)}
    labels |= {f"doubt{i}.jpg": [pair(talking=True, doubt=["talking"])] for i in range(2)}
    labels |= {f"none{i}.jpg": [pair()] for i in range(5)}
    four = folds(labels, k=4)
    assert sorted(four[f"talk{i}.jpg"] for i in range(4)) == [0, 1, 2, 3]
    assert sorted(four[f"hug{i}.jpg"] for i in range(3)) == [0, 1, 2]
    halves = split(labels)
    assert [halves[f"talk{i}.jpg"] for i in range(4)] == ["tune", "holdout", "tune", "holdout"]
    assert set(halves) == set(labels)
