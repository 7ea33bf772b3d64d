"""Questions in plain English -> ``Query`` (see ``query.py``), or a one-line refusal.

``parse(text, today, roster)`` reads a question as typed parts found wherever they stand, not as a
sentence of a fixed shape:

1. ``tokens.tokenize``: names between < and >, photo files, numbers, words (contractions split,
   possessives marked).
2. The parts, each claiming the tokens it uses: photo files; people (``roster``: names with or
   without brackets, first names, unique prefixes, "Sheldon's"); fixed phrases ("without a
   location", "nobody I know", "but not both", "on the far right"); times (``read_time``:
   dates, spans, relative forms); places (``read_place``: in / near / not in / outside, or / and);
   what is asked (``read_intent``: list, count, yes / no, who, when, where, first / last / N most
   recent, most); the people expression (``read_people``: and / or / not / only / alone / both /
   either / neither / nobody / strangers) and an action for a vision model ("wearing a hat").
3. Every word left over is either filler (``lexicon.FILLER``: "show me", "any", "do I have", "in
   them") or refused by name (``refusals.py``), with a rewrite that parses.

The parse is pure: the registered names are handed in (``roster.Roster``), never read here, and
times are resolved against the ``today`` argument. Without a roster (``None``) a name must be
written between < and > and is taken as written.
"""

from __future__ import annotations

from datetime import date

from plvm_photos.ask import lexicon as L
from plvm_photos.ask.lexicon import KEYWORDS, PEOPLE_PAIRS, PEOPLE_WORDS
from plvm_photos.ask.query import (AllPlaces, AllTimes, AnyOf, AnyPlace, DateRange, DayPart, EveryFeast, EverySeason, EveryYear, NoDate, NoPlace,
                                  NotPlace, Person, PhotoRef, Query, QuestionError, Weekdays)
from plvm_photos.ask.read_cues import cue_people, find_cues
from plvm_photos.ask.read_faces import read_faces, with_others
from plvm_photos.ask.read_intent import read_intent
from plvm_photos.ask.read_people import Item, read_people
from plvm_photos.ask.read_ranking import read_ranking
from plvm_photos.ask.read_place import PlaceReader
from plvm_photos.ask.read_time import TimeReader, combine, negate
from plvm_photos.ask.roster import Roster
from plvm_photos.ask.tokens import Tok, tokenize

PHRASES: dict[str, frozenset] = {  # claimed before times and places; longest first
    "filler": frozenset(["looking for", "searching for", "search for", "look for", "show up", "shows up", "showed up",
                         "turn up", "turns up", "pop up", "pops up", "hang out", "hangs out", "hanging out",
                         "i want to see", "i'd like to see", "would like to see", "of all time", "at all", "tell me about",
                         "what about", "how about", "from when", "back when"]),
    "no_location": L.NO_LOCATION,
    "has_location": L.HAS_LOCATION,
    "no_date": L.NO_DATE,
    "strangers": L.STRANGER_WORDS,
    "nobody": L.NOBODY_WORDS,
    "no_one": L.NO_ONE_WORDS,
    "xor": L.BOTH_NOT,
    "alone": L.ONLY_AFTER - {"only", "solo"},
}
MAX_SPACED_WORDS = 4  # words before a file name that may be part of it ("birthday party 2019.jpg")
PRESENCE_WORDS = frozenset(["there", "in", "it", "them", "the", "photo", "photos", "picture", "pictures", "shot", "pic",
                            "present", "around", "pictured", "included", "shown", "visible", "seen", "too", "either"])
AFTER_PLACE_WORD = frozenset(["in", "at", "from", "near", "to", "around", "outside"])  # "in Howard" may be a town


