"""The head of a ranking, wherever the question says it: "top 5 people", "the top cities", "the
most photographed people", "Penny's favourite places", "the 3 people in the most photos", "which
3 cities have the most photos". Read before the numbers of people (``read_faces``), which would
take the "3 people" of "the top 3 people" for photos showing three faces.

``read_ranking(reading)`` claims the words and returns a ``Ranking`` of people, places (of a
kind: "city", "country", "region", "continent", "place") or times ("year", "month", "day");
``limit`` the number asked for (1 for a noun in the singular, "the top city"; None for the whole
ranking, "top people").
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask import lexicon as L

PEOPLE_NOUNS = {"people": False, "persons": False, "person": True, "friends": False, "friend": True, "companions": False,
                "companion": True, "faces": False, "face": True}  # noun -> singular
SINGULAR_PLACES = frozenset(["city", "town", "place", "country", "region", "state", "location", "continent"])
LEADS = frozenset(["top", "most photographed", "most frequent", "most common", "most visited", "most popular",
                   "favourite", "favorite", "favourites", "favorites", "most frequently photographed",
                   "most often photographed"])
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "twelve": 12, "twenty": 20}
# "the 3 people in the most photos", "which 3 cities have the most photos"
MOST_TAILS = frozenset(f"{verb}the most {noun}" for verb in ("in ", "with ", "are in ", "is in ", "have ", "has ",
                                                             "appear in ", "appearing in ", "")
                       for noun in ("photos", "pictures", "pics", "images", "shots"))


@dataclass(frozen=True)
class Ranking:
    of: str  # "people", "places" or "times"
    kind: str | None  # of places: "city", "country", ...; of times: "year", "month", "day"
    limit: int | None


def _number(word: str) -> int | None:
    if word.isdecimal() and 0 < int(word) <= 1000:
        return int(word)
    return NUMBERS.get(word)


def _noun(word: str) -> tuple[str, str | None, bool] | None:
    """(what, kind, singular) of a word a ranking can be of."""
    if word in PEOPLE_NOUNS:
        return "people", None, PEOPLE_NOUNS[word]
    if word in L.PLACE_KIND_WORDS:
        return "places", L.PLACE_KIND_WORDS[word], word in SINGULAR_PLACES
    if word in L.TIME_KIND_WORDS:
        return "times", L.TIME_KIND_WORDS[word], not word.endswith("s")
    return None


def _limit(number: int | None, singular: bool) -> int | None:
    return number if number is not None else (1 if singular else None)


def read_ranking(reading) -> Ranking | None:
    """The first ranking head in the question, its words claimed (None: there is none; none in a
    question about a photo, where "the top person" is a position, nor after a word for photos).
    """
    if reading.photos:
        return None
    for i in range(len(reading.toks)):
        if reading.word(i) in L.ASKS_FOR_MEDIA:  # "photos of my favourite person": photos asked for, not a ranking
            return None
        found = _head_at(reading, i) or _most_tail_at(reading, i)
        if found is not None:
            claimed, ranking = found
            reading.claim(claimed, "intent")
            return ranking
    return None


def _head_at(reading, i: int) -> tuple[list[int], Ranking] | None:
    """"[the] [N] top|favourite|most photographed [N] NOUN"."""
    number = _number(reading.word(i))
    start = i + (number is not None)
    size = reading.phrase_at(start, LEADS)
    if not size:
        return None
    j = start + size
    if number is None and _number(reading.word(j)) is not None:
        number, j = _number(reading.word(j)), j + 1
    noun = _noun(reading.word(j))
    if noun is None:
        return None
    what, kind, singular = noun
    return list(range(i, j + 1)), Ranking(what, kind, _limit(number, singular))


def _most_tail_at(reading, i: int) -> tuple[list[int], Ranking] | None:
    """"N NOUN ... the most photos" (the tail's words between: "who are", "that are")."""
    number = _number(reading.word(i))
    noun = _noun(reading.word(i + 1)) if number is not None else None
    if noun is None:
        return None
    for j in range(i + 2, min(i + 5, len(reading.toks))):
        size = reading.phrase_at(j, MOST_TAILS)
        if size:
            between = [k for k in range(i + 2, j) if reading.word(k) in ("who", "that", "which", "are", "is", "were", "was")]
            if len(between) != j - i - 2:
                return None
            return [i, i + 1, *between, *range(j, j + size)], Ranking(noun[0], noun[1], number)
    return None
