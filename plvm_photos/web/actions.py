"""What the gallery's forms do: one function per ``POST /action/NAME`` (each a row of the route
table, ``routes.py``), each a thin call of the ``Library`` method the CLI calls. The guard has
already checked the origin, the session and its CSRF token, and the bounded body was read; here
the fields are checked (every id a bounded integer, at most ``MAX_REGIONS`` faces at once) and the
action run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plvm_photos.errors import LibraryError, UnknownPersonError
from plvm_photos.library import MARK_WORDS, Library

MAX_ID = 10**12
DIGITS = re.compile(r"[0-9]{1,12}")
MAX_REGIONS = 5000


class BadForm(LibraryError):
    """A form field missing or malformed (answered 400)."""


@dataclass(frozen=True)
class Done:
    message: str
    next: str | None = None  # where to go now (None: back where the form was)


Form = dict[str, list[str]]


def text(form: Form, name: str, required: bool = True) -> str:
    values = form.get(name) or [""]
    if len(values) != 1:
        raise BadForm(f"the field {name!r} was sent {len(values)} times")
    value = values[0].strip()
    if required and not value:
        raise BadForm(f"the field {name!r} is empty")
    return value


def number(form: Form, name: str, required: bool = True) -> int | None:
    value = text(form, name, required)
    if not value and not required:
        return None
    if not DIGITS.fullmatch(value):
        raise BadForm(f"the field {name!r} must be a whole number from 0 to {MAX_ID}")
    return int(value)


def ids(form: Form, name: str) -> list[int]:
    values = form.get(name) or []
    if not values or len(values) > MAX_REGIONS:
        raise BadForm(f"give 1 to {MAX_REGIONS} values of {name!r}")
    return [number({name: [v]}, name) for v in values]


def _person_page(library: Library, name: str) -> str | None:
    try:
        return f"/person/{library.find_person(name).id}"
    except UnknownPersonError:
        return None


# --- the actions ------------------------------------------------------------------------------------
def name_action(library: Library, form: Form) -> Done:
    r = library.name_faces(ids(form, "region"), text(form, "name"))
    new = " (a new person)" if r.created else ""
    return Done(f"named {r.faces} face(s) <{r.person}>{new}: in {r.photos} photo(s) now")


def faces_action(library: Library, form: Form) -> Done:
    """The unknown-faces grid: the faces chosen (``region``, many) named (``op=name`` with ``name``),
    marked not a face or hidden, or (the hidden faces' grid) shown again (``op=unmark``), in one
    action (one undo)."""
    if not form.get("region"):
        raise LibraryError("choose one or more faces first")
    regions, op = ids(form, "region"), text(form, "op")
    if op == "name":
        if not text(form, "name", required=False):
            raise LibraryError("type the name of the faces chosen, then press Name")
        return name_action(library, form)
    if op == "unmark":
        r = library.mark_faces(regions, None)
        return Done(f"{r.faces} face(s) shown again among the unknown faces: Undo hides them again")
    if op not in ("not_a_face", "hidden"):
        raise BadForm("the field 'op' must be name, not_a_face, hidden or unmark")
    r = library.mark_faces(regions, op)
    return Done(f"{r.faces} face(s) marked {MARK_WORDS[op]}: Undo brings them back")


def pairs(form: Form, name: str) -> list[tuple[int, int]]:
    """``REGION:PERSON`` values (both ids) of a many-valued field."""
    values = form.get(name) or []
    if not values or len(values) > MAX_REGIONS:
        raise BadForm(f"give 1 to {MAX_REGIONS} values of {name!r}")
    out = []
    for value in values:
        region, _, person = value.partition(":")
        if not (DIGITS.fullmatch(region) and DIGITS.fullmatch(person)):
            raise BadForm(f"each {name!r} is REGION:PERSON, two whole numbers")
        out.append((int(region), int(person)))
    return out


def suggestions_action(library: Library, form: Form) -> Done:
    """The suggestions grid: the ones chosen (``pick``, many) accepted (``op=yes``) or refused
    (``op=no``) in one action (one undo)."""
    if not form.get("pick"):
        raise LibraryError("choose one or more faces first")
    chosen, op = pairs(form, "pick"), text(form, "op")
    if op not in ("yes", "no"):
        raise BadForm("the field 'op' must be yes or no")
    r = library.answer_suggestions(chosen if op == "yes" else [], chosen if op == "no" else [])
    people = ", ".join(f"<{n}>" for n in r.people)
    if op == "yes":
        return Done(f"accepted {r.accepted} suggestion(s): {people}")
    return Done(f"refused {r.refused} suggestion(s): remembered that they are not {people}")


def reject_action(library: Library, form: Form) -> Done:
    r = library.reject_face(number(form, "photo"), text(form, "person"), number(form, "region", required=False))
    return Done(f"remembered: <{r.person}> is not {'this face' if r.region_id else 'in this photo'}")


def draw_action(library: Library, form: Form) -> Done:
    box = tuple(number(form, k) for k in ("left", "top", "right", "bottom"))
    r = library.draw_face(number(form, "photo"), box, text(form, "name"))
    return Done(f"added a face of <{r.person}>: in {r.photos} photo(s) now")


def merge_action(library: Library, form: Form) -> Done:
    r = library.merge_people(text(form, "keep"), text(form, "other"))
    return Done(f"merged <{r.merged}> into <{r.person}>: in {r.photos} photo(s) now", _person_page(library, r.person))


def rename_action(library: Library, form: Form) -> Done:
    old, new = text(form, "person"), text(form, "name")
    changed = library.rename_person(old, new)
    return Done(f"renamed <{old}> to <{new}>" if changed else "nothing to change", _person_page(library, new))


def hide_action(library: Library, form: Form) -> Done:
    person, hidden = text(form, "person"), text(form, "hidden") == "1"
    library.hide_person(person, hidden)
    return Done(f"<{person}> is hidden: still recognised, not listed" if hidden else f"<{person}> is listed again")


def remove_action(library: Library, form: Form) -> Done:
    person = text(form, "person")
    photos = library.remove_person(person)
    return Done(f"removed <{person}> ({photos} photo(s) decided again); Undo brings them back", "/")


def reference_action(library: Library, form: Form) -> Done:
    r = library.set_reference(text(form, "person"), number(form, "region"), replace=text(form, "replace", False) == "1")
    return Done(f"<{r.person}> has {r.references} reference photo(s) now: in {r.photos} photo(s)")


def undo_action(library: Library, form: Form) -> Done:
    r = library.undo(number(form, "entry"))
    return Done(f"undone: {r.summary}")


def redo_action(library: Library, form: Form) -> Done:
    r = library.redo(number(form, "entry"))
    return Done(f"redone: {r.summary}")

