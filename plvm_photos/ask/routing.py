"""Questions only a vision-language model can answer, routed to the plvm engine.

A question such as "photos where <mike> and <susan> are talking" or "what is <billie> wearing?"
names people (selected from the stored verdicts, as for any question) and asks about something the
face engine cannot see (``Question.unseen``). With the ``plvm`` or ``hybrid`` engine those photos
go to PLVM: a yes/no question scored by P(Yes) filters them, an open question ("what ...",
"describe ...") is answered per photo. With the ``face`` engine nothing is routed and ``ask``
answers from the verdicts with its note.

This module's top level imports nothing heavy: ``ask`` imports it on every question with unseen
words, and torch loads only once a question is really routed.
"""

from __future__ import annotations

import re
import sys

from plvm_photos.names import show
from plvm_photos.ask.question import Question, parse
from plvm_photos.ask.results import VisualAnswer, VisualPhotoAnswer
from plvm_photos.engines.registry import sees_pixels

ROUTED_INTENTS = ("with", "count", "where")
OPEN = re.compile(r"^\s*(?:what|how(?!\s+many)|describe|why|tell\s+me)\b", re.I)
FRAMING = re.compile(
    r"^\s*(?:(?:show|find|list|give|get)\s+(?:me\s+)?)?(?:how\s+many\s+)?(?:all\s+)?(?:the\s+)?(?:my\s+)?"
    r"(?:photos?|pictures?|images?|pics|shots)\s*(?:are\s+there\s+)?"
    r"(?:of|with|where|in\s+which|that\s+show|showing|when|in\s+which)?\s*",
    re.I,
)
WHERE = re.compile(r"^\s*where(?:'s|\s+is|\s+are|\s+was|\s+were)?\s+", re.I)


def yes_no_prompt(question: Question) -> tuple[str, str]:
    """(clause, prompt): the asked condition and the yes/no question PLVM scores."""
    clause = WHERE.sub("", FRAMING.sub("", question.text, count=1), count=1).strip().rstrip("?.! ")
    return clause, f'Does this photo match the description "{clause}"? Answer with Yes or No.'


def routed(question: Question) -> bool:
    return bool(question.unseen) and question.intent in ROUTED_INTENTS and bool(question.include)


def wants_model(text: str, engine_row) -> bool:
    """Whether ``text`` goes to the library's engine; ``engine_row()`` gives the stored engine
    setting as a 1-tuple or None, and is only called for questions that would be routed."""
    try:
        question = parse(text)
    except ValueError:  # an invalid name: the normal path reports it
        return False
    if not routed(question):
        return False
    row = engine_row()
    return sees_pixels(row[0] if row is not None else None)


def routed_answer(library, text: str):
    """The answer from the library's engine, or None when the question is not routed (then ``ask``
    answers it from the stored verdicts, as it always has)."""
    try:
        question = parse(text)
    except ValueError:  # an invalid name: the normal path reports it
        return None
    if not routed(question) or not sees_pixels(library.settings.engine):
        return None
    return answer_visual(library, question)


def _selected(session, question: Question) -> dict[int, dict[str, list[int]]]:
    """Photos the stored verdicts select: every included concept present, no excluded one.
    Returns photo id -> {name: box} of the included concepts."""
    from sqlalchemy import select

    from plvm_photos.db.models import Concept, Region, Verdict
    from plvm_photos.db.queries import current_photo_ids

    names = question.include + question.exclude
    rows = session.execute(
        select(Concept.name, Verdict.photo_id, Region)
        .join(Concept, Concept.id == Verdict.concept_id)
        .outerjoin(Region, Region.id == Verdict.region_id)
        .where(Concept.name.in_(names), Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids()))
    ).all()
    by_photo: dict[int, dict[str, list[int]]] = {}
    for name, photo_id, region in rows:
        by_photo.setdefault(photo_id, {})[name] = list(region.box) if region is not None else []
    return {
        pid: {n: found[n] for n in question.include}
        for pid, found in by_photo.items()
        if all(n in found for n in question.include) and not any(n in found for n in question.exclude)
    }


def answer_visual(library, question: Question, progress: bool = True):
    """Run the engine over the photos the verdicts select; see the module docstring."""
    from sqlalchemy import select
    from tqdm import tqdm

    from plvm_photos.db.models import Concept
    from plvm_photos.db.queries import photo_paths
    from plvm_photos.engines.registry import open_engine
    from plvm_photos.errors import ImageError, UnknownPersonError

    engine = open_engine(library)
    visual = engine.visual(library)
    with library.session() as s:
        known = library.known_names(s)
        for name in question.include + question.exclude:
            if name not in known:
                raise UnknownPersonError(name, known)
        ids = dict(s.execute(select(Concept.name, Concept.id).where(Concept.name.in_(question.include))).all())
        concept_ids = [ids[n] for n in question.include]
        visual.check(s, concept_ids)
        selected = _selected(s, question)
        paths = photo_paths(s, selected)
    order = sorted(paths, key=lambda pid: paths[pid])
    limit = visual.photo_limit
    judged = order[:limit]
    is_open = bool(OPEN.match(question.text))
    clause, prompt = yes_no_prompt(question)
    answers = []
    for pid in tqdm(judged, desc=f"asking the {engine.name} engine", unit="photo", disable=not progress or None,
                    file=sys.stderr):
        try:
            image = visual.open_photo(paths[pid])
        except (ImageError, OSError):
            continue
        people = sorted(selected[pid], key=lambda n: (selected[pid][n][:1] or [0])[0])
        if is_open:
            reply = visual.answer(image, question.text, concept_ids)
            answers.append(VisualPhotoAnswer(paths[pid], people, selected[pid], reply=reply))
        else:
            p = visual.yes_probability(image, prompt, concept_ids)
            if p >= visual.threshold:
                answers.append(VisualPhotoAnswer(paths[pid], people, selected[pid], score=round(p, 4)))
    who = " and ".join(show(n) for n in question.include)
    if question.exclude:
        who += " but not " + " or ".join(show(n) for n in question.exclude)
    scope = f"the {engine.name} engine looked at {len(judged)} of the {len(order)} photo(s) with {who}"
    if len(judged) < len(order):
        scope += f" (the first {limit} by path; plvm-photos config plvm.ask_limit N for more)"
    n = len(answers)
    plural = "photo" if n == 1 else "photos"
    if is_open:
        if not order:
            text = f"no photos with {who} to answer \"{question.text}\" about"
        else:
            text = f"{question.text} ({scope}):\n" + "\n".join(f"  {a.path}: {a.reply}" for a in answers)
    elif question.intent == "count":
        text = f"{n} {plural} where {clause} ({scope})"
    else:
        lines = [f"{n} {plural} where {clause} ({scope})" + (":" if n else "")]
        lines += [f"  {a.path}  P(yes) {a.score:.2f}" for a in answers]
        text = "\n".join(lines)
    return VisualAnswer(text, answers, engine=engine.name, judged=len(judged), selected=len(order))
