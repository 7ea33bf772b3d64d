"""Questions about one photo: who is in it, is someone in it, where, which face, who is beside.

Positions are the viewer's, relative to the other people in that photo (``sides.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plvm_photos.ask import sides
from plvm_photos.ask.photos import PhotoRow, face_boxes, photo_answers, photo_rows
from plvm_photos.ask.query import AllOf, AnyOf, Not, Only, Person, QuestionError, people_matches
from plvm_photos.ask.reader import Reader
from plvm_photos.ask.results import Answer, PhotoAnswer
from plvm_photos.ask.selection import People
from plvm_photos.ask.wording import ago
from plvm_photos.errors import LibraryError
from plvm_photos.names import normalize, show
from plvm_photos.ask.wording import names_text, placed


@dataclass(frozen=True)
class ThePhoto:
    row: PhotoRow  # its path is the file the question named (not another copy's)
    answer: PhotoAnswer  # who is recognised where (display names)
    faces: list[tuple[int, int, int, int]]  # every face, for positions relative to the others
    copies: tuple[str, ...] = ()  # the other present files of the same photo (exact copies)

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

    @property
    def path(self) -> str:
        return self.row.path

    def copies_note(self) -> str:
        if not self.copies:
            return ""
        return f" (an exact copy of {self.copies[0]}{f' and {len(self.copies) - 1} more' if len(self.copies) > 1 else ''})"


def load_photo(db: Reader, query, ref=None) -> ThePhoto:
    """The photo ``ref`` (default: the question's first) names, with its own file's path."""
    from dataclasses import replace

    from plvm_photos.ask.photo_ref import resolve_ref_file
    from plvm_photos.fsnames import from_db

    ref = ref or query.photo
    if query.time is not None or query.place is not None:
        raise QuestionError(query.text, "a question about one photo cannot also give a time or a place",
                            f"who is in {ref.written}?", text=query.text)
    photo_id, own_path = resolve_ref_file(db, ref)
    error = db.value("SELECT photos.error FROM photos WHERE photos.id = ?", [photo_id])
    if error:
        raise LibraryError(f"{ref.ref} could not be analysed: {error}")
    rows = photo_rows(db, [photo_id])
    if photo_id not in rows:
        raise LibraryError(f"no file of photo {ref.ref} is in the library")
    row = rows[photo_id]
    # an item's companions (a RAW+JPEG pair's RAW, a Live Photo's movie) are no copies of the photo
    files = [(from_db(p), role) for p, role in db.rows("SELECT files.path, files.role FROM files WHERE files.photo_id = ? "
                                                       "AND files.missing = ? ORDER BY files.id", [photo_id, False])]
    own_role = next((role for p, role in files if p == (own_path or row.path)), None)
    present = [p for p, role in files if role is None and own_role is None]
    if own_path is not None and own_path != row.path:
        row = replace(row, path=own_path)
    [answer] = photo_answers(db, [photo_id], rows)
    answer = replace(answer, path=row.path)
    copies = tuple(sorted(p for p in present if p != row.path))
    return ThePhoto(row, answer, face_boxes(db, photo_id), copies)


def photos_of(db: Reader, query) -> list[ThePhoto]:
    """Every photo the question names, in its order."""
    return [load_photo(db, query, ref) for ref in (query.photos or (query.photo,))]


def who(db: Reader, query, people: People) -> Answer:
    """Who is in each photo named; "who else is in beach.jpg besides <a>": everyone but <a>."""
    photos = photos_of(db, query)
    if query.people is not None:  # only people left out (``refusals.check_query``)
        besides = {people.get(name).display for name in query.people.names()}
        lines = [f"{photo.path}: {_others_text(photo, besides)}" for photo in photos]
        return Answer("\n".join(lines), [photo.answer for photo in photos])
    lines = [f"{photo.path}{_length_note(photo)}{photo.copies_note()}: {_who_text(photo)}" for photo in photos]
    return Answer("\n".join(lines), [photo.answer for photo in photos])


def _others_text(photo: ThePhoto, besides: set[str]) -> str:
    named = [n for n in photo.answer.people if n not in besides]
    unknown = max(0, len(photo.faces) - len([n for n in photo.answer.people if photo.box_of(n)]))
    parts = [names_text(named)] if named else []
    if unknown:
        parts.append(f"{unknown} {'person' if unknown == 1 else 'people'} you have not named")
    others = " and ".join(parts) or "nobody else"
    return f"{others} (besides {names_text(sorted(besides & set(photo.answer.people)) or sorted(besides))})"


def _who_text(photo: ThePhoto) -> str:
    if photo.answer.kind == "video":  # who is seen when, in the order they first appear
        return _who_in_video(photo)
    named = photo.answer.people
    unknown = max(0, len(photo.faces) - len([n for n in named if photo.box_of(n)]))
    if not named and not unknown:
        return "nobody (no face found)"
    parts = [names_text(named)] if named else []
    if unknown:
        parts.append(f"{unknown} {'person' if unknown == 1 else 'people'} you have not named")
    return " and ".join(parts) if not named else (photo.row.caption or " and ".join(parts))


def _length_note(photo: ThePhoto) -> str:
    if photo.answer.kind != "video":
        return ""
    from plvm_photos.media.times import clock

    return f" ({clock(photo.row.duration)} video)" if photo.row.duration else " (video)"


def _who_in_video(photo: ThePhoto) -> str:
    seen = sorted(photo.answer.people, key=lambda n: (photo.answer.segments.get(n) or [[0.0]])[0][0])
    return "; ".join(f"{show(name)}{photo.answer.times([name])}" for name in seen) or "nobody recognised"


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
    return expr  # Nobody, Strangers


def is_in(db: Reader, query, people: People) -> Answer:
    """"Yes, <a> is in PATH (left)" / "No, <a> is not in PATH"; for an expression over several
    people, "Yes: in PATH, <a> is there (left); <b> is not". For several photos ("in a.jpg or
    b.jpg"): whether it holds in any, then each photo's answer."""
    photos = photos_of(db, query)
    if len(photos) == 1:
        return _is_in_one(photos[0], query, people)
    answers = [_is_in_one(photo, query, people) for photo in photos]
    holding = [photo.path for photo, answer in zip(photos, answers) if answer.answer.startswith("Yes")]
    head = f"Yes, in {names_text(holding, 'and')}" if holding else "No, in none of them"
    head = head.replace("<", "").replace(">", "") if holding else head
    return Answer(head + ": " + "; ".join(a.answer for a in answers), [p for a in answers for p in a.photos])


def _is_in_one(photo: ThePhoto, query, people: People) -> Answer:
    path, expr = photo.row.path, query.people
    strangers = max(0, len(photo.faces) - len([n for n in photo.answer.people if photo.box_of(n)]))
    holds = people_matches(_keyed(expr), _present_keys(photo), strangers)
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


# --- positions, relations, when and where a photo was taken -----------------------------------
def _columns(photo: ThePhoto) -> list[list]:
    boxes = list(photo.faces)
    for name in photo.answer.people:
        box = photo.box_of(name)
        if box is not None and box not in boxes:
            boxes.append(box)
    return sides.columns(boxes)


def _at_position(columns: list[list], position: str) -> list:
    """The boxes at ``position`` ("left", "far right", "middle", "top", "bottom", ...)."""
    if not columns:
        return []
    n = len(columns)
    if position in ("left", "far left"):
        return columns[0]
    if position in ("right", "far right"):
        return columns[-1]
    if position == "middle":
        return columns[n // 2] if n % 2 == 1 else []
    if position in ("top", "back"):
        return [column[0] for column in columns if len(column) > 1]
    if position in ("bottom", "front"):
        return [column[-1] for column in columns if len(column) > 1]
    return []


def _label(photo: ThePhoto, box) -> str:
    name = photo.who_at(box)
    return show(name) if name else "someone you have not named"


def who_at(db: Reader, query, people: People) -> Answer:
    """"<b> is on the far right in PATH (of 4 people)"."""
    photo = load_photo(db, query)
    columns = _columns(photo)
    found = _at_position(columns, query.position)
    among = _among(photo)
    where = placed(query.position)
    if not found:
        why = "an even number of people stand in a row" if query.position == "middle" and columns else "nobody is there"
        return Answer(f"nobody is {where} in {photo.path} ({why}; {among})", [photo.answer])
    labels = [_label(photo, box) for box in found]
    verb = "is" if len(labels) == 1 else "are"
    return Answer(f"{_joined(labels)} {verb} {where} in {photo.path} ({among})", [photo.answer])


def _joined(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def is_at(db: Reader, query, people: People) -> Answer:
    """"Yes, <a> is on the left in PATH (far left of 4)"."""
    photo = load_photo(db, query)
    display = people.get(query.people.names()[0]).display
    box = photo.box_of(display)
    if box is None:
        return Answer(f"No, {show(display)} is not in {photo.path}", [photo.answer])
    columns = _columns(photo)
    index = next(i for i, column in enumerate(columns) if box in column)
    n = len(columns)
    position = query.position
    holds = {
        "far left": index == 0, "left": index < n / 2 - 0.25 if n > 1 else False,
        "far right": index == n - 1, "right": index > (n - 1) / 2 + 0.25 if n > 1 else False,
        "middle": n % 2 == 1 and index == n // 2 and n > 1,
    }.get(position)
    side = photo.side_of(display)
    if holds is None:
        column = next(column for column in columns if box in column)
        holds = len(column) > 1 and ((position in ("top", "back") and column[0] == box) or (position in ("bottom", "front") and column[-1] == box))
    return Answer(f"{'Yes' if holds else 'No'}, {show(display)} is {placed(side)} in {photo.path} ({_among(photo)})",
                  [photo.answer] if holds else [])


def related(db: Reader, query, people: People) -> Answer:
    """"Yes, <a> is next to <b> in PATH" for two named people."""
    photo = load_photo(db, query)
    first, second = [people.get(name).display for name in list(dict.fromkeys(query.names()))[:2]]
    a, b = photo.box_of(first), photo.box_of(second)
    missing = [show(name) for name, box in ((first, a), (second, b)) if box is None]
    words = RELATION_WORDS[query.relation]
    if missing:
        return Answer(f"No, {names_text([m.strip('<>') for m in missing])} {'is' if len(missing) == 1 else 'are'} not in {photo.path}",
                      [photo.answer])
    faces = photo.faces if a in photo.faces and b in photo.faces else list(dict.fromkeys([*photo.faces, a, b]))
    holds = a in RELATION_FINDERS[query.relation](b, faces)
    if query.relation in ("left", "right"):
        holds = (a[0] + a[2]) < (b[0] + b[2]) if query.relation == "left" else (a[0] + a[2]) > (b[0] + b[2])
    return Answer(f"{'Yes' if holds else 'No'}, {show(first)} is {'' if holds else 'not '}{words} {show(second)} in {photo.path} "
                  f"({show(first)} {placed(photo.side_of(first))}, {show(second)} {placed(photo.side_of(second))})",
                  [photo.answer] if holds else [])


def photo_when(db: Reader, query, people: People) -> Answer:
    lines = []
    photos = photos_of(db, query)
    for photo in photos:
        taken = photo.answer.taken
        if taken is None:
            lines.append(f"{photo.path} has no date from the camera (its EXIF data has none)")
        else:
            since = f" ({ago(date.fromisoformat(taken[:10]), query.today)})" if query.today else ""
            lines.append(f"{photo.path} was taken on {_day_text(taken)} at {taken[11:16]}{since}{photo.copies_note()}")
    return Answer("\n".join(lines), [photo.answer for photo in photos])


def _day_text(taken: str) -> str:
    year, month, day = int(taken[:4]), int(taken[5:7]), int(taken[8:10])
    return f"{day} {MONTH_NAMES[month - 1]} {year}"


MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]


def photo_where(db: Reader, query, people: People) -> Answer:
    lines = []
    photos = photos_of(db, query)
    for photo in photos:
        lat, lon = db.rows("SELECT photos.lat, photos.lon FROM photos WHERE photos.id = ?", [photo.row.id])[0]
        if lat is None:
            lines.append(f"{photo.path} has no GPS position (its EXIF data has none)")
        else:
            place = photo.answer.place or "an unlisted place"
            lines.append(f"{photo.path} was taken in {place} ({lat:.4f}, {lon:.4f}){photo.copies_note()}")
    return Answer("\n".join(lines), [photo.answer for photo in photos])


def people_in_photo(db: Reader, query, people: People) -> Answer:
    """"3 people in PATH: <a>, <b> and 1 person you have not named"."""
    lines = []
    photos = photos_of(db, query)
    for photo in photos:
        boxes = {tuple(b) for b in photo.faces}
        named = photo.answer.people
        boxes |= {photo.box_of(n) for n in named if photo.box_of(n)}
        unknown = len(boxes) - len([n for n in named if photo.box_of(n)])
        total = len(boxes) + len([n for n in named if not photo.box_of(n)])
        who = [show(n) for n in named] + ([f"{unknown} {'person' if unknown == 1 else 'people'} you have not named"] if unknown else [])
        word = "person" if total == 1 else "people"
        lines.append(f"{total} {word} in {photo.path}" + (f": {_joined(who)}" if who else ""))
    return Answer("\n".join(lines), [photo.answer for photo in photos])
