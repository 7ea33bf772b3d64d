"""The place part of a question: "in Paris", "near Tokyo", "within 20 km of Kyoto", "in Paris or
Sydney", "not in Paris", "outside Paris", "in Paris France", "in Europe", "without a location".

Names are looked up in the offline place index (``plvm_photos.places.geocode``), imported only
when a question has a word that may name a place. "in X" is containment (``PlaceFilter``); "near
X" is within ``NEAR_RADIUS_KM`` of a city unless a distance is given, and the answer says which.
"""

from __future__ import annotations

from plvm_photos.ask.lexicon import DISTANCE_UNITS_KM, FRAMING, LOWERCASE_NOT_PLACES
from plvm_photos.ask.query import AnyPlace, NotPlace, PlaceFilter, QuestionError

NEAR_RADIUS_KM = 50.0
BARE_CITY_POPULATION = 100_000
MAX_PLACE_WORDS = 6
IN_WORDS = frozenset(["in", "at", "from", "inside", "within", "to", "across", "throughout", "visiting", "around",
                      "near", "outside"])
NEAR_WORDS = frozenset(["near", "around", "nearby", "by"])
OUT_WORDS = frozenset(["outside"])
ABBREVIATED_COUNTRIES = frozenset(["us", "usa", "uk", "uae"])  # "in the us": a common word, unless after "the"


def _common_word(word: str) -> bool:
    """A lowercase word that means something else in a question ("most", "them", "home")."""
    from plvm_photos.ask import lexicon as L
    from plvm_photos.ask import when as W
    from plvm_photos.ask.lexicon import KEYWORDS, PEOPLE_WORDS

    return (word in LOWERCASE_NOT_PLACES or word in L.FILLER or word in KEYWORDS or word in PEOPLE_WORDS
            or word in L.MOST_WORDS or word in L.LAST_WORDS or word in L.FIRST_WORDS or word in L.PERSON_WORDS
            or word in W.MONTHS or word in W.SEASONS or word in W.PERIODS or word in L.PLACE_KIND_WORDS
            or word in L.MEDIA_NOUNS or word in L.ACTION_HEADS or word.endswith("ing"))


def _lookup(name: str):
    from plvm_photos.places.geocode import candidates

    return candidates(name)


def near_misses(name: str):
    from plvm_photos.places.geocode import near_misses as found

    return found(name)


def place_filter(relation: str, places: list, text: str, radius_km: float | None = None) -> PlaceFilter:
    place, *others = places
    if relation == "near":
        if place.level != "city":
            raise QuestionError(text, f'"near" needs a city and {place.describe()} is a {place.level}; ask "in {text}"')
        return PlaceFilter("near", place, radius_km or NEAR_RADIUS_KM, tuple(others))
    return PlaceFilter("in", place, None, tuple(others))


