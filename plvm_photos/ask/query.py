"""The typed meaning of a question: who, when, where, which photo, and what is asked.

``plvm_photos.ask.parser.parse`` builds a ``Query``; the answering code reads it. Everything here
is a frozen dataclass with ``as_dict()`` for JSON and ``describe()`` for ``ask --explain``.
This module imports only the standard library (and the light ``plvm_photos.errors``): it is on
the path of every ``plvm-photos ask``.

People expressions select photos by the people recognised in them:

- ``Person(name)``: the person is recognised in the photo.
- ``AllOf(items)``: every item holds; ``AnyOf(items)``: at least one holds; ``Not(item)``: it
  does not hold.
- ``Only(items)``: exactly these people are recognised, nobody else recognised (strangers, faces
  of nobody registered, do not count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from plvm_photos.errors import LibraryError
from plvm_photos.places.place import Place, distance_km

INTENTS = ("list", "count", "exists", "where", "which", "who", "who_at", "is_in", "is_at", "relative", "related",
           "photo_when", "photo_where", "people_count", "people", "places", "times", "visual_yes_no", "visual_open",
           "visual_count")
RELATIONS = ("left", "right", "next")
PLACE_LEVELS = ("city", "region", "country", "continent")


class QuestionError(LibraryError, ValueError):
    """A question, or part of one, that cannot be used; ``str()`` is one line for the user (a
    ``LibraryError``: the CLI prints it as one line with exit code 2).

    ``part`` is the piece of the question that could not be used, ``message`` says why, and
    ``suggestion`` is either a corrected question (``corrected`` true: "did you mean ...") or a
    supported form to try.
    """

    def __init__(self, part: str, message: str, suggestion: str | None = None, *, text: str | None = None, corrected: bool = False,
                 plain: bool = False):
        self.part = part
        self.message = message
        self.suggestion = suggestion
        self.text = text  # the whole question, once known
        self.corrected = corrected
        # a correction of misspelt words whose meaning the answer shows (a name, a place, a month, "fotos"):
        # the corrected question is answered, saying so (``parser.parse``), rather than refused
        self.plain = plain
        super().__init__(str(self))

    def with_text(self, text: str) -> QuestionError:
        """The same refusal, quoting the whole question ``text``."""
        return QuestionError(self.part, self.message, self.suggestion, text=text, corrected=self.corrected, plain=self.plain)

    def __str__(self) -> str:
        quoted = self.text if self.text is not None else self.part
        if self.corrected:
            return f'I can\'t read "{quoted}": did you mean "{self.suggestion}"'
        line = f'"{quoted}": {self.message}'
        return f'{line}; try "{self.suggestion}"' if self.suggestion else line


# --- people -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """The person is recognised in the photo."""

    name: str  # the text inside <...>, stripped, as written

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"<{self.name}>"

    def as_dict(self) -> dict:
        return {"person": self.name}


@dataclass(frozen=True)
class AllOf:
    """Every item holds."""

    items: tuple

    def names(self) -> tuple[str, ...]:
        return _names_of(self.items)

    def describe(self) -> str:
        return _join_described(self.items, "and")

    def as_dict(self) -> dict:
        return {"all_of": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple

    def names(self) -> tuple[str, ...]:
        return _names_of(self.items)

    def describe(self) -> str:
        return _join_described(self.items, "or")

    def as_dict(self) -> dict:
        return {"any_of": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: object

    def names(self) -> tuple[str, ...]:
        return self.item.names()

    def describe(self) -> str:
        return f"not {_described_operand(self.item)}"

    def as_dict(self) -> dict:
        return {"not": self.item.as_dict()}


@dataclass(frozen=True)
class Only:
    """Exactly these people are recognised, nobody else recognised."""

    items: tuple  # of Person

    def names(self) -> tuple[str, ...]:
        return _names_of(self.items)

    def describe(self) -> str:
        return "only " + _join_described(self.items, "and") + " (nobody else recognised)"

    def as_dict(self) -> dict:
        return {"only": [item.name for item in self.items]}


@dataclass(frozen=True)
class Nobody:
    """Nobody registered is recognised in the photo (faces of strangers may be there)."""

    def names(self) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        return "nobody you know"

    def as_dict(self) -> dict:
        return {"nobody": True}


@dataclass(frozen=True)
class NoOne:
    """No face at all in the photo ("photos with no people in them"), known or not."""

    def names(self) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        return "no one at all"

    def as_dict(self) -> dict:
        return {"no_one": True}


@dataclass(frozen=True)
class Strangers:
    """At least one face in the photo is not recognised as anyone registered."""

    def names(self) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        return "someone you do not know"

    def as_dict(self) -> dict:
        return {"strangers": True}


@dataclass(frozen=True)
class Faces:
    """The photo has at least ``least`` faces and at most ``most`` (None: no upper bound), known
    or not: "group photos" (3 or more), "photos with 2 people", "<a> with at least two others"."""

    least: int
    most: int | None = None
    label: str = field(default="", compare=False)  # how the question said it ("group photos")

    def names(self) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        if self.most is None:
            count = f"{self.least} or more people"
        elif self.least == self.most:
            count = f"exactly {self.least} {'person' if self.least == 1 else 'people'}"
        elif self.least == 0:
            count = f"at most {self.most} {'person' if self.most == 1 else 'people'}"
        else:
            count = f"{self.least} to {self.most} people"
        return f"{count} in the photo (faces, known or not)"

    def holds(self, faces: int) -> bool:
        return faces >= self.least and (self.most is None or faces <= self.most)

    def as_dict(self) -> dict:
        return {"faces": {"least": self.least, "most": self.most}, "label": self.label}


def _names_of(items) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        seen.update(dict.fromkeys(item.names()))
    return tuple(seen)


def _described_operand(item) -> str:
    text = item.describe()
    return f"({text})" if isinstance(item, (AllOf, AnyOf)) else text


def _join_described(items, word: str) -> str:
    parts = [_described_operand(item) for item in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def people_matches(expr, recognised: set[str], strangers: int = 0) -> bool:
    """Whether a photo whose recognised people are ``recognised`` (and with ``strangers`` faces
    of nobody registered) satisfies ``expr``."""
    if isinstance(expr, Nobody):
        return not recognised
    if isinstance(expr, Strangers):
        return strangers > 0
    if isinstance(expr, NoOne):
        return not recognised and not strangers
    if isinstance(expr, Faces):
        return expr.holds(len(recognised) + strangers)
    if isinstance(expr, Person):
        return expr.name in recognised
    if isinstance(expr, AllOf):
        return all(people_matches(item, recognised, strangers) for item in expr.items)
    if isinstance(expr, AnyOf):
        return any(people_matches(item, recognised, strangers) for item in expr.items)
    if isinstance(expr, Not):
        return not people_matches(expr.item, recognised, strangers)
    if isinstance(expr, Only):
        return recognised == {item.name for item in expr.items}
    raise TypeError(f"not a people expression: {expr!r}")


# --- time ---------------------------------------------------------------------------------------
# Every time filter's ``contains(taken, latitude)`` takes the photo's GPS latitude (None: no
# position); only a season uses it (summer is December–February south of the equator).
@dataclass(frozen=True)
class DateRange:
    """Naive local date-times as the camera recorded them; ``start`` inclusive, ``end``
    exclusive; ``None`` is an open end ("before 2020", "since 2020")."""

    start: datetime | None
    end: datetime | None
    label: str = field(default="", compare=False)  # how the question said it ("summer 2019")

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        return (self.start is None or taken >= self.start) and (self.end is None or taken < self.end)

    def describe(self) -> str:
        span = _describe_span(self.start, self.end)
        return f"{self.label} ({span})" if self.label and self.label != span else span

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "label": self.label,
        }


@dataclass(frozen=True)
class SeasonRange:
    """A season, which falls in different months on each side of the equator: a photo whose GPS
    latitude is below 0 is matched by ``south``, any other photo (north, or no GPS) by ``north``."""

    north: DateRange
    south: DateRange
    label: str = field(default="", compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        side = self.south if latitude is not None and latitude < 0 else self.north
        return side.contains(taken)

    def describe(self) -> str:
        north = _describe_span(self.north.start, self.north.end)
        south = _describe_span(self.south.start, self.south.end)
        return f"{self.label} ({north}; {south} south of the equator)"

    def as_dict(self) -> dict:
        return {"north": self.north.as_dict(), "south": self.south.as_dict(), "label": self.label}


@dataclass(frozen=True)
class EveryYear:
    """The same days of every year ("in August", "on 4 July", "at Christmas" with no year):
    ``start`` to ``end`` (month, day), both included; a span that wraps round the new year ("from
    November to February") holds both ends. ``recent`` is the most recent such span before
    today, for the forms that need one point in time ("before August")."""

    start: tuple[int, int]
    end: tuple[int, int]
    label: str = field(default="", compare=False)
    recent: DateRange | None = field(default=None, compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        day = (taken.month, taken.day)
        if self.start <= self.end:
            return self.start <= day <= self.end
        return day >= self.start or day <= self.end

    def describe(self) -> str:
        return f"{self.label} (every year)"

    def as_dict(self) -> dict:
        return {"every_year": {"from": "%02d-%02d" % self.start, "to": "%02d-%02d" % self.end}, "label": self.label}


@dataclass(frozen=True)
class EveryFeast:
    """A holiday whose date moves from year to year, in every year ("at Easter", "Thanksgiving
    photos" with no year): ``days`` holds its day in each year a camera date can have (from
    ``when.FIRST_YEAR`` to next year). ``recent`` is the most recent one on or before today, for
    the forms that need one point in time ("before Easter")."""

    holiday: str  # "Easter Sunday"
    days: tuple[date, ...]
    label: str = field(default="", compare=False)
    recent: DateRange | None = field(default=None, compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        return taken.date() in self.days

    def describe(self) -> str:
        return f"{self.label} (every year)"

    def as_dict(self) -> dict:
        return {"every_year_on": self.holiday, "label": self.label}


@dataclass(frozen=True)
class EverySeason:
    """A season of every year ("photos from summer", "winter photos"): ``north`` and ``south``
    are the same days of every year on each side of the equator (a photo whose GPS latitude is
    below 0 is matched by ``south``). ``recent`` is the most recent completed one, for the forms
    that need one point in time ("before summer")."""

    north: EveryYear
    south: EveryYear
    label: str = field(default="", compare=False)
    recent: SeasonRange | None = field(default=None, compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        side = self.south if latitude is not None and latitude < 0 else self.north
        return side.contains(taken)

    def describe(self) -> str:
        def months(side: EveryYear) -> str:
            return f"{_MONTHS[side.start[0] - 1]}–{_MONTHS[side.end[0] - 1]}"

        return f"{self.label} of every year ({months(self.north)}; {months(self.south)} south of the equator)"

    def as_dict(self) -> dict:
        return {"north": self.north.as_dict(), "south": self.south.as_dict(), "label": self.label}


@dataclass(frozen=True)
class DayPart:
    """A time of day on any date, by the camera's clock: ``start`` to ``end`` o'clock (``end``
    excluded; a span past midnight, as "at night", wraps)."""

    start: int
    end: int
    label: str = field(default="", compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        if self.start <= self.end:
            return self.start <= taken.hour < self.end
        return taken.hour >= self.start or taken.hour < self.end

    def describe(self) -> str:
        return f"{self.label} ({self.start}:00–{self.end}:00 by the camera's clock)"

    def as_dict(self) -> dict:
        return {"hours": [self.start, self.end], "label": self.label}


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Weekdays:
    """Days of the week on any date (``days``: 0 is Monday ... 6 is Sunday), by the camera's date."""

    days: tuple[int, ...]
    label: str = field(default="", compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        return taken.weekday() in self.days

    def describe(self) -> str:
        names = [_WEEKDAYS[d] + "s" for d in self.days]
        said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        label = self.label.removeprefix("on ")
        return f"{self.label} ({said})" if label and label.lower() != said.lower() else f"on {said}"

    def as_dict(self) -> dict:
        return {"weekdays": list(self.days), "label": self.label}


@dataclass(frozen=True)
class AllTimes:
    """Every one of the times at once: a date and a time of day or day of the week ("in 2019 in
    the morning", "on Saturdays last summer")."""

    items: tuple

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        return all(item.contains(taken, latitude) for item in self.items)

    def describe(self) -> str:
        return ", ".join(item.describe() for item in self.items)

    def as_dict(self) -> dict:
        return {"all_of": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class AnyTime:
    """Any of the ranges ("in 2018 or 2019", "not in 2019": before or after it)."""

    items: tuple  # of DateRange | SeasonRange
    label: str = field(default="", compare=False)

    def contains(self, taken: datetime, latitude: float | None = None) -> bool:
        return any(item.contains(taken, latitude) for item in self.items)

    def describe(self) -> str:
        return " or ".join(item.describe() for item in self.items)

    def as_dict(self) -> dict:
        return {"any_of": [item.as_dict() for item in self.items], "label": self.label}


@dataclass(frozen=True)
class NoDate:
    """The photo has no camera date."""

    label: str = field(default="without a date", compare=False)

    def describe(self) -> str:
        return "without a date"

    def as_dict(self) -> dict:
        return {"no_date": True}


TimeFilter = DateRange | SeasonRange | EveryYear | EveryFeast | EverySeason | DayPart | Weekdays | AnyTime | AllTimes | NoDate

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def _describe_day(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _describe_span(start: datetime | None, end: datetime | None) -> str:
    """Readable span, e.g. "June–August 2024", "1 January 2020 to 31 March 2021", "before 2020"."""
    if start is None and end is None:
        return "any time"
    if start is None:
        return f"before {_describe_day(end)}"
    if end is None:
        return f"from {_describe_day(start)} on"
    last = datetime.fromordinal(end.toordinal() - 1) if end.time() == datetime.min.time() else end
    whole_months = start.day == 1 and start.time() == datetime.min.time() and end.day == 1 and end.time() == datetime.min.time()
    if whole_months:
        first, final = _MONTHS[start.month - 1], _MONTHS[last.month - 1]
        if (start.month, last.month) == (1, 12) and start.year == last.year:
            return str(start.year)
        if (start.year, start.month) == (last.year, last.month):
            return f"{first} {start.year}"
        if start.year == last.year:
            return f"{first}–{final} {start.year}"
        if (start.month, last.month) == (1, 12):
            return f"{start.year}–{last.year}"
        return f"{first} {start.year}–{final} {last.year}"
    if start.toordinal() == last.toordinal():
        return _describe_day(start)
    return f"{_describe_day(start)} to {_describe_day(last)}"


# --- place --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceFilter:
    """Where the photo was taken, from its GPS position and the place it reverse-geocodes to.

    - ``in``: the photo's place (the nearest listed city to its GPS position) is ``place`` or
      lies within it: one of a city's parts (its districts and suburbs, ``places.build_index``),
      in a region, a country, a continent (``Place.contains``). Never a radius: a photo in
      Shinjuku is not in Yokohama.
    - ``near``: the GPS position is within ``radius_km`` of the place (great-circle distance).

    A photo without GPS never matches (answers say how many were left out). ``alternatives`` are
    other places with the same name, most populous first, for ``--explain``.
    """

    relation: str  # in | near
    place: Place
    radius_km: float | None = None
    alternatives: tuple[Place, ...] = field(default=(), compare=False)

    def matches(self, lat: float | None, lon: float | None, photo_place: Place | None = None) -> bool:
        if lat is None or lon is None:
            return False
        if self.relation == "near":
            return self.radius_km is not None and distance_km(lat, lon, self.place.lat, self.place.lon) <= self.radius_km
        if photo_place is None:
            return False
        return self.place.contains(photo_place.geonameid, photo_place.country_code, photo_place.admin1_code)

    def describe(self) -> str:
        if self.relation == "near":
            text = f"within {self.radius_km:g} km of {self.place.describe()}"
        else:
            text = f"in {self.place.describe()}"
        if self.alternatives:
            shown = "; ".join(alt.describe(level=True) for alt in self.alternatives[:3])
            more = len(self.alternatives) - 3
            text += f" [not {shown}{f'; {more} more' if more > 0 else ''}]"
        return text

    def as_dict(self) -> dict:
        return {
            "relation": self.relation,
            "place": {k: v for k, v in self.place.as_dict().items()},
            "radius_km": self.radius_km,
            "alternatives": [alt.describe(level=True) for alt in self.alternatives],
        }


@dataclass(frozen=True)
class AnyPlace:
    """In any of the places ("in Paris or Sydney", "in Paris and Tokyo")."""

    items: tuple

    def describe(self) -> str:
        return " or ".join(item.describe() for item in self.items)

    def as_dict(self) -> dict:
        return {"any_of": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class AllPlaces:
    """In every one of the places at once: "in France but not Paris" (in France, and not in Paris)."""

    items: tuple

    def describe(self) -> str:
        return " and ".join(item.describe() for item in self.items)

    def as_dict(self) -> dict:
        return {"all_of": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class NotPlace:
    """Somewhere known, and not there ("not in Paris", "outside Paris")."""

    item: object

    def describe(self) -> str:
        return "with a location" if isinstance(self.item, NoPlace) else "not " + self.item.describe()

    def as_dict(self) -> dict:
        return {"not": self.item.as_dict()}


@dataclass(frozen=True)
class NoPlace:
    """The photo has no GPS position."""

    def describe(self) -> str:
        return "without a location"

    def as_dict(self) -> dict:
        return {"no_location": True}


# --- the photo a question is about --------------------------------------------------------------
@dataclass(frozen=True)
class PhotoRef:
    """A photo named in the question: a path (absolute, relative, ``~``), a file name, a tail of
    a path ("2019/beach.jpg"), or a photo id ("#123", then ``photo_id`` is set). ``ref`` is the
    text as written, without quotes; ``~`` is not expanded here."""

    ref: str
    photo_id: int | None = None
    stem: bool = False  # written without its suffix ("who is in c03"): any suffix matches
    # the name with the words written right before it ("who is in red carpet.jpg": "red
    # carpet.jpg"), longest first: a file name with spaces, tried before ``ref``
    spaced: tuple[str, ...] = field(default=(), compare=False)

    def describe(self) -> str:
        return f"photo #{self.photo_id}" if self.photo_id is not None else f'"{self.written}"'

    @property
    def written(self) -> str:
        """The name as the question wrote it, with the words before it that may belong to it."""
        return self.spaced[0] if self.spaced else self.ref

    def as_dict(self) -> dict:
        return {"ref": self.ref, "photo_id": self.photo_id, "stem": self.stem, **({"spaced": list(self.spaced)} if self.spaced else {})}


# --- what people do or show ------------------------------------------------------------------------
CUE_KINDS = ("smiling", "not_smiling", "looking_at_camera", "eyes_closed",  # each person named
             "talking", "facing", "next_to", "hugging", "holding_hands")  # between the people named


_CUE_WORDS = {"smiling": "smiling", "not_smiling": "not smiling", "looking_at_camera": "looking at the camera",
              "eyes_closed": "eyes closed", "talking": "talking", "facing": "facing each other",
              "next_to": "next to each other", "hugging": "hugging", "holding_hands": "holding hands"}


@dataclass(frozen=True)
class Cue:
    """Something the named ``people`` do or show in a photo, judged by the face engine from faces
    and bodies (``ask/interactions.py``): "<a> is smiling" is ``Cue("smiling", ("a",))``,
    "<a> and <b> are hugging" ``Cue("hugging", ("a", "b"))``, "<x> not smiling"
    ``Cue("not_smiling", ("x",))``. ``kind`` is one of ``CUE_KINDS``; a pair kind needs two people
    or more and holds between every two of them."""

    kind: str
    people: tuple[str, ...]  # names as in the people expression (the text inside <...>)

    def describe(self, negative: bool = False) -> str:
        """"<a> is smiling", "<a> and <b> are hugging", "<a> has eyes closed"; ``negative``: "<a>
        is not smiling", "<a> and <b> are not hugging"."""
        who = " and ".join(f"<{n}>" for n in self.people)
        many = len(self.people) > 1
        if negative and self.kind == "not_smiling":
            return f"{who} {'are' if many else 'is'} smiling"
        verb = ("have" if many else "has") if self.kind == "eyes_closed" else ("are" if many else "is")
        verb = f"{'do not' if many else 'does not'} have" if negative and self.kind == "eyes_closed" else (
            f"{verb} not" if negative else verb)
        return f"{who} {verb} {_CUE_WORDS[self.kind]}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "people": list(self.people)}


# --- the query ----------------------------------------------------------------------------------
_RELATION_WORDS = {"left": "left of", "right": "right of", "next": "next to"}


@dataclass(frozen=True)
class Query:
    """What a question asks.

    ``intent`` (what is asked):

    - over the photos the filters (``people``, ``time``, ``place``) select: ``list`` (the photos;
      ``order`` first/last and ``limit`` for "the 3 most recent"), ``count``, ``exists`` ("do I
      have photos of <a>?"), ``where`` (where the people are in them, and where they were taken),
      ``people`` (who is in them, most photos first: ``others`` leaves the named people out, as
      in "who is with <a>?"), ``places`` and ``times`` (where and when they were taken, by
      ``kind``: city, country, year, ...; ``order`` last/first for "when did I last see <a>?"),
      ``people_count`` (how many people are in them, or registered);
    - about the photos named (``photos``; ``photo`` is the first): ``who``, ``is_in``, ``which``
      face is the person, ``who_at`` / ``is_at`` a ``position`` (left, far right, middle),
      ``relative`` (who is ``relation`` of the person), ``related`` (whether two people are),
      ``photo_when`` / ``photo_where`` (when / where it was taken);
    - about what people do, for an engine that sees pixels: ``visual_yes_no``, ``visual_open``,
      ``visual_count`` (``action`` is the question's own words, exactly as written).

    ``most`` marks a question about the top of a ranking ("who is in the most photos?").
    """

    intent: str
    people: object | None = None  # Person | AllOf | AnyOf | Not | Only | Nobody | NoOne | Strangers
    time: object | None = None  # DateRange | SeasonRange | AnyTime | NoDate
    place: object | None = None  # PlaceFilter | AnyPlace | AllPlaces | NotPlace | NoPlace
    photo: PhotoRef | None = None
    relation: str | None = None
    action: str | None = None
    text: str = ""
    photos: tuple = ()  # every PhotoRef named (``photo`` is the first)
    order: str | None = None  # first | last
    limit: int | None = None
    kind: str | None = None  # what ``places`` / ``times`` rank: city, country, year, month, day, ...; ``people``:
    # "named" ranks only the people named ("more photos of <a> or <b>?")
    most: bool = False
    others: bool = False  # ``people``: leave the named people out of the ranking
    position: str | None = None  # ``who_at`` / ``is_at``: left, right, middle, far left, ...
    media: str | None = None  # None: photos and videos alike; "photo": stills only (RAW among them); "video"
    # What the people named do or show, each judged in every photo the rest selects (all must hold).
    cues: tuple[Cue, ...] = ()
    read_as: str | None = None  # the question with its misspelt words corrected, as answered ("photos of pennny")
    today: date | None = field(default=None, compare=False)  # the day asked on: "4 months ago" counts from it

    @property
    def top(self) -> int | None:
        """How many of a ranking's first are asked for ("the top 3 people"); None: its leader."""
        return self.limit if self.most and self.limit and self.limit > 1 else None

    def names(self) -> tuple[str, ...]:
        """Every person the question mentions, in order of first mention."""
        return self.people.names() if self.people is not None else ()

    def describe(self) -> str:
        """The understood question in one line, e.g. ``photos showing <mike> or <susan>, taken
        last summer (June–August 2024; ...), in Paris (Île-de-France, France)``."""
        cues = "where " + " and ".join(c.describe() for c in self.cues) if self.cues else ""
        parts = [self._described_head(), cues, f"taken {self.time.describe()}" if self.time else "",
                 self.place.describe() if self.place else "", f"{self.media}s only" if self.media else ""]
        described = ", ".join(part for part in parts if part)
        return f'read as "{self.read_as}": {described}' if self.read_as else described

    def _described_head(self) -> str:
        people = self.people.describe() if self.people is not None else ""
        photo = " or ".join(ref.describe() for ref in self.photos) if self.photos else (self.photo.describe() if self.photo else "")
        in_photo = f" in {photo}" if photo else ""
        action = f'"{self.action}"'
        showing = f" showing {people}" if people else ""
        if self.intent == "list":
            head = f"photos{showing}" if people else "all photos"
            if self.order and self.limit is None:
                head = f"{head}, {'newest' if self.order == 'last' else 'oldest'} first"
            elif self.order:
                which = "most recent" if self.order == "last" else "earliest"
                head = f"the {self.limit} {which} of the {head}" if people else f"the {self.limit} {which} photos"
            return head
        if self.intent == "count":
            return f"how many photos show {people}" if people else "how many photos"
        if self.intent == "exists":
            return f"whether there are photos{showing}"
        if self.intent == "where":
            return f"where is {people}{in_photo}"
        if self.intent == "which":
            return f"which face in {photo} is {people}"
        if self.intent == "who":
            return f"who is in {photo}"
        if self.intent == "who_at":
            return f"who is at the {self.position} of {photo}"
        if self.intent == "is_in":
            return f"whether {photo} shows {people}"
        if self.intent == "is_at":
            return f"whether {people} is at the {self.position} of {photo}"
        if self.intent == "relative":
            return f"who is {_RELATION_WORDS[self.relation]} {people} in {photo}"
        if self.intent == "related":
            first, *rest = self.names() or ("?",)
            return f"whether <{first}> is {_RELATION_WORDS[self.relation]} {' '.join(f'<{n}>' for n in rest)} in {photo}"
        if self.intent == "photo_when":
            return f"when {photo} was taken"
        if self.intent == "photo_where":
            return f"where {photo} was taken"
        if self.intent == "people_count":
            return f"how many people are in {photo}" if photo else f"how many people are in the photos{showing}"
        if self.intent == "people" and self.kind == "named":
            return f"which of {people} is in more photos"
        if self.intent == "people":
            others = self.others and not isinstance(self.people, Not)  # not "who else" beside "without <a>" alone
            who = "who else is" if others else "who is"
            if self.top:
                return f"the {self.top} {'other ' if others else ''}people in the most photos{showing}"
            return f"{who} in the most photos{showing}" if self.most else f"{who} in the photos{showing}"
        if self.intent == "places":
            kinds = {"city": "cities", "country": "countries", "continent": "continents"}.get(self.kind or "place", f"{self.kind}s")
            if self.top:
                return f"the {self.top} {kinds} with the most photos{showing}"
            return f"which {kinds} the photos{showing} were taken in" + (", most photos first" if self.most else "")
        if self.intent == "times":
            if self.top:
                return f"the {self.top} {self.kind or 'day'}s with the most photos{showing}"
            if self.order:
                return f"when the {'latest' if self.order == 'last' else 'earliest'} photo{showing} was taken"
            return f"when the photos{showing} were taken (by {self.kind or 'day'})"
        if self.intent == "visual_yes_no":
            head = f"whether {people} {action}{in_photo}" if photo else f"photos where {people} {action}"
            return f"{head} (for the vision model)"
        if self.intent == "visual_count":
            return f"how many photos where {people} {action} (for the vision model)"
        return f"open question {action} about {people}{in_photo} (for the vision model)"

    def as_dict(self) -> dict:
        return {
            "intent": self.intent,
            "people": self.people.as_dict() if self.people is not None else None,
            "names": list(self.names()),
            "time": self.time.as_dict() if self.time is not None else None,
            "place": self.place.as_dict() if self.place is not None else None,
            "photo": self.photo.as_dict() if self.photo is not None else None,
            "photos": [ref.as_dict() for ref in self.photos],
            "relation": self.relation,
            "action": self.action,
            "order": self.order,
            "limit": self.limit,
            "kind": self.kind,
            "most": self.most,
            "position": self.position,
            "cues": [c.as_dict() for c in self.cues],
            "text": self.text,
            **({"media": self.media} if self.media else {}),
            **({"read_as": self.read_as} if self.read_as else {}),
        }
