"""Interactions judged from geometry, for engines that do not look at pixels (the face engine).

"Photos where <mike> and <susan> are talking" names people and an action. Talking, looking at or
facing each other, and being next to each other show in where two faces are and which way the
heads turn: each named person's head pose is estimated from their face in the photo
(``engines/face/pose.py``) and the pair is judged by the rules of ``engines/face/interaction.py``,
whose precision and recall on labelled group photos the README gives. The answer says that it
judged by head pose and position. Other actions are not judged here.
"""

from __future__ import annotations

import re
from itertools import combinations

from plvm_photos.ask.reader import Reader

# The action words each geometric rule answers ("are" and the like are dropped first).
PHRASES: dict[str, tuple[str, ...]] = {
    "talking": ("talking", "talking to each other", "talking to one another", "talking together", "chatting",
                "having a conversation", "in conversation", "in a conversation"),
    "facing": ("looking at each other", "looking at one another", "facing each other", "facing one another",
               "face to face"),
    "next_to": ("next to each other", "next to one another", "side by side", "standing next to each other",
                "sitting next to each other", "beside each other"),
}
WHAT = {"talking": "talking", "facing": "facing each other", "next_to": "next to each other"}
_AUXILIARY = re.compile(r"^(?:are|is|were|was|be|being)\s+", re.I)


def interaction_of(action: str | None) -> str | None:
    """The rule ("talking", "facing", "next_to") that judges ``action``, or None."""
    if not action:
        return None
    words = _AUXILIARY.sub("", " ".join(action.lower().split())).rstrip("?.! ")
    return next((rule for rule, phrases in PHRASES.items() if words in phrases), None)


def judge_photo(db: Reader, photo_id: int, path: str, boxes: list[tuple[int, int, int, int]], rule: str):
    """(holds, explanation) for the named people whose face ``boxes`` (full-size pixels) are given:
    the rule must hold for every pair of them."""
    from plvm_photos.engines.face.interaction import Face, judge_pair
    from plvm_photos.engines.face.pose import decoded_box, head_poses
    from plvm_photos.imaging import decode

    from plvm_photos.ask.photos import face_boxes

    image = decode(path, max_side=1024)
    poses = head_poses(image.pixels, [decoded_box(box, image.scale) for box in boxes])
    named = [Face(tuple(box), pose.yaw_deg) for box, pose in zip(boxes, poses)]
    others = [Face(tuple(box), 0.0) for box in face_boxes(db, photo_id)]  # the yaw of others is not used
    holds, reasons = True, []
    for a, b in combinations(named, 2):
        judgement = judge_pair(a, b, others)
        holds &= getattr(judgement, rule)
        reasons.append(judgement.rule)
    return holds, "; ".join(reasons)