class Reading:
    """One question on its way to a ``Query``: the tokens and what claimed each."""

    def __init__(self, text: str, today: date, roster: Roster | None):
        self.text = text
        self.today = today
        self.roster = roster
        self.toks: list[Tok] = tokenize(text)
        self.persons: dict[int, Person] = {}  # token index -> the person named there
        self.people_items: list[Item] = []
        self.photos: list[PhotoRef] = []
        self.times: list[tuple[int, object]] = []  # (first index, range)
        self.places: list[tuple[int, object]] = []
        self.flags: dict[str, list[int]] = {}  # phrase kind -> token indexes where found
        self.reparse = None  # parses a rewrite with the same day and roster (refusals check theirs)

    # --- tokens ------------------------------------------------------------------------------
    def word(self, i: int, claimed_too: bool = False) -> str:
        if not 0 <= i < len(self.toks):
            return ""
        tok = self.toks[i]
        return tok.word if claimed_too or not tok.used else ""

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and not self.toks[i].used

    def claim(self, indexes, part: str) -> None:
        for i in indexes:
            self.toks[i].used = part

    def phrase_at(self, i: int, phrases: frozenset | set, claimed_too: bool = False) -> int:
        """The number of words of the longest phrase of ``phrases`` at ``i`` (0: none)."""
        best = 0
        for size in range(1, 6):
            words = [self.word(i + k, claimed_too) for k in range(size)]
            if "" in words:
                break
            if " ".join(words) in phrases:
                best = size
        return best

    # --- the parts ---------------------------------------------------------------------------
    def read_files(self) -> None:
        """Photo files, and the words joining them ("a.jpg or b.jpg", "a.jpg, b.jpg and c.jpg")."""
        for i, tok in enumerate(self.toks):
            if tok.kind == "file":
                self.photos.append(self._with_spaced_name(i, tok.value))
                tok.used = "file"
        for i, tok in enumerate(self.toks):
            if not tok.used and tok.word in ("or", "and", ",", "&") and self._file_near(i, -1) and self._file_near(i, 1):
                tok.used = "file"
            elif not tok.used and tok.word in ("at", "both", "either") and self.toks[i + 1 : i + 2] and self._file_near(i, 1):
                tok.used = "file"  # "was <a> at beach.jpg", "who is in both a.jpg and b.jpg"

    def _with_spaced_name(self, i: int, ref: PhotoRef) -> PhotoRef:
        """``ref`` with the names it may have with the words right before it ("red carpet.jpg"):
        words that no part reads (no question word, filler, joiner or registered name), claimed
        as the file's; which name the library has decides (``photo_ref.resolve_ref_file``)."""
        tok = self.toks[i]
        if tok.text.startswith(("\"", "“", "'", "#", "/", "~")) or ref.photo_id is not None:
            return ref
        first = i
        while (first > 0 and i - first < MAX_SPACED_WORDS and self.free(first - 1) and self._file_word(first - 1)
               and self.toks[first].start == self.toks[first - 1].end + 1):
            first -= 1
        if first == i:
            return ref
        spaced = tuple(self.text[self.toks[k].start : tok.end] for k in range(first, i))
        self.claim(range(first, i), "file")
        return PhotoRef(ref.ref, ref.photo_id, ref.stem, spaced)

    def _file_word(self, k: int) -> bool:
        t = self.toks[k]
        if t.kind not in ("word", "number") or t.value == "'s":
            return False
        if (t.word in L.FILLER or t.word in KEYWORDS or t.word in PEOPLE_WORDS or t.word in L.AUXILIARIES
                or t.word in L.PERSON_PREPOSITIONS or t.word in L.TIME_PREPOSITIONS or t.word in L.PLACE_PREPOSITIONS
                or t.word in L.MEDIA_NOUNS or t.word in L.QUESTION_WORDS):
            return False
        return not (self.roster and self.roster.matches(t.word, prefixes=False))

    def _file_near(self, i: int, step: int) -> bool:
        j = i + step
        while 0 <= j < len(self.toks) and self.toks[j].word in ("or", "and", ",", "in", "the", "photo", "&"):
            j += step
        return 0 <= j < len(self.toks) and self.toks[j].kind == "file"

    def read_file_stem(self) -> None:
        """"who is in c03": a photo named without its suffix, where a question about one photo
        ends with a word that no other part reads; "is <a> in the beach video": the word between
        "the" and one photo or video noun (the file beach.mov, beach.jpg, ...)."""
        free = [i for i, t in enumerate(self.toks) if not t.used and t.kind in ("word", "number")]
        if self.photos or not free:
            return
        for i in free:
            if self.word(i - 1) == "the" and self.word(i + 1) in SINGLE_MEDIA_NOUNS and self._file_word(i):
                self.photos.append(PhotoRef(self.toks[i].text, stem=True))
                self.claim([i - 1, i, i + 1], "file")
                return
        last = free[-1]
        if self.toks[last].word in L.TAKEN_WORDS and len(free) > 1:  # "when was IMG_0420 taken?"
            last = free[-2]
        tail = [t for t in self.toks[last + 1 :] if t.kind != "punct" and t.word not in L.TAKEN_WORDS]
        tok = self.toks[last]
        if tail or self.word(last - 1, claimed_too=True) not in ("in", "of", "is", "was") or tok.word in L.FILLER | L.MEDIA_NOUNS:
            return
        if not any(ch.isdigit() for ch in tok.text) and not ("_" in tok.text or "-" in tok.text):
            return  # a plain word is not taken for a file name
        self.photos.append(PhotoRef(tok.text, stem=True))
        tok.used = "file"

    def read_bracketed_names(self) -> None:
        for i, tok in enumerate(self.toks):
            if tok.kind == "name":
                self.persons[i] = self._person(tok.value, tok.text, bracketed=True)
                tok.used = "person"

    def _person(self, name: str, written: str, bracketed: bool) -> Person:
        if self.roster is None:
            return Person(name)
        from plvm_photos.ask.refusals import ambiguous_name, unknown_name

        found = self.roster.matches(name)
        if len(found) == 1:
            return Person(found[0].display)
        if found:
            raise ambiguous_name(self, written, found)
        raise unknown_name(self, written)

    def read_bare_names(self, before_places: bool) -> None:
        """Registered names written without brackets: the longest run of words that names one
        person (before the places, none right after a place word: "in Howard" may be a town)."""
        if not self.roster:
            return
        i = 0
        while i < len(self.toks):
            if before_places and self.word(i - 1) in AFTER_PLACE_WORD and self._name_word(i):
                later = self._bare_name_at(i)  # "in Howard Beach": decided once places are read,
                i = later[0] if later is not None else i + 1  # and never by a tail of it ("Beach")
                continue
            found = self._bare_name_at(i)
            if found is None:
                i += 1
                continue
            end, people, written = found
            if len(people) > 1:
                from plvm_photos.ask.refusals import ambiguous_name

                raise ambiguous_name(self, written, people)
            surname = self._bare_name_at(end) if end == i + 1 else None
            if surname is not None and surname[0] == end + 1 and surname[1][0] != people[0] and (
                    self.toks[end].word != surname[1][0].words[0]):
                from plvm_photos.ask.refusals import unknown_name  # "penny hofstadter": nobody of that name

                raise unknown_name(self, self.text[self.toks[i].start : self.toks[end].end])
            self.persons[i] = Person(people[0].display)
            self.claim(range(i, end), "person")
            i = end

    def _bare_name_at(self, i: int):
        """(end, people, as written) of the longest name at ``i``."""
        if not self._name_word(i):
            return None
        longest = min(self.roster.longest, 4)
        for size in range(longest, 0, -1):
            indexes = list(range(i, i + size))
            if not all(self._name_word(k) for k in indexes):
                continue
            if any(self.toks[k].value == "'s" for k in indexes[:-1]):
                continue
            written = " ".join(self.toks[k].word for k in indexes)
            exact = self.roster.exact(written)
            if exact is not None:
                return i + size, [exact], self.text[self.toks[i].start : self.toks[indexes[-1]].end]
            if size == 1 and self._is_lexicon_word(i):
                continue
            found = self.roster.matches(written, prefixes=size == 1)
            if found:
                return i + size, found, self.text[self.toks[i].start : self.toks[indexes[-1]].end]
        return None

    def _name_word(self, i: int) -> bool:
        return self.free(i) and self.toks[i].kind == "word" and self.toks[i].word[:1].isalpha()

    def _is_lexicon_word(self, i: int) -> bool:
        tok = self.toks[i]
        if tok.capitalised and i > 0 and tok.value is None and tok.word not in L.QUESTION_WORDS | L.AUXILIARIES:
            return False  # "Will", "Summer" written as names
        if tok.value == "'s":
            return False
        from plvm_photos.ask import when as W

        return (tok.word in L.FILLER or tok.word in PEOPLE_WORDS or tok.word in L.QUESTION_WORDS or tok.word in W.MONTHS
                or tok.word in W.SEASONS or tok.word in W.PERIODS or tok.word in L.ACTION_HEADS or tok.word in KEYWORDS)

    def read_phrases(self) -> None:
        """The fixed phrases of ``PHRASES``, longest first where two overlap ("nobody I know"
        before "with nobody")."""
        found = []
        for i in range(len(self.toks)):
            for order, (kind, phrases) in enumerate(PHRASES.items()):
                size = self.phrase_at(i, phrases)
                if size and not (kind in ("nobody", "no_one") and self.word(i + size) == "else"):
                    found.append((-size, i, order, kind))
        for minus_size, i, _, kind in sorted(found):
            indexes = range(i, i - minus_size)
            if all(self.free(k) for k in indexes):
                self.flags.setdefault(kind, []).append(i)
                self.claim(indexes, kind)

    def read_times(self) -> None:
        reader = TimeReader([self.word(i) for i in range(len(self.toks))], self.today)
        i = 0
        while i < len(self.toks):
            if not self.free(i):
                i += 1
                continue
            found = reader.read(i)
            if found is None or found[0] <= i or not self._worth_a_time(i, found[0]):
                i += 1
                continue
            end, time = found
            start = i
            negated = self.word(i - 1) in ("not", "except", "excluding") or (self.word(i - 2), self.word(i - 1)) in (("but", "not"), ("and", "not"))
            if negated:
                start = i - (2 if self.word(i - 2) in ("but", "and") and self.word(i - 1) == "not" else 1)
                time = negate(time, self.text[self.toks[start].start : self.toks[end - 1].end])
            joined = self.times and self._joiner_between(self.times[-1][2], start)
            self.claim(range(start, end), "time")
            if joined:
                first_index, previous, _ = self.times.pop()
                self.claim([j for j in range(self.times_end(first_index), start) if self.free(j)], "time")
                time = combine(previous, time, joined)
                self.times.append((first_index, time, end))
            else:
                self.times.append((start, time, end))
            reader = TimeReader([self.word(k) for k in range(len(self.toks))], self.today)
            i = end
        self.times = [(first, time) for first, time, _ in self.times]  # type: ignore[misc]

    def times_end(self, first: int) -> int:
        j = first
        while j < len(self.toks) and self.toks[j].used == "time":
            j += 1
        return j

    def _joiner_between(self, previous_end: int, start: int) -> str | None:
        between = [self.word(k) for k in range(previous_end, start) if self.free(k)]
        between = [w for w in between if w not in ("in", "during", "from", "on", ",", "the", "taken", "either")]
        if between in (["or"], ["and/or"]):
            return "or"
        if between in (["and"], ["&"], ["but"], ["and", "also"]):
            return "and"
        return None

    def _worth_a_time(self, start: int, end: int) -> bool:
        """A lone small number ("3 most recent") or "may" alone is no time."""
        words = [self.word(k) for k in range(start, end)]
        if words and words[0] in ("on", "at", "of", "around", "by", "over", "within", "in", "for") and len(words) == 1:
            return False
        core = [w for w in words if w not in ("in", "on", "at", "the", "of", "during", "from", "for", "taken", "shot")]
        return bool(core)

    def read_places(self) -> None:
        reader = PlaceReader(self.toks, self.text, {i for i, t in enumerate(self.toks) if t.used})
        i = 0
        while i < len(self.toks):
            if not self.free(i):
                i += 1
                continue
            after_place = bool(self.places) and self.word(i - 1) in ("not", "or", "and", "except", ",", "nor")
            found = reader.read(i) or reader.read_bare(i, after_place)
            if found is None:
                i += 1
                continue
            used, place = found
            start = min(used)
            negated = not isinstance(place, NotPlace) and (
                self.word(start - 1) in ("not", "except", "excluding")
                or (self.word(start - 2), self.word(start - 1)) in (("but", "not"), ("and", "not")))
            if negated:
                extra = [start - 1] + ([start - 2] if self.word(start - 2) in ("but", "and") else [])
                used = [*used, *extra]
                place = NotPlace(place)
            elif isinstance(place, NotPlace) and self.word(start - 1) in ("but", "and") and self.places == []:
                used = [*used, start - 1]  # "<a> but not in Paris": the "but" of the place's own "not in"
            self.claim(used, "place")
            if self.places and self._joiner_between(self._place_end(self.places[-1][0]), min(used)) and not negated:
                first, previous = self.places.pop()
                items = (*_items(previous), *_items(place))
                self.claim([k for k in range(first, min(used)) if self.free(k) and self.word(k) in ("or", "and", ",", "&")], "place")
                self.places.append((first, AnyPlace(items)))
            else:
                self.places.append((min(used), place))
            reader.taken = {k for k, t in enumerate(self.toks) if t.used}
            i = max(used) + 1

    def _place_end(self, first: int) -> int:
        j = first
        while j < len(self.toks) and self.toks[j].used == "place":
            j += 1
        return j

    def claim_relative_clauses(self) -> None:
        """"photos of <a> who is in Paris": "who is" after a person only says what follows is theirs."""
        for i, tok in enumerate(self.toks):
            if (i > 1 and not tok.used and tok.word in ("who", "that") and self.toks[i - 1].used == "person"
                    and self.word(i + 1) in ("is", "are", "was", "were") and self.toks[i + 2 : i + 3]
                    and self.toks[i + 2].used in ("place", "time")):
                self.claim([i, i + 1], "filler")

    def read_people_items(self) -> None:
        """The people expression's items, in order: persons and the free words that join them."""
        items: list[Item] = []
        i = 0
        while i < len(self.toks):
            tok = self.toks[i]
            if i in self.persons:
                items.append(Item("person", i, self.persons[i]))
            elif tok.used in ("nobody", "no_one", "strangers", "xor", "alone"):
                start = self._phrase_start(i)
                kind = tok.used
                if kind == "alone" and not any(item.kind in ("person", ")") for item in items):
                    end = start
                    while end < len(self.toks) and self.toks[end].used == "alone":
                        end += 1
                    words = " ".join(t.word for t in self.toks[start:end])
                    kind = "no_one" if any(w in words for w in ("no one", "nobody", "noone")) else kind  # "with no one in it"
                if not items or items[-1].index != start:
                    items.append(Item(kind, start))
            elif not tok.used:
                pair = (tok.word, self.word(i + 1))
                if pair in PEOPLE_PAIRS and self._joins_people(i + 2):
                    items.append(Item(PEOPLE_PAIRS[pair], i))
                    self.claim([i, i + 1], "people")
                    i += 2
                    continue
                kind = PEOPLE_WORDS.get(tok.word)
                if kind is not None and self._joins_people(i + 1, kind):
                    trailing = kind == "solo" and self._ends_clause(i + 1)  # "<a> solo": <a> alone
                    items.append(Item("alone" if trailing else kind, i, comma=tok.text == ","))
                    tok.used = "people"
                elif kind in ("both", "together") and self._person_before(i) and self._ends_clause(i + 1):
                    tok.used = "people"  # "<a> and <b> are both in it": all of them, as "and" says
                elif kind == "not" and self._ends_clause(i + 1) and items and items[-1].kind == "person":
                    first = len(items) - 1  # "<a> where <b> and <c> aren't there": neither <b> nor <c>
                    while first >= 2 and items[first - 1].kind in ("and", "or") and items[first - 2].kind == "person":
                        first -= 2
                    items.insert(first, Item("not", i))
                    tok.used = "people"
            i += 1
        self.people_items = _clean_items(items)

    def _ends_clause(self, i: int) -> bool:
        """Nothing but words of presence ("there", "in it", "in the photo") from ``i`` to the end
        of the question or the next part."""
        while i < len(self.toks) and not self.toks[i].used:
            if self.toks[i].word not in PRESENCE_WORDS and self.toks[i].kind != "punct":
                return False
            i += 1
        return True

    def _phrase_start(self, i: int) -> int:
        while i > 0 and self.toks[i - 1].used == self.toks[i].used:
            i -= 1
        return i

    def _joins_people(self, after: int, kind: str = "") -> bool:
        """Whether a joining word is followed (past other parts and filler) by a person or
        another joiner, or, for "alone" / "together" / "only" / a last "solo", preceded by a person."""
        if kind in ("alone", "together", ")") or (kind in ("only", "solo") and self._person_before(after - 1)
                                                  and (kind == "only" or self._ends_clause(after))):
            return self._person_before(after - 1)
        j = after
        while j < len(self.toks):
            if j in self.persons or self.toks[j].used in ("nobody", "no_one", "strangers"):
                return True
            word = self.toks[j].word
            if self.toks[j].used in ("time", "place", "file", "person"):
                j += 1
                continue
            if word in PEOPLE_WORDS or word in ("for", "than", "from"):
                j += 1
                continue
            if word in L.FILLER and word not in ("who", "which", "what", "where", "when", "how"):
                j += 1
                continue
            return False
        return False

    def _person_before(self, i: int) -> bool:
        j = i - 1
        while j >= 0:
            if j in self.persons or self.toks[j].used in ("person", "nobody", "no_one", "strangers"):
                return True
            if self.toks[j].used in ("time", "place", "file") or self.toks[j].word in L.FILLER or self.toks[j].word in PEOPLE_WORDS:
                j -= 1
                continue
            return False
        return False


