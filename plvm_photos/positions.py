"""Words for where a box sits in a photo, and captions built from them: the one place that groups
faces into rows and columns and names a side, for the stored captions and for ``ask``'s answers
about one photo (``ask/sides.py``)."""

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
ORDINALS = ["", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
ROW_TOLERANCE = 0.6  # faces whose centres differ by less than this many face heights sit in one row


def _centre_x(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _centre_y(box: Box) -> float:
    return (box[1] + box[3]) / 2


def _height(box: Box) -> float:
    return max(box[3] - box[1], 1)


def columns(boxes: list[Box]) -> list[list[Box]]:
    """The boxes grouped into columns, left to right (centres closer than half a face width are
    one column: one person behind another); each column top to bottom."""
    ordered = sorted(boxes, key=_centre_x)
    out: list[list[Box]] = []
    for box in ordered:
        if out:
            previous = out[-1][-1]
            width = max(box[2] - box[0], previous[2] - previous[0], 1)
            if _centre_x(box) - _centre_x(previous) < width / 2:
                out[-1].append(box)
                continue
        out.append([box])
    return [sorted(column, key=_centre_y) for column in out]


def rows(boxes: list[Box]) -> list[list[Box]]:
    """The boxes grouped into rows, top to bottom, each left to right: a face joins the row above
    it where its centre is less than ``ROW_TOLERANCE`` face heights below the row's centre."""
    out: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (_centre_y(b), _centre_x(b))):
        if out:
            row = out[-1]
            centre = sum(_centre_y(b) for b in row) / len(row)
            height = (sum(_height(b) for b in row) / len(row) + _height(box)) / 2
            if _centre_y(box) - centre < ROW_TOLERANCE * height:
                row.append(box)
                continue
        out.append([box])
    return [sorted(row, key=_centre_x) for row in out]


def _overlap_x(a: list[Box], b: list[Box]) -> bool:
    return any(x[0] < y[2] and y[0] < x[2] for x in a for y in b)


def real_rows(boxes: list[Box]) -> list[list[Box]]:
    """``rows``, where the rows really differ: several rows only where a row holds two people or
    more, or one person stands behind another; else one row, left to right (a tall person beside
    a child is beside them, not in another row)."""
    found = rows(boxes)
    if len(found) > 1 and all(len(r) == 1 for r in found) and not any(
            _overlap_x(found[i], found[j]) for i in range(len(found)) for j in range(i + 1, len(found))):
        return [sorted(boxes, key=_centre_x)]
    return found


def ordinal_side(index: int, count: int) -> str:
    """The side of the ``index``-th of ``count`` people left to right: left / right of two, left /
    middle / right of three, "far left", "second from the left", ... beyond."""
    if count in RELATIVE_WORDS:
        return RELATIVE_WORDS[count][index]
    if index == 0:
        return "far left"
    if index == count - 1:
        return "far right"
    if index < count / 2:
        return f"{ORDINALS[index] if index < len(ORDINALS) else f'{index + 1}th'} from the left"
    back = count - 1 - index
    return f"{ORDINALS[back] if back < len(ORDINALS) else f'{back + 1}th'} from the right"


def row_names(found: list[list[Box]]) -> list[str]:
    """What each row is called, top to bottom: "back row" and "front row" where the faces at the
    top are no bigger than those below (people behind others), else "top row", "middle row",
    "bottom row"; "row N from the top" beyond three."""
    if len(found) == 1:
        return [""]
    sizes = [sum(_height(b) for b in row) / len(row) for row in found]
    if len(found) == 2:
        return ["back row", "front row"] if sizes[0] <= sizes[1] * 1.1 else ["top row", "bottom row"]
    if len(found) == 3:
        return ["top row", "middle row", "bottom row"]
    return [f"row {k} from the top" for k in range(1, len(found) + 1)]


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def caption(people: list[PlacedPerson], unknown_faces: int, width: int, height: int) -> str:
    """Who is where, as people say it: one person by where they are in the photo ("<mike> (top
    left)"); two or three in a row by the third of the photo each is in ("<a> (left) and <b>
    (center)"; "left", "middle", "right" of each other where two share a third); more "from left:
    <a>, <b>, <c>, <d>"; several rows each in turn ("back row, from left: <a>, <b>; front row,
    from left: <c>, <d>"); then the faces nobody is ("with 2 other people")."""
    if not people:
        if unknown_faces == 0:
            return "no people"
        return f"{unknown_faces} unknown {'person' if unknown_faces == 1 else 'people'}"
    by_box: dict[Box, list[PlacedPerson]] = {}
    for p in people:
        by_box.setdefault(tuple(p.box), []).append(p)
    found = real_rows(list(by_box))
    labels = row_names(found)

    def names_in(row: list[Box]) -> list[str]:
        return [f"<{p.name}>" for box in row for p in by_box[box]]

    if len(found) == 1:
        placed = [(f"<{p.name}>", box) for box in found[0] for p in by_box[box]]
        if len(placed) == 1:
            text = f"{placed[0][0]} ({describe(placed[0][1], width, height)})"
        elif len(placed) in RELATIVE_WORDS:
            # one row: left, center, right in the photo (not "top" for everyone), or left / middle /
            # right of each other where two share a third of the photo
            words = [horizontal(box, width) for _, box in placed]
            if len(set(words)) < len(words):
                words = list(RELATIVE_WORDS[len(placed)])
            text = _listed([f"{name} ({word})" for (name, _), word in zip(placed, words)])
        else:
            text = "from left: " + ", ".join(name for name, _ in placed)
    else:
        parts = []
        for label, row in zip(labels, found):
            named = names_in(row)
            parts.append(f"{label}: {named[0]}" if len(named) == 1 else f"{label}, from left: {', '.join(named)}")
        text = "; ".join(parts)
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
