"""Precision and recall of the geometric interaction rules on the by-eye labelled photos.

Usage: python -m tools.eval_interaction [DATA_DIR] [--stored-boxes] [--tune] [--pose]

DATA_DIR is the shared data root (default: $PLVM_TEST_DATA or ../shared/data beside the
repository); the labels are ``tests/engines/face/interaction_labels.json``: for each photo (path
relative to DATA_DIR) every pair of faces the face engine found, boxes as the engine returns them
(full-size pixels), with ``facing`` / ``talking`` / ``next_to`` judged by eye; ``doubt`` (true, or
a list of those names) leaves the pair (or those judgements) out of the scores; ``yaw_a`` /
``yaw_b``, where given, are by-eye head turns in degrees (+ = the nose points to the image's
right), used by ``--pose``.

Each photo is decoded as the engine decodes it (1024 px), the face engine finds its faces (or,
with ``--stored-boxes``, the labelled boxes are taken as the detections: what the test does, to
stay fast), every face gets a head pose (``pose.head_poses``), each labelled pair is matched to two
detections by IoU >= 0.5 (a pair the engine no longer finds is judged "no" on every rule) and
judged by ``interaction.judge_pair`` against all the photo's faces.

Printed: for each rule the confusion counts and precision / recall on all labelled photos, on the
tune half (photos in name order, alternately tune / holdout, those with a facing or talking
positive alternated on their own so both halves get some) and on the holdout half. ``--tune``
grid-searches the thresholds on the tune half (F1 per rule) and prints the held-out numbers of
the chosen ones. ``--pose`` compares the yaw estimates with the by-eye turns instead.
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

from plvm_photos.engines.face.interaction import DEFAULT, Face, Thresholds, judge_pair

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "tests" / "engines" / "face" / "interaction_labels.json"
RULES = ("facing", "talking", "next_to")
MATCH_IOU = 0.5
MAX_SIDE = 1024  # as FaceEngineConfig.max_side


def default_data_dir() -> Path:
    return Path(os.environ.get("PLVM_TEST_DATA", REPO.parent / "shared" / "data"))


def load_labels(path: Path = LABELS) -> dict[str, list[dict]]:
    return json.loads(Path(path).read_text())


def doubted(pair: dict, rule: str) -> bool:
    doubt = pair.get("doubt", False)
    return doubt is True or (isinstance(doubt, list) and rule in doubt)


def split(labels: dict[str, list[dict]]) -> dict[str, str]:
    """photo -> "tune" | "holdout": name order, alternating, positives' photos alternated apart."""
    def has_positive(photo: str) -> bool:
        return any(p[r] and not doubted(p, r) for p in labels[photo] for r in ("facing", "talking"))

    out = {}
    for group in (sorted(p for p in labels if has_positive(p)), sorted(p for p in labels if not has_positive(p))):
        for i, photo in enumerate(group):
            out[photo] = "tune" if i % 2 == 0 else "holdout"
    return out


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class PhotoFaces:
    faces: list[Face]  # every detection, full-size boxes, with its yaw
    poses: list  # pose.HeadPose per face
    seconds_pose: float = 0.0


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, said: bool) -> None:
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

    def get(self, part: str, rule: str) -> Confusion:
        return self.by_split.setdefault(part, {}).setdefault(rule, Confusion())


def detect(data_dir: Path, labels: dict[str, list[dict]], stored_boxes: bool = False) -> dict[str, PhotoFaces]:
    """Faces and head poses of every labelled photo."""
    from plvm_photos.engines.face.pose import decoded_box, head_poses
    from plvm_photos.imaging import decode

    engine = None
    if not stored_boxes:
        from plvm_photos.engines.face.engine import FaceEngine

        engine = FaceEngine()
    out = {}
    for photo, pairs in labels.items():
        image = decode(data_dir / photo, max_side=MAX_SIDE)
        if engine is None:
            boxes = []
            for p in pairs:
                for key in ("a", "b"):
                    if tuple(p[key]) not in boxes:
                        boxes.append(tuple(p[key]))
        else:
            boxes = [tuple(r.box) for r in engine.analyze(image).regions]
        start = time.perf_counter()
        poses = head_poses(image.pixels, [decoded_box(b, image.scale) for b in boxes])
        seconds = time.perf_counter() - start
        faces = [Face(tuple(float(v) for v in b), p.yaw_deg, p.confidence) for b, p in zip(boxes, poses)]
        out[photo] = PhotoFaces(faces, poses, seconds)
    return out


def _match(box, faces: list[Face]) -> int | None:
    best, best_iou = None, MATCH_IOU
    for i, f in enumerate(faces):
        value = iou(box, f.box)
        if value >= best_iou:
            best, best_iou = i, value
    return best