def _items(place) -> tuple:
    return place.items if isinstance(place, AnyPlace) else (place,)


def _clean_items(items: list[Item]) -> list[Item]:
    """Joiners that join nothing are dropped: "with" before the first person, "and" after the
    last one when nothing follows, repeated joiners ("and, and"), "only ... just"; a list
    "<a>, <b> or <c>" is joined by its last joiner throughout."""
    items = _lists_joined_by_their_last_word(items)
    out: list[Item] = []
    for item in items:
        if item.kind in ("only", "solo") and out and out[-1].kind in ("only", "solo"):
            continue
        if item.kind in ("and", "with") and (not out or out[-1].kind in ("and", "or", "not", "(", "only", "both", "either",
                                                                             "neither", "nor", "solo", "with")):
            continue
        if item.kind == "together" or item.kind == "but":
            continue
        if item.kind == "alone" and out and out[-1].kind == "and" and out[-1].comma:
            out.pop()  # "just <a>, nobody else"
        if item.kind == "only" and out and out[-1].kind in ("person", ")", "nobody", "no_one", "strangers"):
            out.append(Item("alone", item.index))
            continue
        out.append(item)
    while out and out[-1].kind in ("and", "with"):
        out.pop()
    return out


def _lists_joined_by_their_last_word(items: list[Item]) -> list[Item]:
    """"<a>, <b>, or <c>": the commas of a list mean its last joiner ("or" here)."""
    out = [item for k, item in enumerate(items)  # an Oxford comma: "<a>, <b>, or <c>"
           if not (item.comma and k + 1 < len(items) and items[k + 1].kind in ("or", "and"))]
    i = 0
    while i < len(out):
        if out[i].kind != "person":
            i += 1
            continue
        j, commas = i + 1, []
        while j + 1 < len(out) and out[j].kind == "and" and out[j].comma and out[j + 1].kind == "person":
            commas.append(j)
            j += 2
        if commas and j + 1 < len(out) and out[j].kind in ("or", "and") and out[j + 1].kind == "person":
            for k in commas:
                out[k] = Item(out[j].kind, out[k].index, comma=True)
        i = j if commas else i + 1
    return out


