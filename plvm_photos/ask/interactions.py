"""What the people a question names do or show (``Query.cues``), judged by the face engine.

"Photos where <a> and <b> are talking", "<a> smiling", "is <a> looking at the camera in
beach.jpg?": each photo the rest of the question selects is judged from the faces of the people
named and, where the people-pose stage saw them, their face mesh, irises and upper bodies
(``engines/face/judgements.py``, its precision and recall in ``docs/interactions.md``); where
the stage did not see a face, talking and facing are judged from the head pose fitted to the
face now (``engines/face/pose.py``) and position, as before the stage existed. Each answer says
how it judged, with the numbers.
"""

from __future__ import annotations

from plvm_photos.ask.reader import Reader


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
    missing = [i for i, p in enumerate(people) if p.cues is None or p.cues.face is None]
    if not missing:
        return people  # the stage's face mesh gives every head pose: nothing heavy is imported
    from dataclasses import replace

    from plvm_photos.engines.face.pose import decoded_box, head_poses
    from plvm_photos.imaging import decode

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
        from plvm_photos.engines.face.judgements import Judgement
        from plvm_photos.errors import ImageError

        try:
            people = _with_head_poses(path, people)
        except (ImageError, OSError) as error:  # a video, or a file gone: no head pose, no guess
            return Judgement(None, f"the head poses could not be read from {path}: {error}")
    return judge(kind, people, everyone)


def answer_cues(db: Reader, query, people):
    """The photos the rest of ``query`` selects where every one of ``query.cues`` holds (listed,
    counted, or whether there are any), or whether they hold in the one photo it names; each photo
    says how it was judged. A kind the engine cannot judge reliably is refused; photos where a cue
    could not be seen (no pose stage, body out of frame) are counted apart, never guessed, and in
    the one photo asked about they are a refusal with the reason."""
    from plvm_photos.ask.photos import photo_answers, photo_rows
    from plvm_photos.ask.query import QuestionError
    from plvm_photos.ask.results import Answer
    from plvm_photos.ask.selection import select
    from plvm_photos.ask.wording import counted_items, plural
    from plvm_photos.engines.face.judgements import PAIR_KINDS, UNRELIABLE, WORDS

    named = lambda names: " and ".join(f"<{n}>" for n in names)  # noqa: E731
    for cue in query.cues:
        if cue.kind in UNRELIABLE:
            raise QuestionError(cue.describe(), UNRELIABLE[cue.kind], f"photos of {named(cue.people)}", text=query.text or None)
        if cue.kind in PAIR_KINDS and len(set(cue.people)) < 2:
            raise QuestionError(cue.describe(), f'"{WORDS[cue.kind]}" is judged between two people or more',
                                f"photos of {named(cue.people)}", text=query.text or None)
    if query.photo is not None:
        from plvm_photos.ask.photo_ref import resolve_ref

        ids = [resolve_ref(db, query.photo)]
    else:
        ids = select(db, query, people).ids
    rows = photo_rows(db, ids)
    held, why, unknown = [], {}, {}
    for pid in ids:
        if pid not in rows:
            continue
        reasons, verdict = [], True
        for cue in query.cues:
            judged = judge_cue(db, pid, rows[pid].path, cue.kind, [people.get(n).display for n in cue.people])
            if judged is None or judged.holds is False:
                verdict = False
                reasons = [judged.how if judged is not None else f"{named(cue.people)} not all recognised there"]
                break
            if judged.holds is None:
                verdict = None
            reasons.append(judged.how)
        why[pid] = "; ".join(reasons)
        if verdict:
            held.append(pid)
        elif verdict is None:
            unknown[pid] = next(r for r in reasons if r)
    from plvm_photos.ask.wording import media_phrase, place_phrase, time_phrase

    scope = "".join(f" {part}" for part in (time_phrase(query.time), place_phrase(query.place), media_phrase(query.media))
                    if part)
    what = " and ".join(c.describe() for c in query.cues) + scope
    if query.photo is not None:
        return _one_photo_cues(query, ids[0], rows, held, unknown, why, photo_answers(db, held, rows))
    note = ""
    if unknown:
        first = next(iter(unknown))
        note = f" ({plural(len(unknown))} could not be judged: {rows[first].path}: {unknown[first]})"
    photos = photo_answers(db, held, rows)
    if query.intent == "count":
        judged_ids = [pid for pid in why if pid not in unknown and why[pid]]
        methods = list(dict.fromkeys(why[pid].split(":", 1)[0].removeprefix("judged by ") for pid in judged_ids))
        judged = f" (judged from {' and '.join(methods)}, in the {plural(len(judged_ids))} with {named(query.names())})" if methods else ""
        return Answer(f"{counted_items(photos)} where {what}{judged}{note}", photos)
    if query.intent == "exists":
        if not photos:
            return Answer(f"No, no photos where {what}{note}")
        return Answer(f"Yes, {counted_items(photos)} where {what}{note}:\n" + "\n".join(f"  {p.path}" for p in photos), photos)
    if not photos:
        return Answer(f"no photos where {what}{note}")
    why_of = {rows[pid].path: why[pid] for pid in held}
    lines = [f"{counted_items(photos)} where {what}{note}:"] + [f"  {p.path}: {why_of.get(p.path, '')}" for p in photos]
    return Answer("\n".join(lines), photos)


def _one_photo_cues(query, pid: int, rows, held: list, unknown: dict, why: dict, photos):
    """"Yes, <a> and <b> are talking in beach.jpg (how)" / "No, ... are not ..." / a refusal
    where a cue was not seen there."""
    from plvm_photos.ask.query import QuestionError
    from plvm_photos.ask.results import Answer

    path = rows[pid].path if pid in rows else query.photo.ref
    if pid in unknown:
        raise QuestionError(query.text or path, f"I can't tell in {path}: {unknown[pid]}", f"who is in {query.photo.written}?",
                            text=query.text or None)
    if held:
        what = " and ".join(c.describe() for c in query.cues)
        return Answer(f"Yes, {what} in {path} ({why[pid]})", photos)
    failed = query.cues[0] if len(query.cues) == 1 else None
    what = failed.describe(negative=True) if failed else "not all of: " + "; ".join(c.describe() for c in query.cues)
    return Answer(f"No, {what} in {path} ({why.get(pid, '')})")
