"""Head pose: the fit on synthetic points (no dlib), the yaw's sign and its mirror symmetry on
real photos (skipped where the shared data or dlib is absent)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from plvm_photos.engines.face import pose

REPO = Path(__file__).resolve().parents[3]


def _rot(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """A model-to-camera rotation with this module's signs (degrees)."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    # yaw: about the vertical axis so that the nose (z < 0) moves toward +x (image right)
    ry = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    # pitch: chin up = the nose moves toward -y (image up)
    rx = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def _project(model: np.ndarray, r: np.ndarray, scale: float = 1.5, shift=(300.0, 200.0)) -> np.ndarray:
    return scale * (model @ r.T)[:, :2] + np.array(shift)


def _points68(r: np.ndarray, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    model = np.array([pose._MODEL_68[i] for i in pose._INDEX_68])
    points = np.zeros((68, 2))
    points[:, 0] = np.linspace(200, 400, 68)  # the points the fit ignores
    points[pose._INDEX_68] = _project(model, r) + np.random.default_rng(seed).normal(0, noise, (len(model), 2))
    return points


@pytest.mark.parametrize("yaw,pitch,roll", [(0, 0, 0), (30, 0, 0), (-30, 0, 0), (20, -10, 8), (-45, 12, -5)])
def test_fit_recovers_a_known_rotation(yaw, pitch, roll):
    truth = _rot(yaw, pitch, roll)
    model = np.array([pose._MODEL_68[i] for i in pose._INDEX_68])
    r, scale, rms = pose.fit_pose(model, _points68(truth)[pose._INDEX_68])
    assert np.abs(r - truth).max() < 1e-3 and scale == pytest.approx(1.5, rel=1e-3) and rms < 1e-3
    assert pose.angles(r) == pytest.approx(pose.angles(truth), abs=0.1)
    if pitch == 0 and roll == 0:
        assert pose.angles(r)[0] == pytest.approx(yaw, abs=0.1)


def test_sign_convention_nose_toward_the_image_right_is_positive():
    r = _rot(25, 0, 0)
    nose = _project(np.array([pose._MODEL_68[30]]), r)[0, 0]
    eyes = _project(np.array([pose._MODEL_68[36], pose._MODEL_68[45]]), r)[:, 0].mean()
    assert nose > eyes  # the nose tip moved to the image's right of the eyes' midpoint
    assert pose.pose_from_landmarks(_points68(r)).yaw_deg == pytest.approx(25, abs=0.5)


def test_mirrored_points_negate_yaw_and_roll():
    points = _points68(_rot(28, 6, 10), noise=1.0, seed=3)
    mirrored = points.copy()
    mirrored[:, 0] = 1000 - points[:, 0]
    # a mirrored face's landmarks keep dlib's numbering: image-left points swap with image-right ones
    swap = list(range(16, -1, -1)) + list(range(26, 16, -1)) + list(range(27, 31)) + list(range(35, 30, -1))
    swap += [45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40]
    swap += [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64, 63, 62, 61, 60, 67, 66, 65]
    mirrored = mirrored[swap]
    a, b = pose.pose_from_landmarks(points), pose.pose_from_landmarks(mirrored)
    assert b.yaw_deg == pytest.approx(-a.yaw_deg, abs=0.01)
    assert b.roll_deg == pytest.approx(-a.roll_deg, abs=0.01)
    assert b.pitch_deg == pytest.approx(a.pitch_deg, abs=0.01)


def test_the_five_point_fit_decides_past_the_profile_threshold():
    r = _rot(-60, 0, 0)
    five = _project(pose.MODEL_5, r)
    frontalish = _points68(_rot(-12, 0, 0))  # what dlib's 68-point model lays over a profile
    got = pose.pose_from_landmarks(frontalish, five)
    assert got.source == "mtcnn5" and got.yaw_deg == pytest.approx(-60, abs=0.5)
    near_frontal = pose.pose_from_landmarks(_points68(_rot(10, 0, 0)), _project(pose.MODEL_5, _rot(12, 0, 0)))
    assert near_frontal.source == "dlib68" and near_frontal.yaw_deg == pytest.approx(10, abs=0.5)


# --- real photos ----------------------------------------------------------------------------------

# Faces whose turn is plain to see (engine boxes, full-size pixels, from interaction_labels.json).
GRASS = "library/_negatives/test/compreface__012_4.jpg"  # four friends on the grass, talking
OBAMAS = "plvm-bench/Obama/query_img5.jpg"  # Michelle and Barack, turned to each other


@pytest.fixture(scope="module")
def data_root(library_data, bench_data):
    import importlib.util

    pytest.importorskip("dlib")
    if importlib.util.find_spec("face_recognition_models") is None:
        pytest.skip("face-recognition-models (the 68-point landmark model) is not installed")
    try:
        pose._shape_predictor()
    except (pose.PoseModelMissing, RuntimeError) as error:
        pytest.skip(f"the 68-point landmark model is unavailable: {error}")
    return library_data.parent


def _labelled_boxes(photo: str) -> list[tuple]:
    from tools.eval_interaction import load_labels

    boxes: list[tuple] = []
    for pair in load_labels()[photo]:
        for key in ("a", "b"):
            if tuple(pair[key]) not in boxes:
                boxes.append(tuple(pair[key]))
    return sorted(boxes)


def _poses(root, photo: str, mirror: bool = False):
    from plvm_photos.imaging import decode

    image = decode(root / photo, max_side=1024)
    pixels = image.pixels[:, ::-1] if mirror else image.pixels
    width = image.pixels.shape[1]
    boxes = [pose.decoded_box(b, image.scale) for b in _labelled_boxes(photo)]
    if mirror:
        boxes = [(width - b[2], b[1], width - b[0], b[3]) for b in boxes]
    return pose.head_poses(pixels, boxes)


def test_yaw_sign_on_a_real_photo(data_root):
    left, second, third, right = _poses(data_root, GRASS)  # faces left to right
    assert left.yaw_deg > 20  # the man on the left turns to the image's right, toward his friends
    assert second.yaw_deg < -15 and third.yaw_deg < -20 and right.yaw_deg < -20  # the others turn left
    assert all(0 < p.confidence <= 1 for p in (left, second, third, right))


def test_flipping_the_image_negates_yaw(data_root):
    for photo in (GRASS, OBAMAS):
        plain, mirrored = _poses(data_root, photo), _poses(data_root, photo, mirror=True)
        for a, b in zip(plain, mirrored):
            assert b.yaw_deg == pytest.approx(-a.yaw_deg, abs=8.0), photo


def test_a_turned_head_found_by_mtcnn(data_root):
    """The engine's MTCNN-found face (score <= 0: HOG missed it) of a man in profile: the box it
    stores is all head_pose needs, and the 5 O-Net points read the turn the 68 points miss."""
    from plvm_photos.engines.face.engine import FaceEngine
    from plvm_photos.imaging import decode

    image = decode(data_root / OBAMAS, max_side=1024)
    regions = FaceEngine().analyze(image).regions
    turned = [r for r in regions if r.score <= 0]
    assert turned, "MTCNN no longer adds Barack Obama's profile to HOG's faces"
    barack = max(turned, key=lambda r: r.box[0])
    got = pose.head_pose(image.pixels, pose.decoded_box(barack.box, image.scale))
    assert got.source == "mtcnn5" and got.yaw_deg < -40  # turned to the image's left, toward Michelle
    michelle = min(regions, key=lambda r: r.box[0])
    assert pose.head_pose(image.pixels, pose.decoded_box(michelle.box, image.scale)).yaw_deg > 0