def _single(values: list, what: str, text: str):
    if len(values) > 1:
        raise QuestionError(text, f'the question gives more than one {what}; give one, or join them with "or", e.g. '
                                  f'"in 2018 or 2019", "in Paris or Tokyo"')
    return values[0] if values else None


FOLLOW_UP_HEADS = frozenset(["and", "&", "also", "plus", "or", "but"])
FOLLOW_UP_PHRASES = (("what", "about"), ("how", "about"), ("same", "for"), ("same", "with"), ("same", "but"),
                     ("what", "else"), ("and", "what", "about"))


def _refuse_a_follow_up(reading: Reading) -> None:
    """"and in 2020?", "what about Leonard?", "same for Raj": a question that goes on from one
    before it, which this tool does not keep, is refused with the question it would be alone."""
    words = [t.word for t in reading.toks if t.kind != "punct"]
    if not words:
        return
    size = next((len(p) for p in FOLLOW_UP_PHRASES if tuple(words[: len(p)]) == p), 0)
    if not size and words[0] in FOLLOW_UP_HEADS and len(words) > 1:
        size = 1
    if not size:
        return
    rest = words[size:]
    if not rest:
        raise QuestionError(reading.text, "this goes on from a question before it, which I don't keep; ask it whole",
                            text=reading.text)
    asks = any(w in L.MEDIA_NOUNS or w in L.QUESTION_WORDS or w in ("many", "count") for w in rest)
    if words[0] not in FOLLOW_UP_HEADS and asks:
        return  # "how about photos of <a> in Paris": a whole question
    first = [t for t in reading.toks if t.kind != "punct"][size]
    alone = reading.text[first.start :].strip()
    raise QuestionError(reading.text, "this goes on from a question before it, which I don't keep; ask it whole",
                        alone, text=reading.text)


