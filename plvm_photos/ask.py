"""Answering parsed questions from the stored verdicts and regions (no model is loaded)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.models import Concept, File, Photo, Region, Verdict
from .library import Library, LibraryError, UnknownPersonError, current_photo_ids, photo_paths
from .names import show
from .positions import describe
from .question import SUPPORTED_FORMS, Question, parse


@dataclass(frozen=True)
class PhotoAnswer:
    path: str
    people: list[str]
    regions: dict[str, list[int]]
    caption: str | None = None

    def as_dict(self) -> dict:
        return {"path": self.path, "people": self.people, "regions": self.regions}


@dataclass(frozen=True)
class Answer:
    answer: str
    photos: list[PhotoAnswer] = field(default_factory=list)
    answered: bool = True

    def as_dict(self) -> dict:
        return {"answer": self.answer, "photos": [p.as_dict() for p in self.photos]}


def ask(library: Library, text: str) -> Answer:
    question = parse(text)
    with library.session() as s:
        known = library.known_names(s)
        for name in question.include + question.exclude:
            if name not in known:
                raise UnknownPersonError(name, known)
        if question.intent == "unsupported":
            return Answer(
                "I can't answer that. I answer questions about registered people, written in angle brackets, "
                "such as: " + "; ".join(SUPPORTED_FORMS),
                answered=False,
            )
        if question.intent == "who":
            return _who(s, question)
        if question.intent == "is_in":
            return _is_in(s, question)
        return _photos_with(s, question)


# --- helpers ------------------------------------------------------------------------------------
def _present(s: Session, names: list[str]) -> dict[str, set[int]]:
    """Current photos where each named person is present."""
    out = {name: set() for name in names}
    rows = s.execute(
        select(Concept.name, Verdict.photo_id)
        .join(Concept, Concept.id == Verdict.concept_id)
        .where(Concept.name.in_(names), Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids()))
    ).all()
    for name, photo_id in rows:
        out[name].add(photo_id)
    return out


def _photo_answers(s: Session, photo_ids: set[int]) -> list[PhotoAnswer]:
    ids = sorted(photo_ids)
    paths = photo_paths(s, ids)
    people: dict[int, dict[str, list[int]]] = {pid: {} for pid in ids}
    captions: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for name, photo_id, region in s.execute(
            select(Concept.name, Verdict.photo_id, Region)
            .join(Concept, Concept.id == Verdict.concept_id)
            .outerjoin(Region, Region.id == Verdict.region_id)
            .where(Verdict.photo_id.in_(chunk), Verdict.present.is_(True))
        ).all():
            people[photo_id][name] = list(region.box) if region is not None else []
        captions.update(s.execute(select(Photo.id, Photo.caption).where(Photo.id.in_(chunk))).all())
    answers = [
        PhotoAnswer(
            path=paths[pid],
            people=sorted(people[pid], key=lambda n: (people[pid][n][:1] or [0])[0]),
            regions=people[pid],
            caption=captions.get(pid),
        )
        for pid in ids
        if pid in paths
    ]
    answers.sort(key=lambda a: a.path)
    return answers


def _sizes(s: Session, photo_ids) -> dict[int, tuple[int, int]]:
    ids = list(photo_ids)
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        out.update((pid, (w or 1, h or 1)) for pid, w, h in s.execute(select(Photo.id, Photo.width, Photo.height).where(Photo.id.in_(chunk))))
    return out


def _names_text(names: list[str], joiner: str = "and") -> str:
    shown = [show(n) for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


def _unseen_note(question: Question) -> str:
    if not question.unseen:
        return ""
    words = " ".join(question.unseen)
    return (
        f" (the face engine sees who is in a photo and where, not \"{words}\"; "
        "these are the photos that match the people in the question)"
    )


# --- intents ------------------------------------------------------------------------------------
def _photos_with(s: Session, q: Question) -> Answer:
    present = _present(s, q.include + q.exclude)
    selected: set[int] | None = None
    for name in q.include:
        selected = present[name] if selected is None else selected & present[name]
    selected = set(selected or set())
    for name in q.exclude:
        selected -= present[name]
    photos = _photo_answers(s, selected)
    who = _names_text(q.include)
    if q.exclude:
        who += " but not " + _names_text(q.exclude, "or")
    n = len(photos)
    plural = "photo" if n == 1 else "photos"
    note = _unseen_note(q)
    if q.intent == "count":
        return Answer(f"{n} {plural} with {who}{note}", photos)
    if q.intent == "where":
        if n == 0:
            return Answer(f"{who} is in no photo{note}", photos)
        sizes = _sizes(s, selected)
        lines = [f"{who} is in {n} {plural}{note}:"]
        by_path = {}
        for pid, path in photo_paths(s, selected).items():
            by_path[path] = pid
        for photo in photos:
            w, h = sizes[by_path[photo.path]]
            where = ", ".join(
                f"{show(name)} {describe(tuple(photo.regions[name]), w, h)} {photo.regions[name]}"
                for name in q.include
                if photo.regions.get(name)
            )
            lines.append(f"  {photo.path}: {where}")
        return Answer("\n".join(lines), photos)
    if n == 0:
        return Answer(f"no photos with {who}{note}", photos)
    return Answer(f"{n} {plural} with {who}{note}:\n" + "\n".join(f"  {p.path}" for p in photos), photos)


def resolve_photo(s: Session, ref: str) -> int:
    """A photo named by path, by file name, or as #ID."""
    if ref.startswith("#") and ref[1:].isdigit():
        if s.get(Photo, int(ref[1:])) is None:
            raise LibraryError(f"no photo with id {ref}")
        return int(ref[1:])
    absolute = os.path.abspath(os.path.expanduser(ref))
    photo_id = s.scalar(select(File.photo_id).where(File.path == absolute))
    if photo_id is not None:
        return photo_id
    base = os.path.basename(ref)
    rows = s.execute(select(File.photo_id, File.path).where(File.path.endswith(os.sep + base, autoescape=True))).all()
    ids = {pid for pid, _ in rows if pid is not None}
    if len(ids) == 1:
        return ids.pop()
    if len(ids) > 1:
        listing = "\n  ".join(sorted(p for _, p in rows)[:10])
        raise LibraryError(f"several photos are named {base!r}; give the full path:\n  {listing}")
    raise LibraryError(f"no photo {ref!r} in the library (scan its folder first)")


def _is_in(s: Session, q: Question) -> Answer:
    photo_id = resolve_photo(s, q.photo or "")
    photo = s.get(Photo, photo_id)
    if photo.error:
        raise LibraryError(f"{q.photo} could not be analysed: {photo.error}")
    [answer] = _photo_answers(s, {photo_id}) or [PhotoAnswer(q.photo or "", [], {})]
    w, h = photo.width or 1, photo.height or 1
    parts = []
    for name in q.include:
        if name in answer.regions:
            parts.append(f"yes, {show(name)} is in {answer.path} ({describe(tuple(answer.regions[name]), w, h)})")
        else:
            parts.append(f"no, {show(name)} is not in {answer.path}")
    present = [n for n in q.include if n in answer.regions]
    return Answer("; ".join(parts), [answer] if present else [])


def _who(s: Session, q: Question) -> Answer:
    photo_id = resolve_photo(s, q.photo or "")
    photo = s.get(Photo, photo_id)
    if photo.error:
        raise LibraryError(f"{q.photo} could not be analysed: {photo.error}")
    [answer] = _photo_answers(s, {photo_id})
    return Answer(f"{answer.path}: {photo.caption}", [answer])
