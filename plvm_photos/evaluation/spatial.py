"""Answering the multiple-choice questions that face geometry can answer, abstaining on the rest.

Three kinds are answered from the matched face box and the other faces of the photo:

- presence: "Is <sks> in this photo?" with Yes/No options (from the verdict);
- which person: "Which person is <sks>?", "Who is <sks> in this photo?", "Between two main people,
  which one is <sks>?" with options such as "left person", "right most", "middle", "the person at the
  back", "the person at the front, left side" — judged against the other *main* faces (faces at
  least ``MAIN_FACE_RATIO`` the height of the largest one, so background faces do not count);
- where: "Where is the position of <sks>?" with options such as "top-left" or "middle" (the nearest
  canonical point of the photo), or "second row, right column" (columns are sides of the faces' span;
  rows are counted from the front, the way group photos are captioned).

Everything else (clothes, colours, actions, places, "the person next to <sks>") is abstained on:
``answer`` returns None. An option that names no position makes the question unanswerable here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

Box = tuple[int, int, int, int]
MAIN_FACE_RATIO = 0.45
FRONT_SIZE_RATIO = 1.2  # a face this much taller than another is nearer the camera
ROW_GAP = 0.6  # rows of a group photo: centres at least this many face heights apart
YES = re.compile(r"^\s*yes\b", re.I)
NO = re.compile(r"^\s*no\b", re.I)
_PRESENCE = re.compile(r"\bis\s+<[^>]+>\s+(in|present in|visible in)\s+(this|the)\s+(photo|image|picture)", re.I)
_WHICH = re.compile(r"\b(which|who)\b[^?]*<[^>]+>|<[^>]+>[^?]*\b(which|who)\b", re.I)
_WHERE = re.compile(r"\bwhere\b[^?]*<[^>]+>", re.I)
_SIDE = re.compile(r"\bis\s+<[^>]+>\s+(on|at|in)\s+the\b", re.I)  # "Is <sks> on the left or the right?"
# Questions about someone else than <sks> ("the person next to <sks>") are not about <sks>'s place.
_RELATIONAL = re.compile(r"next to|beside|behind|in front of|to the (left|right) of|standing with|"
                         r"wearing|holding|carrying|taller|shorter|older|younger", re.I)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


@dataclass(frozen=True)
class OptionPlace:
    horizontal: str | None = None  # left | right | middle
    vertical: str | None = None  # top | bottom | middle
    depth: str | None = None  # front | back
    row: int | None = None  # 1 = front row ("top row" is a vertical place)
    column: str | None = None  # left | right | middle

    @property
    def empty(self) -> bool:
        return not any((self.horizontal, self.vertical, self.depth, self.row, self.column))


def parse_place(text: str) -> OptionPlace:
    t = text.lower().replace("-", " ")
    row = column = horizontal = vertical = depth = None
    if m := re.search(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+row\b", t):
        row = _ORDINALS[m.group(1)]
        t = t.replace(m.group(0), " ")
    if m := re.search(r"\b(left|right|middle|center|centre)\s+column\b", t):
        column = {"center": "middle", "centre": "middle"}.get(m.group(1), m.group(1))
        t = t.replace(m.group(0), " ")
    words = set(re.findall(r"[a-z]+", t))
    if "left" in words or "leftmost" in words:
        horizontal = "left"
    elif "right" in words or "rightmost" in words:
        horizontal = "right"
    if "top" in words or "upper" in words:
        vertical = "top"
    elif "bottom" in words or "lower" in words:
        vertical = "bottom"
    if words & {"middle", "center", "centre"}:
        if horizontal is None:
            horizontal = "middle"
        if vertical is None:
            vertical = "middle" if horizontal == "middle" else None
    if "front" in words or "foreground" in words:
        depth = "front"
    elif "back" in words or "background" in words or "rear" in words:
        depth = "back"
    return OptionPlace(horizontal, vertical, depth, row, column)


def _cx(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _cy(box: Box) -> float:
    return (box[1] + box[3]) / 2


def _height(box: Box) -> float:
    return box[3] - box[1]


def main_faces(target: Box, faces: Sequence[Box]) -> list[Box]:
    """The target and the faces about as large as the largest one (the people the photo is of)."""
    tallest = max([_height(target), *(_height(f) for f in faces)])
    main = [f for f in faces if f != target and _height(f) >= MAIN_FACE_RATIO * tallest]
    return [target, *main]


def _relative_checks(place: OptionPlace, target: Box, others: list[Box], width: int, height: int,
                     thirds: bool = True) -> list[bool]:
    """One bool per feature the option states: does the target satisfy it among the main faces?"""
    checks = []
    xs = [_cx(f) for f in others]
    if place.horizontal:
        if not others:
            # The other person's face was not found: judge by the photo's halves (thirds when
            # the options offer a middle).
            x = _cx(target) / max(width, 1)
            if thirds:
                h = "left" if x < 1 / 3 else "right" if x > 2 / 3 else "middle"
            else:
                h = "left" if x < 0.5 else "right"
            checks.append(h == place.horizontal)
        elif place.horizontal == "left":
            checks.append(all(_cx(target) < x for x in xs))
        elif place.horizontal == "right":
            checks.append(all(_cx(target) > x for x in xs))
        else:
            checks.append(any(_cx(target) < x for x in xs) and any(_cx(target) > x for x in xs))
    if place.depth:
        if not others:
            checks.append(place.depth == "front")
        else:  # nearer the camera is clearly larger (as for rows); about the same size tells nothing
            nearer = any(_height(f) > FRONT_SIZE_RATIO * _height(target) for f in others)
            farther = any(_height(target) > FRONT_SIZE_RATIO * _height(f) for f in others)
            checks.append(farther and not nearer if place.depth == "front" else nearer)
    if place.row is not None or place.column:
        faces = [target, *others]
        column = _column(target, faces, thirds)
        if place.row is not None:
            same_column = [f for f in faces if _column(f, faces, thirds) == column]
            checks.append(_row_from_front(target, same_column) == place.row)
        if place.column:
            checks.append(column == place.column)
    if place.vertical and place.vertical != "middle" and not (place.row or place.column):
        cy = _cy(target) / max(height, 1)
        checks.append(cy < 0.5 if place.vertical == "top" else cy > 0.5)
    return checks


def _column(face: Box, faces: list[Box], thirds: bool) -> str:
    """The face's column: its side of the span of the faces' centres (halves, or thirds with a middle)."""
    xs = [_cx(f) for f in faces]
    lo, hi = min(xs), max(xs)
    x = (_cx(face) - lo) / (hi - lo) if hi > lo else 0.5
    if thirds:
        return "left" if x < 1 / 3 else "right" if x > 2 / 3 else "middle"
    return "left" if x < 0.5 else "right"


def _row_from_front(face: Box, column: list[Box]) -> int:
    """Rows are counted from the front, as in "first row: ...": a face is in front of another when it is
    clearly larger (nearer the camera), or about as large and lower in the photo (a row of a group photo)."""
    def in_front(a: Box, b: Box) -> bool:
        if _height(a) > FRONT_SIZE_RATIO * _height(b):
            return True
        return _height(a) * FRONT_SIZE_RATIO >= _height(b) and _cy(a) - _cy(b) > ROW_GAP * _height(b)

    return 1 + sum(in_front(other, face) for other in column if other != face)


_CANONICAL_X = {"left": 1 / 6, "middle": 0.5, "right": 5 / 6, None: None}
_CANONICAL_Y = {"top": 1 / 6, "middle": 0.5, "bottom": 5 / 6, None: None}


def _image_distance(place: OptionPlace, target: Box, width: int, height: int) -> float:
    """How far the face's centre is from the option's canonical point of the photo (0..~1.4)."""
    x, y = _cx(target) / max(width, 1), _cy(target) / max(height, 1)
    px, py = _CANONICAL_X[place.horizontal], _CANONICAL_Y[place.vertical]
    return ((x - px) ** 2 if px is not None else 0.0) + ((y - py) ** 2 if py is not None else 0.0)


def _unique_best(scores: dict[str, float], higher: bool = True) -> str | None:
    if not scores:
        return None
    ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=higher)
    if len(ordered) > 1 and ordered[0][1] == ordered[1][1]:
        return None
    return ordered[0][0]


def question_kind(question: str, options: Mapping[str, str]) -> str | None:
    """'presence' | 'which' | 'where' | None (not answerable from geometry)."""
    texts = list(options.values())
    if _PRESENCE.search(question) and len(texts) == 2 and any(YES.match(t) for t in texts) and any(NO.match(t) for t in texts):
        return "presence"
    if _RELATIONAL.search(question):
        return None
    places = [parse_place(t) for t in texts]
    if len(places) < 2 or any(p.empty for p in places) or len(set(places)) < len(places):
        return None
    if _WHERE.search(question):
        return "where"
    if _WHICH.search(question) or _SIDE.search(question):
        return "which"
    return None


def answer(question: str, options: Mapping[str, str], present: bool, target: Box | None,
           others: Sequence[Box], width: int, height: int) -> str | None:
    """The letter geometry gives, or None to abstain. ``target`` is the face matched to <sks>."""
    kind = question_kind(question, options)
    if kind is None:
        return None
    if kind == "presence":
        return next(k for k, t in options.items() if (YES if present else NO).match(t))
    if target is None:
        return None
    places = {k: parse_place(t) for k, t in options.items()}
    uses_grid = any(p.row is not None or p.column for p in places.values())
    # Rows and columns are of the whole group; left/right/front/back of the main people only.
    main = list(others) if uses_grid else main_faces(target, list(others))[1:]
    only_sides = all(p.vertical in (None, "middle") and not p.depth for p in places.values())
    if kind == "where" and main and only_sides and not uses_grid:
        kind = "which"  # "where is <sks>?" -- "left" / "right" among the people in the photo
    if kind == "where" and not uses_grid and not any(p.depth for p in places.values()):
        return _unique_best({k: _image_distance(p, target, width, height) for k, p in places.items()}, higher=False)
    thirds = any(p.horizontal == "middle" for p in places.values())
    # Only an option whose every stated feature the geometry confirms is an answer; an option that
    # merely fails fewer of its features than the others is a guess.
    checks = {k: _relative_checks(p, target, main, width, height, thirds) for k, p in places.items()}
    fitting = [k for k, c in checks.items() if c and all(c)]
    return fitting[0] if len(fitting) == 1 else None
