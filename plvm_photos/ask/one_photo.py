"""Questions about one photo: who is in it, is someone in it, where, which face, who is beside.

Positions are the viewer's, relative to the other people in that photo (``sides.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask import sides
from plvm_photos.ask.photo_ref import resolve_photo
from plvm_photos.ask.photos import PhotoRow, face_boxes, photo_answers, photo_rows
from plvm_photos.ask.query import AllOf, AnyOf, Not, Only, Person, QuestionError, people_matches
from plvm_photos.ask.reader import Reader
from plvm_photos.ask.results import Answer, PhotoAnswer
from plvm_photos.ask.selection import People
from plvm_photos.errors import LibraryError
from plvm_photos.names import normalize, show
from plvm_photos.ask.wording import names_text, placed


@dataclass(frozen=True)
class ThePhoto:
    row: PhotoRow
    answer: PhotoAnswer  # who is recognised where (display names)
    faces: list[tuple[int, int, int, int]]  # every face, for positions relative to the others

    def box_of(self, display: str) -> tuple[int, int, int, int] | None:
        box = self.answer.regions.get(display)
        return tuple(box) if box else None

    def side_of(self, display: str) -> str | None:
        box = self.box_of(display)
        if box is None:
            return None
        faces = self.faces if box in self.faces else [*self.faces, box]
        return sides.side(box, faces, self.row.width, self.row.height)

    def who_at(self, box) -> str | None:
        return next((name for name, found in self.answer.regions.items() if found and tuple(found) == box), None)


def load_photo(db: Reader, query) -> ThePhoto:
    if query.time is not None or query.place is not None:
        raise QuestionError(query.text, "a question about one photo cannot also give a time or a place",
                            f"who is in {query.photo.ref}?", text=query.text)
    photo_id = resolve_photo(db, query.photo.ref if query.photo.photo_id is None else f"#{query.photo.photo_id}")
    error = db.value("SELECT photos.error FROM photos WHERE photos.id = ?", [photo_id])
    if error:
        raise LibraryError(f"{query.photo.ref} could not be analysed: {error}")
    rows = photo_rows(db, [photo_id])
    if photo_id not in rows:
        raise LibraryError(f"no file of photo {query.photo.ref} is in the library")
    [answer] = photo_answers(db, [photo_id], rows)
    return ThePhoto(rows[photo_id], answer, face_boxes(db, photo_id))


def who(db: Reader, query, people: People) -> Answer:
    photo = load_photo(db, query)
    if photo.answer.kind == "video":  # who is seen when, in the order they first appear
        from plvm_photos.media.times import clock

        seen = sorted(photo.answer.people, key=lambda n: (photo.answer.segments.get(n) or [[0.0]])[0][0])
        text = "; ".join(f"{show(name)}{photo.answer.times([name])}" for name in seen) or "nobody recognised"
        length = f" ({clock(photo.row.duration)} video)" if photo.row.duration else " (video)"
        return Answer(f"{photo.row.path}{length}: {text}", [photo.answer])
    return Answer(f"{photo.row.path}: {photo.row.caption}", [photo.answer])


def _present_keys(photo: ThePhoto) -> set[str]:
    return {normalize(name) for name in photo.answer.people}


def _keyed(expr):
    """``expr`` with its names as keys, for ``people_matches``."""
    from dataclasses import replace

    if isinstance(expr, Person):
        return Person(normalize(expr.name))
    if isinstance(expr, Not):
        return Not(_keyed(expr.item))
    if isinstance(expr, (AllOf, AnyOf, Only)):
        return replace(expr, items=tuple(_keyed(item) for item in expr.items))
    raise TypeError(expr)


def is_in(db: Reader, query, people: People) -> Answer:
    """"Yes, <a> is in PATH (left)" / "No, <a> is not in PATH"; for an expression over several
    people, "Yes: in PATH, <a> is there (left); <b> is not"."""
    photo = load_photo(db, query)
    path, expr = photo.row.path, query.people
    holds = people_matches(_keyed(expr), _present_keys(photo))
    names = list(dict.fromkeys(people.get(name).display for name in expr.names()))
    if isinstance(expr, Person):
        side = photo.side_of(names[0])
        text = f"Yes, {show(names[0])} is in {path}" + (f" ({side})" if side else "") if holds else f"No, {show(names[0])} is not in {path}"
        return Answer(text, [photo.answer] if holds else [])
    parts = [(f"{show(n)} is there" + (f" ({photo.side_of(n)})" if photo.box_of(n) else "")) if n in photo.answer.regions
             else f"{show(n)} is not" for n in names]
    others = [n for n in photo.answer.people if n not in names]
    if isinstance(expr, Only):
        parts.append(f"also {names_text(others)}" if others else "nobody else is recognised")
    return Answer(f"{'Yes' if holds else 'No'}: in {path}, " + "; ".join(parts), [photo.answer] if holds else [])


def where_in(db: Reader, query, people: People) -> Answer:
    """"<a> is on the left in PATH (of 2 people)"."""
    photo = load_photo(db, query)
    path = photo.row.path
    lines = []
    for name in dict.fromkeys(query.people.names()):
        display = people.get(name).display
        side = photo.side_of(display)
        if side is None:
            lines.append(f"{show(display)} is not in {path}")
        else:
            lines.append(f"{show(display)} is {placed(side)} in {path} ({_among(photo)}) {list(photo.box_of(display))}")
    return Answer("; ".join(lines), [photo.answer])


def _among(photo: ThePhoto) -> str:
    n = len(photo.faces)
    return "the only person in it" if n <= 1 else f"among {n} people"


def which(db: Reader, query, people: People) -> Answer:
    """"<a> is the person on the right in PATH (face 2 of 2 from the left)"."""
    photo = load_photo(db, query)
    display = people.get(query.people.names()[0]).display
    box = photo.box_of(display)
    if box is None:
        return Answer(f"{show(display)} is not in {photo.row.path}", [photo.answer])
    ordered = sorted(photo.faces if box in photo.faces else [*photo.faces, box], key=lambda b: (b[0] + b[2]) / 2)
    side = photo.side_of(display)
    return Answer(f"{show(display)} is the person {placed(side)} in {photo.row.path} "
                  f"(face {ordered.index(box) + 1} of {len(ordered)} from the left) {list(box)}", [photo.answer])


RELATION_WORDS = {"left": "left of", "right": "right of", "next": "next to"}
RELATION_FINDERS = {"left": sides.left_of, "right": sides.right_of, "next": sides.next_to}


def relative(db: Reader, query, people: People) -> Answer:
    """"<b> is left of <a> in PATH", "nobody recognised is right of <a> in PATH (1 unknown person is)"."""
    photo = load_photo(db, query)
    display = people.get(query.people.names()[0]).display
    path, words = photo.row.path, RELATION_WORDS[query.relation]
    box = photo.box_of(display)
    if box is None:
        return Answer(f"{show(display)} is not in {path}, so nobody is {words} them there", [photo.answer])
    found = RELATION_FINDERS[query.relation](box, photo.faces if box in photo.faces else [*photo.faces, box])
    named = [name for b in found if (name := photo.who_at(b))]
    unknown = len(found) - len(named)
    strangers = f"{unknown} unknown {'person' if unknown == 1 else 'people'}"
    if not named:
        tail = f" ({strangers} {'is' if unknown == 1 else 'are'})" if unknown else ""
        return Answer(f"nobody recognised is {words} {show(display)} in {path}{tail}", [photo.answer])
    verb = "is" if len(named) == 1 and not unknown else "are"
    who_text = names_text(named) if not unknown else ", ".join(show(n) for n in named) + f" and {strangers}"
    return Answer(f"{who_text} {verb} {words} {show(display)} in {path}", [photo.answer])
