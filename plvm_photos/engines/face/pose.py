"""Head pose (yaw, pitch, roll) of a detected face, for the interaction rules (``interaction.py``).

Sign convention: ``yaw_deg > 0`` = the nose points toward the image's right (the person turns to
THEIR left); mirroring the photo negates yaw and roll and keeps pitch.

How. dlib's 68-point shape model (``shape_predictor_68_face_landmarks.dat`` from
``face-recognition-models``) places the landmarks inside the box the face engine stores (a HOG
box, or an MTCNN box already framed like HOG's by ``hog_like_box``). A small generic 3D face (14
rigid points: brows, eye corners, nose, mouth corners, chin; mm, from adult anthropometric means)
is fitted to them by a scaled-orthographic perspective-n-point fit in NumPy (closed-form affine
start, then Levenberg-Marquardt on rotation and scale). A face is small against its distance from the
camera in nearly every photo, so the orthographic camera costs little and needs no focal length.

The 68-point model was trained on near-frontal faces: past ~40 degrees of yaw it does not follow
the head but lays a frontal-looking shape over it (the far eye lands on the cheek or the ear), and
the fit then reads a profile as nearly frontal. MTCNN's O-Net, trained on turned faces too, still
puts its 5 points (eyes, nose tip, mouth corners) right on profiles, so the same fit is run on
those 5 points and, where it says the head is turned at least ``PROFILE_YAW_DEG``, it decides.

Measured on 73 faces of the labelled photos whose turn was judged by eye
(``python -m tools.eval_interaction --pose``; Spearman rank correlation with the eye, side right
on the 29 heads turned >= 20 deg, mean absolute error):

    dlib68 fit              0.67   0.90   11.9 deg   (reads 7 of the 11 heads turned >= 40 deg as < 20)
    dlib68 jaw ratio        0.68   0.86   23.4 deg   (``yaw_by_jaw_ratio``: nose tip between the jaw's ends)
    mtcnn5 fit              0.88   0.97    8.2 deg
    combined (head_pose)    0.90   1.00    7.2 deg

The PnP fit beats the landmark ratio (half the error, half the spread on frontal faces: the jaw
points slide along the cheek as the head turns), so the ratio is kept only for that comparison.
Mirroring the photo negates the combined yaw to within 2 deg on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SHAPE_MODEL_FILE = "shape_predictor_68_face_landmarks.dat"
PROFILE_YAW_DEG = 40.0  # from here on the 5 O-Net points decide the yaw

# Generic 3D face, mm, camera axes for a frontal face: x to the image's right, y down, z away from
# the camera (the nose tip is the nearest point); the outer eye corners lie in the plane z = 0.
# Keys: dlib's 68-point numbering (0-16 jaw, 17-26 brows, 27-35 nose, 36-47 eyes, 48-67 mouth).
_MODEL_68 = {
    8: (0.0, 112.0, -12.0),  # chin (menton)
    17: (-48.0, -22.0, -4.0),  # brow, outer end (the image-left brow of a frontal face)
    21: (-12.0, -28.0, -20.0),  # brow, inner end
    22: (12.0, -28.0, -20.0),
    26: (48.0, -22.0, -4.0),
    27: (0.0, -8.0, -22.0),  # top of the nose bridge
    30: (0.0, 32.0, -42.0),  # nose tip
    33: (0.0, 42.0, -28.0),  # below the nose
    36: (-45.0, 0.0, 0.0),  # eye corners: outer, inner, inner, outer
    39: (-16.0, 0.0, -11.0),
    42: (16.0, 0.0, -11.0),
    45: (45.0, 0.0, 0.0),
    48: (-25.0, 68.0, -14.0),  # mouth corners
    54: (25.0, 68.0, -14.0),
}
_INDEX_68 = np.array(sorted(_MODEL_68))
# MTCNN's 5 points, in O-Net's order: image-left eye (centre), image-right eye, nose tip, mouth
# corners (image-left, image-right); same face, same axes.
MODEL_5 = np.array([(-31.0, 0.0, -8.0), (31.0, 0.0, -8.0), (0.0, 32.0, -42.0), (-25.0, 68.0, -14.0), (25.0, 68.0, -14.0)])
_EYE_SPAN_MM = 90.0  # outer eye corner to outer eye corner

# Confidence: a fit whose RMS landmark error reaches this fraction of the (scaled) eye span is
# worth nothing; faces narrower than _FULL_CONF_WIDTH px get proportionally less; where both
# landmark sets are used, disagreeing by _DISAGREE_DEG or more is worth nothing either.
_BAD_FIT_REL_RMS = 0.25
_FULL_CONF_WIDTH = 60.0
_DISAGREE_DEG = 45.0


class PoseModelMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class HeadPose:
    yaw_deg: float  # + = nose toward the image's right (the person turns to their left)
    pitch_deg: float  # + = chin up (looking up)
    roll_deg: float  # + = the eye line turns clockwise in the image (the right-hand eye is lower)
    confidence: float  # 0..1: fit quality x face size x agreement of the two landmark sets
    source: str = "dlib68"  # which landmarks decided: "dlib68", or "mtcnn5" for a turned head


# --- the fit (pure NumPy) ---------------------------------------------------------------------


def _rotation(rvec: np.ndarray) -> np.ndarray:
    """Rodrigues: axis-angle vector -> 3x3 rotation."""
    theta = float(np.linalg.norm(rvec))
    if theta < 1e-12:
        return np.eye(3)
    k = rvec / theta
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(theta) * kx + (1.0 - math.cos(theta)) * (kx @ kx)


def _rvec(r: np.ndarray) -> np.ndarray:
    """3x3 rotation -> axis-angle vector (the inverse of ``_rotation`` below 180 degrees)."""
    cos = max(-1.0, min(1.0, (np.trace(r) - 1.0) / 2.0))
    theta = math.acos(cos)
    if theta < 1e-9:
        return np.zeros(3)
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]]) / (2.0 * math.sin(theta))
    return axis * theta


def fit_pose(model: np.ndarray, image: np.ndarray, iterations: int = 50) -> tuple[np.ndarray, float, float]:
    """Scaled-orthographic pose of 3D ``model`` points (n, 3) seen at ``image`` points (n, 2).

    Returns (R, scale px/mm, RMS residual px) with image ≈ scale * (R @ model)[:2] + shift.
    Closed-form start (the least-squares affine camera made a scaled rotation by its SVD), then
    Levenberg-Marquardt on (rotation, scale) with the analytic Jacobian, rotation updated on the
    left: R <- exp([w]) R."""
    model = model - model.mean(axis=0)
    target = image - image.mean(axis=0)
    affine, *_ = np.linalg.lstsq(model, target, rcond=None)  # (3, 2)
    u, s, vt = np.linalg.svd(affine.T, full_matrices=False)
    rows = u @ vt
    r = np.vstack([rows, np.cross(rows[0], rows[1])])
    scale = float(s.mean())

    def cost(rot: np.ndarray, sc: float) -> tuple[np.ndarray, np.ndarray, float]:
        y = model @ rot.T  # (n, 3): the model turned
        res = sc * y[:, :2] - target
        return y, res, float(np.sum(res**2))

    y, res, current = cost(r, scale)
    damping = 1e-3
    for _ in range(iterations):
        jac = np.zeros((len(model), 2, 4))  # d(projection)/d(w_x, w_y, w_z, scale)
        jac[:, 0, 1], jac[:, 0, 2] = scale * y[:, 2], -scale * y[:, 1]
        jac[:, 1, 0], jac[:, 1, 2] = -scale * y[:, 2], scale * y[:, 0]
        jac[:, 0, 3], jac[:, 1, 3] = y[:, 0], y[:, 1]
        jac = jac.reshape(-1, 4)
        normal = jac.T @ jac
        grad = jac.T @ res.reshape(-1)
        step = np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-12), -grad)
        r_new, scale_new = _rotation(step[:3]) @ r, scale + step[3]
        y_new, res_new, trial = cost(r_new, scale_new)
        if trial < current:
            r, scale, y, res = r_new, scale_new, y_new, res_new
            converged = current - trial < 1e-10 * max(current, 1e-12)
            current, damping = trial, max(damping / 10, 1e-9)
            if converged or float(np.abs(step[:3]).max()) < 1e-7:
                break
        else:
            damping *= 10
            if damping > 1e6:
                break
    return r, scale, math.sqrt(current / len(model))


def angles(r: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of a model-to-camera rotation, with this module's signs."""
    forward = r @ np.array([0.0, 0.0, -1.0])  # from the face toward where it looks
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.atan2(-forward[1], math.hypot(forward[0], forward[2])))
    across = r @ np.array([1.0, 0.0, 0.0])  # the face's own left-to-right, as seen
    roll = math.degrees(math.atan2(across[1], across[0]))
    return yaw, pitch, roll