class PlaceReader:
    """Reads places from tokens (``tokens.Tok``) that no other part has claimed."""

    def __init__(self, toks: list, text: str, taken: set[int]):
        self.toks = toks
        self.text = text
        self.taken = taken  # indexes of tokens other parts claimed

    def _word(self, i: int) -> str:
        return self.toks[i].word if 0 <= i < len(self.toks) and i not in self.taken else ""

    def _is_name_word(self, i: int) -> bool:
        if not 0 <= i < len(self.toks) or i in self.taken:
            return False
        tok = self.toks[i]
        return tok.kind == "word" and tok.value is None and (tok.word[:1].isalpha())

    def name_at(self, i: int, capitalised_only: bool) -> tuple[int, list, str] | None:
        """(next index, places, name as written) of the longest place name starting at ``i``."""
        if self._word(i) == "the" and self._is_name_word(i + 1):  # "the Netherlands", else "the UK"
            return self._name_from(i, capitalised_only) or self._name_from(i + 1, capitalised_only)
        return self._name_from(i, capitalised_only)

    def _name_from(self, first: int, capitalised_only: bool) -> tuple[int, list, str] | None:
        ends, j, words = [], first, 0
        while j < len(self.toks) and words < MAX_PLACE_WORDS:
            tok = self.toks[j]
            if tok.kind == "punct" and tok.text == "," and self._is_name_word(j + 1) and ends:
                j += 1
                continue
            if not self._is_name_word(j):
                break
            words += 1
            ends.append(j)
            j += 1
        for last in reversed(ends):
            name = self.text[self.toks[first].start : self.toks[last].end]
            if capitalised_only and not all(self.toks[k].capitalised or self.toks[k].word in ("de", "del", "la", "le", "of", "on", "upon", "am", "sur", "en", "d'", "du", "the")
                                           for k in range(first, last + 1) if self.toks[k].kind == "word"):
                continue
            if (last == first and not self.toks[first].capitalised and _common_word(self.toks[first].word)
                    and not (self._word(first - 1) == "the" and self.toks[first].word in ABBREVIATED_COUNTRIES)):
                continue
            if last == first and len(self.toks[first].word) < 2:
                continue
            found = _lookup(name)
            if found:
                return last + 1, found, name
        return None

    def read(self, i: int):
        """(indexes used, place expression) of a place part starting at ``i`` (its preposition
        included), or None."""
        word = self._word(i)
        if word in ("from", "in", "at", "taken") and self._word(i + 1) in ("anywhere", "everywhere"):
            found = self.read(i + 1)
            return ([i, *found[0]], found[1]) if found is not None else None
        if word in ("anywhere", "everywhere", "somewhere") and self._word(i + 1) in ("in", "within", "across", "around"):
            found = self.read(i + 1)  # "anywhere in Asia": in Asia
            return ([i, *found[0]], found[1]) if found is not None else None
        two = f"{word} {self._word(i + 1)}"
        used = [i]
        relation, negated, radius = "in", False, None
        j = i + 1
        three = f"{two} {self._word(i + 2)}"
        if three in ("anywhere other than", "anywhere apart from", "anywhere outside of", "anywhere but in",
                     "anywhere except in", "everywhere except in", "everywhere but in", "other than in", "not taken in",
                     "not shot in", "not taken at", "not from the", "wasn't taken in", "weren't taken in"):
            negated, j, used = True, i + 3, [i, i + 1, i + 2]
        elif two in ("not in", "not at", "not from", "outside of", "except in", "but not in", "apart from", "away from",
                     "anywhere but", "anywhere except", "everywhere except", "everywhere but", "anywhere outside",
                     "except for"):
            negated, j, used = True, i + 2, [i, i + 1]
            if self._word(j) in ("in",) and two == "but not":
                j += 1
        elif word in OUT_WORDS or (word == "except" and self._is_name_word(i + 1) and self.toks[i + 1].capitalised):
            negated = True
        elif two in ("close to", "next to"):
            relation, j, used = "near", i + 2, [i, i + 1]
        elif word in NEAR_WORDS and word != "by":
            relation = "near"
        elif word == "within" and self.toks[i + 1].kind == "number" if i + 1 < len(self.toks) else False:
            distance = self.toks[i + 1].value
            unit = self._word(i + 2)
            if unit not in DISTANCE_UNITS_KM or self._word(i + 3) not in ("of", "from"):
                return None
            if not 0 < distance <= 20000:
                raise QuestionError(f"{distance} {unit}", f"{distance} {unit} is out of range")
            relation, radius, j, used = "near", round(distance * DISTANCE_UNITS_KM[unit], 3), i + 4, [i, i + 1, i + 2, i + 3]
        elif word == "within" and self._word(i + 1).rstrip("kmis").isdecimal() and self._word(i + 1)[-2:] in ("km", "mi"):
            distance, unit = int(self._word(i + 1)[:-2]), self._word(i + 1)[-2:]
            if self._word(i + 2) not in ("of", "from"):
                return None
            relation, radius, j, used = "near", round(distance * DISTANCE_UNITS_KM[unit], 3), i + 3, [i, i + 1, i + 2]
        elif word not in IN_WORDS:
            return None
        first = self.name_at(j, capitalised_only=False)
        if first is None:
            return None
        end, places, name = first
        items = [place_filter(relation, places, name, radius)]
        used += list(range(j, end))
        while self._word(end) in ("or", "and", ",", "&") or (self._word(end) == "," and self._word(end + 1) in ("or", "and")):
            k = end + 1
            if self._word(end) == "," and self._word(k) in ("or", "and"):
                k += 1
            if self._word(k) in IN_WORDS | {"near"}:
                k += 1
            more = self.name_at(k, capitalised_only=False)
            if more is None:
                break
            items.append(place_filter(relation, more[1], more[2], radius))
            used += list(range(end, more[0]))
            end = more[0]
        expr = items[0] if len(items) == 1 else AnyPlace(tuple(items))
        return used, NotPlace(expr) if negated else expr

    def read_bare(self, i: int, after_place: bool = False):
        """A place name standing alone ("<a> Paris 2020", "brooklyn photos"), never a word that
        means something else in a question ("Can I see ...", "PHOTOS OF ..."). Written in lower
        case it must be a big place (a city of ``BARE_CITY_POPULATION`` people or more, a region,
        a country, a continent): "sunset photos" is no Sunset, Louisiana; ``after_place``: right
        after another place and "not" / "or" ("paris but not versailles"), any city."""
        if not self._is_name_word(i) or _common_word(self.toks[i].word):
            return None
        if self.toks[i].word in ("can", "will", "may", "do", "did", "is", "are", "who", "show", "find", "tell", "give"):
            return None
        capitalised = self.toks[i].capitalised
        found = self.name_at(i, capitalised_only=capitalised)
        if found is None:
            return None
        end, places, name = found
        alone = all(t.kind == "punct" or t.word in FRAMING or t.used in ("time", "person")
                    for k, t in enumerate(self.toks) if not i <= k < end)
        if not capitalised and not after_place and not alone and not self._big_place_named(i, places[0], name):
            return None  # (a place's name as the whole question, "versailles", is that place)
        return list(range(i, end)), place_filter("in", places, name)

    def _big_place_named(self, i: int, place, name: str) -> bool:
        """A lowercase word is a place where it is that place's own name (not one of its other
        names: "gold" is no Gold Coast), the place is big, and no person may be meant ("photos of
        jordan": an unregistered Jordan, not the country)."""
        from plvm_photos.ask.lexicon import PERSON_PREPOSITIONS
        from plvm_photos.places.place import fold

        if self.toks[i - 1].word in PERSON_PREPOSITIONS | {"and", "or", "&", "but", "not"} if i > 0 else False:
            return False
        if " " not in name and fold(place.name) != fold(name):  # one word: its own name only
            return False
        return place.level != "city" or place.population >= BARE_CITY_POPULATION
