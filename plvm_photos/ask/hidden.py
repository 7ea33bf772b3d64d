"""Hidden people (``concepts.hidden``) are recognised but left out of the photos an answer lists,
unless the question names them."""

from __future__ import annotations

from dataclasses import replace

from plvm_photos.ask.reader import Reader
from plvm_photos.ask.results import Answer
from plvm_photos.names import normalize


def without_hidden(db: Reader, answer: Answer, asked: tuple[str, ...]) -> Answer:
    if not answer.photos:
        return answer
    keys = {normalize(name) for name in asked}
    hidden = {display for display, key in db.rows("SELECT concepts.display, concepts.name FROM concepts "
                                                  "WHERE concepts.hidden = ?", [True]) if key not in keys}
    if not hidden:
        return answer
    photos = [replace(p, people=[n for n in p.people if n not in hidden],
                      regions={n: box for n, box in p.regions.items() if n not in hidden}) for p in answer.photos]
    return replace(answer, photos=photos)
