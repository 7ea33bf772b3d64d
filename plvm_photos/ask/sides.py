"""Where someone is in a photo relative to the other people in it, as the viewer sees it.

Faces are grouped into columns by ``plvm_photos.positions.columns`` (centres closer than half a
face width are one column, e.g. one person behind another), which also words the sides for the
stored captions, and each column into rows. The side is the column's place among the
columns — left / right of two, left / middle / right of three, "second from the left" and so on
beyond — and, where a column holds several faces, the row's: top / bottom. A person alone in the
photo gets the absolute words of ``plvm_photos.positions.describe`` ("left", "top right", ...).
"""

from __future__ import annotations

from plvm_photos.positions import columns, describe, ordinal_side

Box = tuple[int, int, int, int]
__all__ = ["columns", "left_of", "next_to", "right_of", "side"]


def _centre_x(box: Box) -> float:
    return (box[0] + box[2]) / 2


def side(target: Box, boxes: list[Box], width: int, height: int) -> str:
    """Where ``target`` (one of ``boxes``, every face in the photo) is: "left", "middle",
    "top right", "second from the left", ..."""
    if len(boxes) <= 1:
        return describe(target, width, height)
    grid = columns(boxes)
    column = next(i for i, col in enumerate(grid) if target in col)
    horizontal = ordinal_side(column, len(grid)) if len(grid) > 1 else ""
    stack = grid[column]
    vertical = ""
    if len(stack) > 1:
        row = stack.index(target)
        vertical = "top" if row == 0 else "bottom" if row == len(stack) - 1 else "middle"
    return " ".join(word for word in (vertical, horizontal) if word) or "middle"


def left_of(target: Box, boxes: list[Box]) -> list[Box]:
    """The other boxes whose centre is left of ``target``'s, nearest first."""
    return sorted((b for b in boxes if b != target and _centre_x(b) < _centre_x(target)), key=lambda b: -_centre_x(b))


def right_of(target: Box, boxes: list[Box]) -> list[Box]:
    return sorted((b for b in boxes if b != target and _centre_x(b) > _centre_x(target)), key=_centre_x)


def next_to(target: Box, boxes: list[Box]) -> list[Box]:
    """The nearest box on each side (one or two boxes)."""
    return [found[0] for found in (left_of(target, boxes), right_of(target, boxes)) if found]