def _fit_conf(scale: float, rms: float) -> float:
    span = abs(scale) * _EYE_SPAN_MM
    return max(0.0, 1.0 - (rms / span) / _BAD_FIT_REL_RMS) if span > 0 else 0.0


def pose_from_landmarks(points68: np.ndarray, points5: np.ndarray | None = None, face_width: float | None = None) -> HeadPose:
    """Head pose from dlib's 68 landmarks and, when given, MTCNN's 5 (pure NumPy)."""
    model68 = np.array([_MODEL_68[i] for i in _INDEX_68])
    r, scale, rms = fit_pose(model68, points68[_INDEX_68])
    yaw, pitch, roll = angles(r)
    conf = _fit_conf(scale, rms)
    width = face_width if face_width is not None else float(np.ptp(points68[:, 0]))
    size_conf = min(1.0, width / _FULL_CONF_WIDTH)
    if points5 is None:
        return HeadPose(yaw, pitch, roll, round(conf * size_conf, 3))
    r5, scale5, rms5 = fit_pose(MODEL_5, points5)
    yaw5, pitch5, roll5 = angles(r5)
    if abs(yaw5) >= PROFILE_YAW_DEG:
        return HeadPose(yaw5, pitch5, roll5, round(_fit_conf(scale5, rms5) * size_conf, 3), "mtcnn5")
    agree = max(0.0, 1.0 - abs(yaw - yaw5) / _DISAGREE_DEG)
    return HeadPose(yaw, pitch, roll, round(conf * size_conf * agree, 3))