def _claim_trip_words(reading: Reading, placed: bool) -> None:
    """"trip to Tokyo", "my Tokyo trip", "holiday in Paris in 2021": a trip is its place and time;
    without either it is refused as a word not understood."""
    if not placed:
        return
    for i, tok in enumerate(reading.toks):
        if not tok.used and tok.word in L.TRIP_WORDS:
            tok.used = "filler"
            k = i - 1
            while k >= 0 and not reading.toks[k].used and reading.toks[k].word in ("our", "my", "the", "a", "from", "during",
                                                                                    "on", "of", "in"):
                reading.toks[k].used = "filler"  # "photos from our holiday in Paris"
                k -= 1
            if reading.word(i + 1) in ("to", "in", "at") and reading.toks[i + 1 : i + 2] and reading.toks[i + 1].used == "":
                reading.toks[i + 1].used = "filler"  # "trip to" before a place read without its preposition


def _of_the_year(every, year):
    """``every`` (a season or days of every year) in the one calendar year ``year`` is, or None."""
    from datetime import datetime

    from plvm_photos.ask import when as W

    if not isinstance(year, DateRange) or year.start is None or year.end is None:
        return None
    if (year.start.month, year.start.day, year.end.month, year.end.day, year.end.year - year.start.year) != (1, 1, 1, 1, 1):
        return None
    if isinstance(every, EverySeason):
        return W.season_range(every.label, year.start.year)
    if isinstance(every, EveryFeast):
        day = next((day for day in every.days if day.year == year.start.year), None)
        if day is None:
            return None
        start = datetime(day.year, day.month, day.day)
        return DateRange(start, W.day_range(day.year, day.month, day.day).end, f"{every.holiday} {day.year}")
    if isinstance(every, EveryYear) and every.start <= every.end:
        start = datetime(year.start.year, *every.start)
        last = W.day_range(year.start.year, *every.end)
        return DateRange(start, last.end, f"{every.label} {year.start.year}")
    return None


