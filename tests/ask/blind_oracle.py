"""What each blind-suite question should answer, computed from the suite's own library.

Written before reading the question reader: it knows nothing of the parser, only of the
library (people left to right, dates, places as the names that contain them, media)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import json
from pathlib import Path

SUITE = json.loads((Path(__file__).with_name("blind_suite.json")).read_text(encoding="utf-8"))
PEOPLE: dict[str, str] = SUITE["people"]
PLACES: dict[str, dict] = SUITE["places"]
VIDEO_SUFFIXES = tuple(SUITE["video_suffixes"])
TODAY = dt.date.fromisoformat(SUITE["today"])


# "<a> alone": exactly these people recognised. Whether a stranger's face may be there too (a
# passer-by behind a portrait) is a choice the project documents (docs/questions.md: "faces of
# strangers do not count"); the suite was written expecting none, and its runner accepts both.
STRANGERS_MAY_STAND_BY = False


class Item:
    def __init__(self, row: dict):
        self.file, taken, self.place = row["file"], row["taken"], row["place"]
        self.people, self.strangers, self.cues = row["people"], row["strangers"], row["cues"]
        self.taken = dt.datetime.strptime(taken, "%Y-%m-%d %H:%M") if taken else None
        self.video = self.file.lower().endswith(VIDEO_SUFFIXES)

    @property
    def place_names(self):
        return PLACES[self.place]["names"] if self.place else []


ITEMS = [Item(row) for row in SUITE["photos"]]


def _day(text):
    return dt.date.fromisoformat(text)


def matches(item: Item, where: dict) -> bool:
    present = set(item.people)
    for key, value in where.items():
        if key == "all" and not set(value) <= present:
            return False
        if key == "any" and not set(value) & present:
            return False
        if key == "none" and set(value) & present:
            return False
        if key == "only" and (present != set(value) or (item.strangers and not STRANGERS_MAY_STAND_BY)):
            return False
        if key == "xor" and len(set(value) & present) != 1:
            return False
        if key == "strangers" and bool(item.strangers) != value:
            return False
        if key == "nobody_known" and (bool(present) or not item.strangers) == value:
            return False
        if key == "no_faces" and (not present and not item.strangers) != value:
            return False
        if key == "others" and (len(present) + item.strangers > len(where.get("all", []))) != value:
            return False
        if key == "year" and (item.taken is None or item.taken.year not in value):
            return False
        if key == "month" and (item.taken is None or item.taken.month not in value):
            return False
        if key == "between":
            if item.taken is None or not _day(value[0]) <= item.taken.date() <= _day(value[1]):
                return False
        if key == "dated" and (item.taken is not None) != value:
            return False
        if key == "in" and not set(value) & set(item.place_names):
            return False
        if key == "not_in" and (item.place is None or set(value) & set(item.place_names)):
            return False
        if key == "located" and (item.place is not None) != value:
            return False
        if key == "media" and item.video != (value == "video"):
            return False
        if key == "file" and item.file not in value:
            return False
        # the third round's keys: faces in the photo, the camera's clock, days of the week, seasons
        if key == "faces":
            faces = len(item.people) + item.strangers
            if faces < value[0] or (value[1] is not None and faces > value[1]):
                return False
        if key == "hours":
            if item.taken is None:
                return False
            hour, (start, end) = item.taken.hour, value
            if not (start <= hour < end if start <= end else hour >= start or hour < end):
                return False
        if key == "weekdays" and (item.taken is None or item.taken.weekday() not in value):
            return False
        if key == "season" and (item.taken is None or item.taken.month not in season_months(value, item)):
            return False
        if key == "last_season" and (item.taken is None or not last_season_holds(value, item)):
            return False
    return True


SEASON_STARTS = {"north": {"spring": 3, "summer": 6, "autumn": 9, "winter": 12},
                 "south": {"spring": 9, "summer": 12, "autumn": 3, "winter": 6}}


def _side(item: Item) -> str:
    """The hemisphere of the photo's spot (no GPS: the northern one, as the project documents)."""
    return "south" if item.place and PLACES[item.place]["gps"][0] < 0 else "north"


def season_months(season: str, item: Item) -> set[int]:
    first = SEASON_STARTS[_side(item)][season]
    return {(first - 1 + k) % 12 + 1 for k in range(3)}


def last_season_holds(season: str, item: Item) -> bool:
    """In the most recent ``season`` of the photo's hemisphere that is over by ``TODAY``."""
    first = SEASON_STARTS[_side(item)][season]
    for year in range(TODAY.year, TODAY.year - 3, -1):
        start = dt.datetime(year, first, 1)
        end_year, end_month = (year + 1, first + 3 - 12) if first + 3 > 12 else (year, first + 3)
        end = dt.datetime(end_year, end_month, 1)
        if end.date() <= TODAY:
            return start <= item.taken < end
    return False