def angles_of(points: dict[int, tuple[float, float]]) -> tuple[float, float, float]:
    """(yaw, pitch, roll) of a face from image points of the 3D face's landmarks, keyed by their
    dlib 68-point numbers (any other landmark model's points mapped to those: the face mesh's)."""
    keys = sorted(points)
    rotation, _, _ = fit_pose(np.array([_MODEL_68[k] for k in keys]), np.array([points[k] for k in keys], dtype=np.float64))
    return angles(rotation)


def yaw_by_jaw_ratio(points68: np.ndarray, nose_to_cheek: float = 1.3) -> float:
    """The landmark-ratio yaw (degrees, same sign as ``HeadPose.yaw_deg``), kept for comparison:
    where the nose tip sits between the jaw line's two ends (points 0 and 16), along the eye line.
    On a cylinder whose silhouette the jaw points follow, offset / half-width =
    (nose radius / cheek radius) x sin(yaw)."""
    eye_dir = points68[45] - points68[36]
    eye_dir = eye_dir / (np.linalg.norm(eye_dir) or 1.0)
    left = float((points68[30] - points68[0]) @ eye_dir)
    right = float((points68[16] - points68[30]) @ eye_dir)
    if left + right <= 0:
        return 0.0
    ratio = (left - right) / (left + right)
    return math.degrees(math.asin(max(-1.0, min(1.0, ratio * nose_to_cheek))))


# --- landmarks (dlib, MTCNN's O-Net) ------------------------------------------------------------


@lru_cache(maxsize=1)
def _shape_predictor():
    import dlib

    from plvm_photos.engines.face.weights import models_dir

    path = models_dir() / SHAPE_MODEL_FILE
    if not path.exists():
        raise PoseModelMissing(f"the 68-point landmark model is missing: {path} (pip install face-recognition-models)")
    return dlib.shape_predictor(str(path))


def landmarks68(pixels: np.ndarray, box) -> np.ndarray:
    """dlib's 68 landmarks (x, y) in ``pixels``, placed from ``box`` (left, top, right, bottom) in
    those same pixels: the box the face engine stores, mapped to the decoded image."""
    import dlib

    left, top, right, bottom = (round(float(v)) for v in box)
    shape = _shape_predictor()(pixels, dlib.rectangle(left, top, right, bottom))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def mtcnn_box(box) -> np.ndarray:
    """The square MTCNN box that ``engine.hog_like_box`` maps to this (HOG-framed) box, as O-Net takes it."""
    from plvm_photos.engines.face.boxes import mtcnn_like_box

    return np.array([mtcnn_like_box(box)], dtype=np.float32)


def landmarks5(pixels: np.ndarray, box, passes: int = 2) -> tuple[np.ndarray, float]:
    """MTCNN's 5 landmarks (x, y) for the face in ``box`` and O-Net's face probability: O-Net run
    on the box (as MTCNN frames faces), then once more on the box it regresses."""
    from PIL import Image

    from plvm_photos.engines.face import mtcnn

    weights = mtcnn.net_weights()["onet"]
    image = Image.fromarray(pixels)
    square = mtcnn_box(box)
    for _ in range(passes):
        square = mtcnn.square(square)
        offsets, marks, prob = mtcnn.onet(mtcnn.crops(image, square, 48), weights)
        side_w = square[0, 2] - square[0, 0] + 1
        side_h = square[0, 3] - square[0, 1] + 1
        points = np.stack([square[0, 0] + side_w * marks[0, :5] - 1, square[0, 1] + side_h * marks[0, 5:] - 1], axis=1)
        square = mtcnn.regress(square, offsets)
    return points.astype(np.float64), float(prob[0])


def head_pose(pixels: np.ndarray, box_in_decoded_pixels) -> HeadPose:
    """Head pose of the face in ``box_in_decoded_pixels`` (left, top, right, bottom in ``pixels``,
    the decoded RGB image; ``decoded_box`` maps a stored full-size box there)."""
    return head_poses(pixels, [box_in_decoded_pixels])[0]


def head_poses(pixels: np.ndarray, boxes) -> list[HeadPose]:
    """``head_pose`` for several faces of one image (O-Net's small matrices on one BLAS thread:
    a second one only spins)."""
    from plvm_photos.engines.face.blas import one_blas_thread

    pixels = np.ascontiguousarray(pixels)
    out = []
    with one_blas_thread():
        for box in boxes:
            points5, _ = landmarks5(pixels, box)
            out.append(pose_from_landmarks(landmarks68(pixels, box), points5, face_width=float(box[2] - box[0])))
    return out


def decoded_box(full_box, scale: float) -> tuple[float, float, float, float]:
    """A stored (full-size pixel) box in the decoded image's pixels; ``scale`` = ``DecodedImage.scale``."""
    return tuple(float(v) * scale for v in full_box)
