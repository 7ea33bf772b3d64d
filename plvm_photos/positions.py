"""Words for where a box sits in a photo, and captions built from them."""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[int, int, int, int]


def horizontal(box: Box, width: int) -> str:
    cx = (box[0] + box[2]) / 2 / max(width, 1)
    return "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "center"


def vertical(box: Box, height: int) -> str:
    cy = (box[1] + box[3]) / 2 / max(height, 1)
    return "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"


def describe(box: Box, width: int, height: int) -> str:
    """'left', 'top right', 'center', ...: the vertical word only where it is not the middle."""
    h, v = horizontal(box, width), vertical(box, height)
    if v == "middle":
        return h
    return v if h == "center" else f"{v} {h}"


@dataclass(frozen=True)
class PlacedPerson:
    name: str
    box: Box


RELATIVE_WORDS = {2: ("left", "right"), 3: ("left", "middle", "right")}


def caption(people: list[PlacedPerson], unknown_faces: int, width: int, height: int) -> str:
    """E.g. '<obama> (left) and <biden> (right), with 1 other person'."""
    if not people:
        if unknown_faces == 0:
            return "no people"
        return f"{unknown_faces} unknown {'person' if unknown_faces == 1 else 'people'}"
    ordered = sorted(people, key=lambda p: (p.box[0] + p.box[2]) / 2)
    words = [describe(p.box, width, height) for p in ordered]
    if len(set(words)) < len(words) and len(ordered) in RELATIVE_WORDS:
        # Two people both in the middle third are still "left" and "right" of each other.
        words = list(RELATIVE_WORDS[len(ordered)])
    parts = [f"<{p.name}> ({word})" for p, word in zip(ordered, words)]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if unknown_faces:
        text += f", with {unknown_faces} other {'person' if unknown_faces == 1 else 'people'}"
    return text


FACE_MARGIN = 1.6  # a face crop is this many times the detector's box, so hair and chin are in it


def face_crop(box: tuple[float, float, float, float], width: int, height: int,
              margin: float = FACE_MARGIN) -> tuple[int, int, int, int]:
    """A square around a face box, ``margin`` times its size, clipped to the photo."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half = max(right - left, bottom - top) * margin / 2
    return (
        max(0, int(cx - half)),
        max(0, int(cy - half)),
        min(width, int(cx + half) + 1),
        min(height, int(cy + half) + 1),
    )


def merge_overlapping(boxes: list[tuple]) -> list[tuple]:
    """The boxes, each group that overlaps (directly or through others) replaced by its bounding box."""
    merged: list[tuple] = []
    for box in boxes:
        while True:
            touching = [m for m in merged if m[0] < box[2] and box[0] < m[2] and m[1] < box[3] and box[1] < m[3]]
            if not touching:
                break
            merged = [m for m in merged if m not in touching]
            group = [box, *touching]
            box = (min(b[0] for b in group), min(b[1] for b in group), max(b[2] for b in group), max(b[3] for b in group))
        merged.append(box)
    return merged


def iou(a: tuple, b: tuple) -> float:
    """Intersection over union of two boxes."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
