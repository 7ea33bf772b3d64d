"""Whether two people in one photo face each other, are next to each other, or are talking, judged
from geometry alone: each head's yaw (``pose.HeadPose``), where the two faces sit, and how large
they are. Pure functions over numbers: no database, no dlib, no pixels.

The rules (thresholds in ``Thresholds``; chosen on the tune half of
``tests/engines/face/interaction_labels.json`` by ``tools/eval_interaction.py``):

- facing: each head is turned toward the other (the left face's yaw points right, the right
  face's points left) by at least ``facing_yaw_deg``. "Looking at each other" is answered by the
  same rule: eyes are not measured, only heads.
- near: the horizontal gap between the two face boxes is at most ``near_gap_face_widths`` mean
  face widths, and the faces are of similar size (similar distance from the camera).
- talking: facing and near. People who talk face each other at a conversational distance; people
  who merely stand side by side look at the camera, and people who turn to each other from across
  a room are not close.
- next_to: side by side at a similar depth: the smaller face is at least ``next_size_ratio`` of
  the larger, the horizontal gap is at most ``next_gap_face_widths`` face widths, the centres are
  at most ``next_max_dy_face_heights`` face heights apart vertically, and no other face of
  similar depth stands between them.

Coordinates: any one pixel frame for all faces of a photo (the stored full-size boxes do).
Yaw: degrees, + = the nose points toward the image's right (``pose.HeadPose.yaw_deg``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]  # left, top, right, bottom
    yaw_deg: float  # + = nose toward the image's right
    confidence: float = 1.0  # of the yaw (``HeadPose.confidence``); informational

    @property
    def width(self) -> float:
        return max(1e-6, self.box[2] - self.box[0])

    @property
    def height(self) -> float:
        return max(1e-6, self.box[3] - self.box[1])

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True)
class Thresholds:
    """Chosen on the tune half of the labelled photos (``tools/eval_interaction.py --tune``: best
    F1 per rule, ties to the strictest), except ``near_size_ratio`` and the "between" band, which
    three talking positives cannot choose: they are set by reasoning (see the field notes)."""

    # Each head turned at least this far toward the other. Looser lets in the group-photo pose of
    # heads inclined toward each other while the eyes look at the camera (20 deg: 1 such false
    # "facing" on the tune half); stricter loses heads turned ~25 deg toward each other.
    facing_yaw_deg: float = 25.0
    # Talking = facing and near: at most 3 mean face widths of gap between the two boxes, about
    # half a metre between adult faces: conversation distance, not "across the room".
    near_gap_face_widths: float = 3.0
    # ... and at a similar distance from the camera: a face 0.6x the other's width is ~1.7x as
    # far away, a metre or more behind at the distances photos are taken from.
    near_size_ratio: float = 0.6
    # Next to: side by side (gap <= 2.5 face widths: people who stand beside each other in these
    # photos leave 0-2.2), at a similar depth (width ratio >= 0.65), at a similar height.
    next_gap_face_widths: float = 2.5
    next_size_ratio: float = 0.65
    next_max_dy_face_heights: float = 1.0  # vertical distance of the centres
    between_max_dy_face_heights: float = 0.75  # a face between them blocks only at their height


DEFAULT = Thresholds()


@dataclass(frozen=True)
class PairJudgement:
    facing: bool
    near: bool
    talking: bool
    next_to: bool
    yaw_a: float
    yaw_b: float
    toward_a: float  # degrees a's head is turned toward b (negative: away from b)
    toward_b: float
    gap_face_widths: float  # horizontal gap between the boxes (negative: they overlap)
    dy_face_heights: float  # vertical distance of the centres
    size_ratio: float  # smaller face width / larger one (1 = same distance from the camera)
    faces_between: int  # other faces of similar depth between them, at their height
    rule: str  # which rule fired, with the numbers behind it

    def explain(self) -> str:
        return f"judged by head pose and position: {self.rule}"


def _geometry(a: Face, b: Face) -> tuple[float, float, float, float]:
    mean_w = (a.width + b.width) / 2
    mean_h = (a.height + b.height) / 2
    left, right = (a, b) if a.cx <= b.cx else (b, a)
    gap = (right.box[0] - left.box[2]) / mean_w
    dy = abs(a.cy - b.cy) / mean_h
    ratio = min(a.width, b.width) / max(a.width, b.width)
    return gap, dy, ratio, mean_h


def toward(a: Face, b: Face) -> tuple[float, float]:
    """How many degrees each head is turned toward the other (negative: away)."""
    direction = 1.0 if b.cx >= a.cx else -1.0  # +1: b is to a's image-right
    return a.yaw_deg * direction, -b.yaw_deg * direction


def facing_each_other(a: Face, b: Face, t: Thresholds = DEFAULT) -> bool:
    ta, tb = toward(a, b)
    return ta >= t.facing_yaw_deg and tb >= t.facing_yaw_deg


def faces_between(a: Face, b: Face, others: Iterable[Face], t: Thresholds = DEFAULT) -> int:
    """Other faces whose centre lies horizontally between a's and b's, at their height (within
    ``between_max_dy_face_heights``) and not much farther away (width >= ``next_size_ratio`` of
    the smaller of the two): someone standing between them, not someone behind."""
    lo, hi = sorted((a.cx, b.cx))
    mid_y = (a.cy + b.cy) / 2
    mean_h = (a.height + b.height) / 2
    smaller = min(a.width, b.width)
    count = 0
    for c in others:
        if c is a or c is b or c.box == a.box or c.box == b.box:
            continue
        if lo < c.cx < hi and abs(c.cy - mid_y) <= t.between_max_dy_face_heights * mean_h and c.width >= t.next_size_ratio * smaller:
            count += 1
    return count


def near(a: Face, b: Face, t: Thresholds = DEFAULT) -> bool:
    gap, _, ratio, _ = _geometry(a, b)
    return gap <= t.near_gap_face_widths and ratio >= t.near_size_ratio


def next_to(a: Face, b: Face, others: Iterable[Face] = (), t: Thresholds = DEFAULT) -> bool:
    gap, dy, ratio, _ = _geometry(a, b)
    return (
        ratio >= t.next_size_ratio
        and gap <= t.next_gap_face_widths
        and dy <= t.next_max_dy_face_heights
        and faces_between(a, b, others, t) == 0
    )


def talking(a: Face, b: Face, t: Thresholds = DEFAULT) -> bool:
    return facing_each_other(a, b, t) and near(a, b, t)


def judge_pair(a: Face, b: Face, others: Sequence[Face] = (), t: Thresholds = DEFAULT) -> PairJudgement:
    """Every rule for the pair (a, b); ``others`` = the photo's other faces (a and b may be in it)."""
    gap, dy, ratio, _ = _geometry(a, b)
    ta, tb = toward(a, b)
    between = faces_between(a, b, others, t)
    is_facing = facing_each_other(a, b, t)
    is_near = near(a, b, t)
    is_talking = is_facing and is_near
    is_next = ratio >= t.next_size_ratio and gap <= t.next_gap_face_widths and dy <= t.next_max_dy_face_heights and between == 0

    turned = f"heads turned {ta:.0f}° and {tb:.0f}° toward each other (facing needs {t.facing_yaw_deg:.0f}° each)"
    spacing = f"{gap:.1f} face widths apart, sizes {ratio:.2f} alike"
    if is_talking:
        rule = f"talking: facing each other ({turned}) and close ({spacing}; near needs <= {t.near_gap_face_widths:g} widths)"
    elif is_facing:
        rule = f"facing each other ({turned}) but not close enough to call it talking ({spacing})"
    else:
        rule = f"not facing each other ({turned})"
    if is_next:
        rule += f"; next to each other ({spacing}, {dy:.1f} face heights apart vertically)"
    else:
        why = []
        if ratio < t.next_size_ratio:
            why.append(f"sizes {ratio:.2f} alike (one is nearer the camera)")
        if gap > t.next_gap_face_widths:
            why.append(f"{gap:.1f} face widths apart")
        if dy > t.next_max_dy_face_heights:
            why.append(f"{dy:.1f} face heights apart vertically")
        if between:
            why.append(f"{between} face(s) between them")
        rule += "; not next to each other (" + ", ".join(why) + ")"
    return PairJudgement(
        facing=is_facing,
        near=is_near,
        talking=is_talking,
        next_to=is_next,
        yaw_a=a.yaw_deg,
        yaw_b=b.yaw_deg,
        toward_a=ta,
        toward_b=tb,
        gap_face_widths=gap,
        dy_face_heights=dy,
        size_ratio=ratio,
        faces_between=between,
        rule=rule,
    )


def judge_all(faces: Sequence[Face], t: Thresholds = DEFAULT) -> dict[tuple[int, int], PairJudgement]:
    """Every pair of a photo's faces, keyed by their indices (i < j)."""
    return {(i, j): judge_pair(faces[i], faces[j], faces, t) for i, j in combinations(range(len(faces)), 2)}
