"""Questions only a vision-language model can answer, routed to an engine that sees pixels.

A question such as "photos where <mike> and <susan> are talking" or "what is <billie> wearing?"
(a ``Query`` with a visual intent and its ``action``) names people, selected from the stored
verdicts with the question's time and place, and asks about something the face engine cannot see.
With an engine that sees pixels (``engines.registry.sees_pixels``) those photos go to it: a yes/no
question scored by P(Yes) filters them (or answers for the one photo it names), an open question
is answered per photo. With the face engine nothing is routed and ``ask`` answers from the
verdicts with its note.

This module's top level imports nothing heavy: torch loads only once a question is really routed.
"""

from __future__ import annotations

import re
import sys

from plvm_photos.ask.query import Query
from plvm_photos.ask.results import VisualAnswer, VisualPhotoAnswer
from plvm_photos.ask.wording import names_text, people_phrase, plural, selection_phrase
from plvm_photos.engines.catalog import sees_pixels
from plvm_photos.names import show

VISUAL_INTENTS = ("visual_yes_no", "visual_open", "visual_count")
_NAME = re.compile(r"<([^<>]*)>")


def _same(name: str) -> str:
    return name


def routed(query: Query) -> bool:
    """Whether an engine that sees pixels answers ``query``: an action in the question's own words
    ("wearing a hat") or what the people named do or show (``Query.cues``)."""
    return query.intent in VISUAL_INTENTS or bool(query.cues)


def yes_no_prompt(query: Query, display=_same) -> tuple[str, str]:
    """(clause, prompt): the asked condition ("<a> and <b> are talking") and the yes/no question
    the engine scores; names in their display form (``display(name)``), as the engine knows them."""
    if query.cues:
        clause = " and ".join(_NAME.sub(lambda m: show(display(m.group(1))), cue.describe()) for cue in query.cues)
    else:
        who = people_phrase(query.people, display).removeprefix("with ")
        clause = f"{who} {query.action}".strip()
    return clause, f'Does this photo match the description "{clause}"? Answer with Yes or No.'


def wants_model(query: Query, engine_row) -> bool:
    """Whether ``query`` goes to the library's engine; ``engine_row()`` gives the stored engine
    setting as a 1-tuple or None, and is only called for visual questions."""
    if not routed(query):
        return False
    row = engine_row()
    return sees_pixels(row[0] if row is not None else None)


def routed_answer(library, query: Query):
    """The answer from the library's engine, or None when the question is not routed (then ``ask``
    answers it from the stored verdicts)."""
    if not routed(query) or not sees_pixels(library.settings.engine):
        return None
    return answer_visual(library, query)


def _photos_to_judge(reader, query: Query, people) -> list[int]:
    from plvm_photos.ask.photo_ref import resolve_ref
    from plvm_photos.ask.selection import select

    if query.photo is None:
        return select(reader, query, people).ids
    return [resolve_ref(reader, query.photo)]


def answer_visual(library, query: Query, progress: bool = True) -> VisualAnswer:
    """Run the engine over the photos the verdicts select; see the module docstring."""
    from tqdm import tqdm

    from plvm_photos.ask.photos import photo_answers, photo_rows
    from plvm_photos.ask.reader import session_reader
    from plvm_photos.ask.selection import People
    from plvm_photos.engines.base import PresentPerson
    from plvm_photos.engines.registry import open_engine
    from plvm_photos.errors import ImageError
    from plvm_photos.indexing.concepts import registered_concepts

    engine = open_engine(library)
    visual = engine.visual()
    with library.session() as s:
        reader = session_reader(s)
        people = People(reader)
        people.check(query.people)
        named = [people.get(name) for name in query.names()]
        concept_ids = list(dict.fromkeys(p.id for p in named))
        visual.check(registered_concepts(s, engine), concept_ids)
        ids = _photos_to_judge(reader, query, people)
        rows = photo_rows(reader, ids)
        answers = {a.path: a for a in photo_answers(reader, ids, rows)}
    display = lambda name: people.get(name).display  # noqa: E731
    order = sorted(rows.values(), key=lambda row: row.path)
    judged = order[: visual.photo_limit]
    is_open = query.intent == "visual_open"
    clause, prompt = yes_no_prompt(query, display)
    asked = _NAME.sub(lambda m: show(display(m.group(1))), query.text)
    results = []
    for row in tqdm(judged, desc=f"asking the {engine.name} engine", unit="photo", disable=not progress or None,
                    file=sys.stderr):
        base = answers[row.path]
        present = [PresentPerson(name, tuple(box)) for name, box in base.regions.items() if box]
        try:
            image = visual.open_photo(row.path, present)
        except (ImageError, OSError):
            continue
        fields = dict(path=base.path, people=base.people, regions=base.regions, caption=base.caption, taken=base.taken,
                      place=base.place)
        if is_open:
            results.append(VisualPhotoAnswer(**fields, reply=visual.answer(image, asked, concept_ids)))
            continue
        p = visual.yes_probability(image, prompt, concept_ids)
        if p >= visual.threshold or query.photo is not None:
            results.append(VisualPhotoAnswer(**fields, score=round(p, 4)))
    text = _text(query, engine.name, clause, asked, results, len(judged), len(order), visual, display)
    return VisualAnswer(text, results, query=query.as_dict(), understood=query.describe(), engine=engine.name, judged=len(judged), selected=len(order))


def _text(query: Query, engine_name: str, clause: str, asked: str, results, judged: int, selected: int, visual,
          display) -> str:
    who = selection_phrase(query, display) or "with " + names_text([display(n) for n in query.names()])
    scope = f"the {engine_name} engine looked at {judged} of the {selected} photo(s) {who}"
    if judged < selected:
        scope += f" (the first {visual.photo_limit} by path; plvm-photos config {visual.limit_setting} N for more)"
    if query.photo is not None and query.intent != "visual_open":  # yes or no, in that photo
        if not results:
            return f"No photo {query.photo.ref} to judge"
        score = results[0].score
        verdict = "Yes" if score >= visual.threshold else "No"
        return f"{verdict}, {clause} in {results[0].path} by the {engine_name} engine (P(yes) {score:.2f})"
    if query.intent == "visual_open":
        if not selected:
            return f"no photos {who} to answer \"{asked}\" about"
        return f"{asked} ({scope}):\n" + "\n".join(f"  {a.path}: {a.reply}" for a in results)
    n = len(results)
    if query.intent in ("visual_count", "count"):
        return f"{plural(n)} where {clause} ({scope})"
    lines = [f"{plural(n)} where {clause} ({scope})" + (":" if n else "")]
    lines += [f"  {a.path}  P(yes) {a.score:.2f}" for a in results]
    return "\n".join(lines)
