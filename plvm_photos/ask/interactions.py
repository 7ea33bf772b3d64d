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


# --- what people do or show, from every cue (``Query.cues``) -----------------------------------------


def photo_people(db: Reader, photo_id: int):
    """(display name -> ``Seen`` of each recognised person's face, every face of the photo as
    ``Seen``), with the people-pose stage's cues where it saw them."""
    from plvm_photos.engines.face.cues import PersonCues
    from plvm_photos.engines.face.judgements import Seen

    rows = db.rows(
        'SELECT regions.id, regions."left", regions.top, regions."right", regions.bottom, region_poses.cues FROM regions '
        "LEFT OUTER JOIN region_poses ON region_poses.region_id = regions.id "
        "WHERE regions.photo_id = ? AND regions.kind = 'face' ORDER BY regions.id", [photo_id])
    seen = {rid: Seen((left, top, right, bottom), PersonCues.from_json(cues) if cues else None)
            for rid, left, top, right, bottom, cues in rows}
    named = {display: seen[rid] for display, rid in db.rows(
        "SELECT concepts.display, verdicts.region_id FROM verdicts JOIN concepts ON concepts.id = verdicts.concept_id "
        "WHERE verdicts.photo_id = ? AND verdicts.present = ?", [photo_id, True]) if rid in seen}
    return named, list(seen.values())


def _with_head_poses(path: str, people: list):
    """Faces the people-pose stage never saw, with the geometric head pose (``pose.py``, the
    photo decoded now), so talking and facing are judged as without the stage."""
    from dataclasses import replace

    from plvm_photos.engines.face.pose import decoded_box, head_poses
    from plvm_photos.imaging import decode

    missing = [i for i, p in enumerate(people) if p.cues is None or p.cues.face is None]
    if not missing:
        return people
    image = decode(path, max_side=1024)
    poses = head_poses(image.pixels, [decoded_box(people[i].box, image.scale) for i in missing])
    out = list(people)
    for i, pose in zip(missing, poses):
        out[i] = replace(out[i], yaw_deg=pose.yaw_deg)
    return out


def judge_cue(db: Reader, photo_id: int, path: str, kind: str, displays: list[str]):
    """The ``Judgement`` of ``kind`` for the people ``displays`` in one photo (None: one of them
    is not recognised there)."""
    from plvm_photos.engines.face.judgements import judge

    named, everyone = photo_people(db, photo_id)
    if not all(d in named for d in displays):
        return None
    people = [named[d] for d in displays]
    if kind in ("talking", "facing"):
        people = _with_head_poses(path, people)
    return judge(kind, people, everyone)


def answer_cues(db: Reader, query, people):
    """Photos the rest of ``query`` selects where every one of ``query.cues`` holds; each listed
    photo says how it was judged. A kind the engine cannot judge reliably is refused; photos where
    a cue could not be seen (no pose stage, body out of frame) are counted apart, never guessed."""
    from plvm_photos.ask.photos import photo_answers, photo_rows
    from plvm_photos.ask.query import QuestionError
    from plvm_photos.ask.results import Answer
    from plvm_photos.ask.selection import select
    from plvm_photos.ask.wording import plural
    from plvm_photos.engines.face.judgements import PAIR_KINDS, UNRELIABLE, WORDS

    for cue in query.cues:
        if cue.kind in UNRELIABLE:
            raise QuestionError(cue.describe(), UNRELIABLE[cue.kind], f"photos of {' and '.join(f'<{n}>' for n in cue.people)}",
                                text=query.text or None)
        if cue.kind in PAIR_KINDS and len(set(cue.people)) < 2:
            raise QuestionError(cue.describe(), f'"{WORDS[cue.kind]}" is judged between two people or more',
                                f"photos where <mike> and <susan> are {WORDS[cue.kind]}", text=query.text or None)
    if query.photo is not None:
        from plvm_photos.ask.photo_ref import resolve_photo

        ids = [resolve_photo(db, query.photo.ref if query.photo.photo_id is None else f"#{query.photo.photo_id}")]
    else:
        ids = select(db, query, people).ids
    rows = photo_rows(db, ids)
    held, why, unknown = [], {}, []
    for pid in ids:
        if pid not in rows:
            continue
        reasons, verdict = [], True
        for cue in query.cues:
            judged = judge_cue(db, pid, rows[pid].path, cue.kind, [people.get(n).display for n in cue.people])
            if judged is None or judged.holds is False:
                verdict = False
                break
            if judged.holds is None:
                verdict = None
            reasons.append(judged.how)
        if verdict:
            held.append(pid)
            why[rows[pid].path] = "; ".join(reasons)
        elif verdict is None:
            unknown.append(pid)
    what = " and ".join(c.describe() for c in query.cues)
    note = f" ({plural(len(unknown))} could not be judged: {rows[unknown[0]].path}: a cue was not seen)" if unknown else ""
    photos = photo_answers(db, held, rows)
    if not photos:
        return Answer(f"no photos where {what}{note}")
    lines = [f"{plural(len(photos))} where {what}{note}:"] + [f"  {p.path}: {why[p.path]}" for p in photos]
    return Answer("\n".join(lines), photos)