def select(where: dict) -> list[Item]:
    return [item for item in ITEMS if matches(item, where)]


def by_file(name: str) -> Item:
    return next(item for item in ITEMS if item.file == name)


def with_counts(key: str) -> Counter:
    counts = Counter()
    for item in ITEMS:
        if key in item.people:
            counts.update(p for p in item.people if p != key)
    return counts


def photo_counts() -> Counter:
    return Counter(p for item in ITEMS for p in item.people)


def position(name: str, side: str) -> str:
    people = by_file(name).people
    return {"left": people[0], "right": people[-1], "middle": people[len(people) // 2]}[side]


def relation(name: str, a: str, rel: str, b: str) -> bool:
    people = by_file(name).people
    if a not in people or b not in people:
        return False
    i, j = people.index(a), people.index(b)
    return {"next_to": abs(i - j) == 1, "left_of": i < j, "right_of": i > j}[rel]


def expected(expect: dict):
    """The answer a question should get, as plain values (sets of files, numbers, keys)."""
    kind, value = next(iter(expect.items()))
    if kind in ("photos", "exists"):
        return {item.file for item in select(value)}
    if kind == "count":
        return len(select(value))
    if kind == "yes":
        return value if isinstance(value, bool) else bool(select(value))
    if kind == "who_in":
        return {p for item in select(value) for p in item.people}
    if kind == "top_with":
        return with_counts(value).most_common(1)[0][0]
    if kind == "with":
        return set(with_counts(value))
    if kind == "pick":
        where, which = value
        dated = [item for item in select(where) if item.taken]
        dated.sort(key=lambda item: item.taken)
        return (dated[0] if which == "first" else dated[-1]).file
    if kind == "sorted":  # every photo by date, newest ("last") or oldest first, the undated ones last
        order, where = value
        found = select(where)
        dated = sorted((i for i in found if i.taken), key=lambda i: (i.taken, i.file), reverse=order == "last")
        return [i.file for i in dated] + sorted(i.file for i in found if not i.taken)
    if kind == "recent":
        n, where = value
        dated = sorted((i for i in select(where) if i.taken), key=lambda i: i.taken, reverse=True)
        return [item.file for item in dated[:n]]
    if kind == "most":
        if value == "person":
            return photo_counts().most_common(1)[0][0]
        if value == "city":
            return Counter(PLACES[i.place]["names"][0] for i in ITEMS if i.place).most_common(1)[0][0]
        if value == "year":
            return Counter(i.taken.year for i in ITEMS if i.taken).most_common(1)[0][0]
    if kind == "places_of":
        return {item.place for item in select(value) if item.place}
    if kind == "years_of":
        return {item.taken.year for item in select(value) if item.taken}
    if kind == "file_place":
        return by_file(value).place
    if kind == "file_date":
        taken = by_file(value).taken
        return taken.date().isoformat() if taken else None
    if kind == "file_people":
        return set(by_file(value).people)
    if kind == "file_faces":
        item = by_file(value)
        return len(item.people) + item.strangers
    if kind == "position":
        return position(*value)
    if kind == "relation":
        return relation(*value)
    if kind == "neighbours":
        name, who = value
        people = by_file(name).people
        i = people.index(who)
        return {people[j] for j in (i - 1, i + 1) if 0 <= j < len(people)}
    if kind == "more":
        counts = photo_counts()
        a, b = value
        return a if counts[a] > counts[b] else b
    if kind == "number":
        return value
    if kind == "registered":
        return len(PEOPLE)
    return value   # refuse / ambiguous / unknown / meaning: checked by the runner


PERSON_CUES = ("smiling", "not_smiling", "looking_at_camera", "eyes_closed")


def cue_holds(item: Item, kind: str, people: list[str]) -> bool | None:
    """Whether the suite's cues say ``kind`` holds for ``people`` in ``item`` (None: not said by
    them: "next to" is the faces' geometry)."""
    cues = item.cues
    if kind == "smiling":
        return all(p in cues.get("smiling", []) for p in people)
    if kind == "not_smiling":
        return not any(p in cues.get("smiling", []) for p in people)
    if kind == "looking_at_camera":
        return all(p in cues.get("looking_at_camera", []) for p in people)
    pairs = {frozenset(pair) for k in (("talking",) if kind == "talking" else ("talking", "facing"))
             for pair in cues.get(k, [])}
    if kind in ("talking", "facing"):
        return frozenset(people) in pairs
    return None


def expected_cues(meaning: dict) -> set[str] | None:
    """The files a cue question selects (None where the suite's cues do not say)."""
    where = dict(meaning.get("where", {}))
    where["all"] = meaning["people"]["all"]
    found = set()
    for item in select(where):
        holds = [cue_holds(item, kind, people) for kind, people in meaning["cues"]]
        if None in holds:
            return None
        if all(holds):
            found.add(item.file)
    return found