def score(labels: dict[str, list[dict]], found: dict[str, PhotoFaces], t: Thresholds = DEFAULT) -> Scores:
    parts = split(labels)
    out = Scores()
    for photo, pairs in labels.items():
        faces = found[photo].faces
        for pair in pairs:
            ia, ib = _match(pair["a"], faces), _match(pair["b"], faces)
            judged = None
            if ia is not None and ib is not None and ia != ib:
                judged = judge_pair(faces[ia], faces[ib], faces, t)
            else:
                out.unmatched_pairs += 1
            for rule in RULES:
                if doubted(pair, rule):
                    continue
                said = bool(getattr(judged, rule)) if judged is not None else False
                for part in ("all", parts[photo]):
                    out.get(part, rule).add(bool(pair[rule]), said)
    return out


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def report(scores: Scores, title: str) -> str:
    lines = [title, f"{'rule':8s} {'split':8s} {'TP':>3s} {'FP':>3s} {'FN':>3s} {'TN':>4s} {'prec':>5s} {'recall':>6s}"]
    for rule in RULES:
        for part in ("all", "tune", "holdout"):
            c = scores.get(part, rule)
            lines.append(f"{rule:8s} {part:8s} {c.tp:3d} {c.fp:3d} {c.fn:3d} {c.tn:4d} {_fmt(c.precision)} {_fmt(c.recall):>6s}")
    if scores.unmatched_pairs:
        lines.append(f"({scores.unmatched_pairs} labelled pairs not found by the engine: judged 'no')")
    return "\n".join(lines)


# --- tuning -------------------------------------------------------------------------------------

# Each list runs from the strictest value to the loosest, so that among equal F1 the strictest wins.
GRID = {
    "facing": {"facing_yaw_deg": [40, 35, 30, 25, 20, 15, 10, 5]},
    "talking": {"near_gap_face_widths": [1, 1.5, 2, 3, 4, 5, 6], "near_size_ratio": [0.8, 0.7, 0.6, 0.5, 0.4]},
    "next_to": {
        "next_gap_face_widths": [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0],
        "next_size_ratio": [0.8, 0.75, 0.7, 0.65, 0.6, 0.5],
        "next_max_dy_face_heights": [0.5, 0.75, 1.0, 1.25, 1.5],
    },
}


def tune(labels, found, base: Thresholds = DEFAULT) -> Thresholds:
    """Per rule, the grid point with the best F1 on the tune half (ties: the strictest, as the grid
    lists it first), the rules tuned in the order facing, talking, next_to."""
    chosen = base
    for rule, grid in GRID.items():
        best, best_key = chosen, None
        names = list(grid)
        for values in itertools.product(*(grid[n] for n in names)):
            t = replace(chosen, **dict(zip(names, values)))
            c = score(labels, found, t).get("tune", rule)
            key = (round(c.f1, 6), c.tp, -c.fp)
            if best_key is None or key > best_key:
                best, best_key = t, key
        chosen = best
    return chosen


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
    parser.add_argument("--stored-boxes", action="store_true", help="take the labelled boxes as the detections (fast)")
    parser.add_argument("--tune", action="store_true", help="grid-search the thresholds on the tune half")
    parser.add_argument("--pose", action="store_true", help="compare the yaw estimates with the by-eye turns")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    if not data_dir.exists():
        print(f"no data at {data_dir} (pass DATA_DIR or set PLVM_TEST_DATA)", file=sys.stderr)
        return 2
    labels = load_labels(args.labels)
    if args.pose:
        print(pose_comparison(data_dir, labels))
        return 0
    start = time.perf_counter()
    found = detect(data_dir, labels, stored_boxes=args.stored_boxes)
    n_faces = sum(len(f.faces) for f in found.values())
    pose_s = sum(f.seconds_pose for f in found.values())
    n_pairs = sum(len(p) for p in labels.values())
    parts = split(labels)
    print(
        f"{len(labels)} photos ({sum(v == 'tune' for v in parts.values())} tune / {sum(v == 'holdout' for v in parts.values())} holdout), "
        f"{n_pairs} labelled pairs, {n_faces} faces {'(labelled boxes)' if args.stored_boxes else 'found by the face engine'}; "
        f"{time.perf_counter() - start:.1f} s, head pose {1000 * pose_s / max(1, n_faces):.1f} ms per face"
    )
    print(report(score(labels, found, DEFAULT), f"thresholds in use: {DEFAULT}"))
    if args.tune:
        chosen = tune(labels, found)
        print()
        print(report(score(labels, found, chosen), f"tuned on the tune half: {chosen}"))
    small = [r for r in RULES if (c := score(labels, found).get("holdout", r)).tp + c.fn < 10]
    if small:
        print(f"\nfewer than 10 held-out positives for {', '.join(small)}: too few to tell these rules' precision/recall apart from luck")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