def _joined_times(times: list, text: str):
    """The question's one date (or none) and its times of day and days of the week, all of which
    hold ("on Saturdays in 2019 in the morning")."""
    clock = [t for t in times if isinstance(t, (DayPart, Weekdays))]
    dates = [t for t in times if not isinstance(t, (DayPart, Weekdays))]
    if len(dates) == 2:  # "summer photos from 2019", "august photos from 2020": that year's
        within = _of_the_year(*dates) or _of_the_year(*reversed(dates))
        dates = [within] if within is not None else dates
    date_part = _single(dates, "time", text)
    if len([t for t in clock if isinstance(t, DayPart)]) > 1 or len([t for t in clock if isinstance(t, Weekdays)]) > 1:
        _single(clock, "time of day or day of the week", text)
    items = ([date_part] if date_part is not None else []) + clock
    return items[0] if len(items) == 1 else AllTimes(tuple(items)) if items else None


# "the beach video": one photo or video named by its file's stem
SINGLE_MEDIA_NOUNS = frozenset(["photo", "picture", "pic", "image", "snapshot", "photograph", "selfie", "video", "clip",
                                "movie", "film"])


def _parse(text: str, today: date, roster: Roster | None) -> Query:
    reading = Reading(text.strip(), today, roster)
    reading.reparse = lambda rewrite: _parse(rewrite, today, roster)
    if not any(t.kind in ("name", "file") or (t.word and t.word not in L.FRAMING and t.kind != "punct") for t in reading.toks):
        from plvm_photos.ask.refusals import no_question

        raise no_question(reading)
    _refuse_a_follow_up(reading)
    reading.read_files()
    reading.read_bracketed_names()
    reading.read_phrases()
    reading.read_bare_names(before_places=True)
    ranking = read_ranking(reading)  # before the faces: "the top 3 people" is no photo of 3 people
    face_counts = read_faces(reading)
    intent = read_intent(reading, early=True)
    found_cues = find_cues(reading)
    reading.read_times()
    reading.read_places()
    reading.read_bare_names(before_places=False)
    reading.read_file_stem()
    cues = cue_people(reading, found_cues)
    reading.claim_relative_clauses()
    intent = read_intent(reading, early_found=intent, ranking=ranking)
    reading.read_people_items()
    people = with_others(face_counts, read_people(reading.people_items, reading.text), reading.text)
    if intent.kind == "named" and not (isinstance(people, AnyOf) and all(isinstance(p, Person) for p in people.items)):
        raise QuestionError(reading.text, 'a comparison is between people joined by "or", e.g. "more photos of <a> or <b>?"',
                            text=reading.text)
    time = _joined_times([t for _, t in reading.times], reading.text)
    if "no_date" in reading.flags:
        time = _single([t for t in (time, NoDate()) if t is not None], "time", reading.text)
    places = [p for _, p in reading.places]
    if len(places) > 1 and any(isinstance(p, NotPlace) for p in places[1:]):  # "in France but not Paris"
        places = [AllPlaces(tuple(places))]
    place = _single(places, "place", reading.text)
    if "no_location" in reading.flags:
        place = _single([p for p in (place, NoPlace()) if p is not None], "place", reading.text)
    if "has_location" in reading.flags:  # somewhere known: not without a location
        place = _single([p for p in (place, NotPlace(NoPlace())) if p is not None], "place", reading.text)
    _claim_trip_words(reading, bool(places) or time is not None)
    from plvm_photos.ask.refusals import check_leftovers

    check_leftovers(reading, intent)
    query = Query(
        intent=intent.intent,
        people=people,
        time=time,
        place=place,
        photo=reading.photos[0] if reading.photos else None,
        photos=tuple(reading.photos),
        relation=intent.relation,
        action=intent.action,
        text=reading.text,
        order=intent.order,
        limit=intent.limit,
        kind=intent.kind,
        most=intent.most,
        others=intent.others,
        position=intent.position,
        media=intent.media,
        cues=cues,
        today=today,
    )
    from plvm_photos.ask.refusals import check_query

    check_query(reading, query)
    return query


def parse(text: str, today: date, roster: Roster | list | tuple | None = None) -> Query:
    """The question ``text`` as a ``Query``; times relative to ``today``; ``roster`` the
    registered people as (key, display) pairs or a ``Roster`` (None: names only between < >).

    Raises ``QuestionError`` (one line: the part not understood and a rewrite that parses) for
    anything that cannot be read completely; nothing but filler is ignored.
    """
    if not isinstance(text, str):
        raise QuestionError(str(text), "a question must be text")
    if roster is not None and not isinstance(roster, Roster):
        roster = Roster(list(roster))
    try:
        return _parse(text, today, roster)
    except QuestionError as error:
        if error.corrected and error.plain and error.suggestion:  # "photos of pennny": answered as "photos of penny"
            try:
                from dataclasses import replace

                return replace(_parse(error.suggestion, today, roster), text=text.strip(), read_as=error.suggestion)
            except QuestionError:
                pass
        if error.text is None:
            error = error.with_text(text.strip())
        from plvm_photos.ask.refusals import with_working_suggestion

        raise with_working_suggestion(error, text, lambda rewrite: _parse(rewrite, today, roster), roster) from None

