"""The words of answers: who, when and where a question selected, and what was left out."""

from __future__ import annotations

from datetime import date

from plvm_photos.ask.query import AllOf, AllPlaces, AllTimes, AnyOf, AnyPlace, DayPart, Faces, Weekdays, Nobody, NoDate, NoOne, NoPlace, Not, NotPlace, Only, Person, Strangers
from plvm_photos.names import show

BE_WORDS = frozenset(["is", "are", "was", "were", "be", "being"])


def plural(n: int, word: str = "photo") -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def counted(n: int, videos: int = 0) -> str:
    """"3 photos", "1 video", "5 photos and videos": what a list of ``n`` items holds, of which
    ``videos`` are videos."""
    if not videos or not n:
        return plural(n)
    return plural(n, "video") if videos == n else f"{n} photos and videos"


def counted_items(items) -> str:
    """``counted`` for a list of ``PhotoAnswer``."""
    return counted(len(items), sum(1 for item in items if item.kind == "video"))


def names_joined(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def names_text(names: list[str], joiner: str = "and") -> str:
    shown = [show(n) for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


def _expr(expr, display) -> str:
    """``expr`` in words, names in their display form (``display(name)``)."""
    if isinstance(expr, (Nobody, NoOne, Strangers, Faces)):
        return expr.describe()
    if isinstance(expr, Person):
        return show(display(expr.name))
    if isinstance(expr, Not):
        return f"not {_operand(expr.item, display)}"
    if isinstance(expr, Only):
        return "only " + names_text([display(p.name) for p in expr.items])
    word = "and" if isinstance(expr, AllOf) else "or"
    parts = [_operand(item, display) for item in expr.items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _operand(expr, display) -> str:
    text = _expr(expr, display)
    return f"({text})" if isinstance(expr, (AllOf, AnyOf)) and len(expr.items) > 1 else text


def people_phrase(expr, display) -> str:
    """"with <a> and <b>", "with <a> or <b>", "with <a> but not <b> or <c>", "without <a>",
    "with only <a> and <b>", or "" for no people."""
    if expr is None:
        return ""
    if isinstance(expr, Not):
        return f"without {_exclusion(expr.item, display)}"
    if isinstance(expr, AllOf) and any(isinstance(item, Not) for item in expr.items):
        kept = [item for item in expr.items if not isinstance(item, Not)]
        dropped = [item.item for item in expr.items if isinstance(item, Not)]
        excluded = _exclusion(dropped[0] if len(dropped) == 1 else AnyOf(tuple(dropped)), display)
        if not kept:
            return f"without {excluded}"
        head = kept[0] if len(kept) == 1 else AllOf(tuple(kept))
        return f"with {_expr(head, display)} but not {excluded}"
    return f"with {_expr(expr, display)}"


def _exclusion(expr, display) -> str:
    """People excluded: "<a>", "<a> or <b>" (either is excluded)."""
    if isinstance(expr, AnyOf):
        return " or ".join(_operand(item, display) for item in expr.items)
    return _operand(expr, display)


def time_phrase(time) -> str:
    """"taken in July 2019", "taken on 14 July 2019", "taken from 2018 to 2020 (2018–2020)",
    "taken last summer (June–August 2024; ...)", "taken before March 2021 (...)"."""
    if time is None:
        return ""
    if isinstance(time, NoDate):
        return "without a date"
    if isinstance(time, AllTimes):  # "taken in 2019 and in the morning (...)"
        return "taken " + " and ".join(time_phrase(item).removeprefix("taken ") for item in time.items)
    if isinstance(time, (DayPart, Weekdays)):
        return f"taken {time.describe()}"
    text = time.describe()
    head = text.split(" (", 1)[0]
    first = head.split(" ", 1)[0]
    if " to " in head:
        return f"taken from {text}"
    if head.endswith(" ago"):
        return f"taken {text}"
    if first.isdigit() and len(first) <= 2:
        return f"taken on {text}"
    if (first.isdigit() and len(first) == 4) or first in _MONTHS or first.lower() in _IN_WORDS:
        return f"taken in {text}"
    return f"taken {text}"


_MONTHS = frozenset(["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                     "November", "December"])
_IN_WORDS = frozenset(["spring", "summer", "autumn", "fall", "winter", "the"])


def place_phrase(place) -> str:
    """"in Paris (Île-de-France, France)", "within 50 km of Tokyo (Japan)", "in Paris or in
    Sydney", "not in Paris", "without a location"."""
    if place is None:
        return ""
    if isinstance(place, NoPlace):
        return "without a location"
    if isinstance(place, AnyPlace):
        return " or ".join(place_phrase(item) for item in place.items)
    if isinstance(place, AllPlaces):
        return " but ".join(place_phrase(item) for item in place.items)
    if isinstance(place, NotPlace):
        return "with a location" if isinstance(place.item, NoPlace) else "not " + place_phrase(place.item)
    if place.relation == "near":
        return f"within {place.radius_km:g} km of {place.place.describe()}"
    return f"in {place.place.describe()}"


def media_phrase(media: str | None) -> str:
    """"(videos only)", "(photos only)": what a ranking or a date counted over."""
    return f"({media}s only)" if media else ""


def selection_phrase(query, display) -> str:
    """Everything the filters ask, e.g. "with <a> or <b> taken in 2019 in Paris (...)"."""
    parts = [people_phrase(query.people, display), time_phrase(query.time), place_phrase(query.place)]
    return " ".join(part for part in parts if part)


def left_out_note(query, no_date: int, no_position: int, left_out: int, has_dates: bool, has_positions: bool,
                  unread: int) -> str:
    """Why photos that might match were not considered, e.g. "3 photos have no date and were not
    considered"; "" when none were."""
    notes = []
    if query.time is not None and not has_dates:
        notes.append("no photo in the library has a date yet (dates come from the camera's EXIF data)")
    if query.place is not None and not has_positions:
        notes.append("no photo in the library has a GPS position yet")
    if left_out and not notes:
        if query.time is not None and query.place is not None and no_date and no_position:
            what = "no date or no GPS position"
        elif no_date:
            what = "no date"
        else:
            what = "no GPS position"
        verb = "has" if left_out == 1 else "have"
        notes.append(f"{plural(left_out)} {verb} {what} and {'was' if left_out == 1 else 'were'} not considered")
    if unread and (query.time is not None or query.place is not None):
        notes.append(f"{plural(unread)} {'was' if unread == 1 else 'were'} scanned before dates and places were read: "
                     "scan their folders again to read them")
    return "; ".join(notes)


def within_note(within: list[tuple[str, list[str]]]) -> str:
    """"Pasadena and Santa Monica, within Los Angeles, included": the places a city asked for took in."""
    return "; ".join(f"{names_joined(names)}, within {city}, included" for city, names in within)


def placed(side: str) -> str:
    """A side with its preposition: "on the left", "in the middle", "at the top right"."""
    if side.startswith(("top", "bottom")):
        return f"at the {side}"
    if side in ("middle", "center"):
        return f"in the {side}"
    return f"on the {side}"


def unseen_words(action: str) -> str:
    """The action as the face engine's note names it: "are talking" -> "talking"."""
    words = action.split()
    while words and words[0].lower() in BE_WORDS:
        words = words[1:]
    return " ".join(words) or action


def ago(day: date, today: date) -> str:
    """"today", "yesterday", "12 days ago", "4 months ago", "3 years ago" (whole ones, down)."""
    days = (today - day).days
    if days < 0:
        return "after today (the camera's clock?)"
    if days < 2:
        return ("today", "yesterday")[days]
    if days < 60:
        return f"{days} days ago"
    months = (today.year - day.year) * 12 + today.month - day.month - (today.day < day.day)
    return f"{months} months ago" if months < 24 else f"{months // 12} years ago"
