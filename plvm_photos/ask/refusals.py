"""Refusals: one line naming the part of the question that cannot be used and why, with a rewrite
that, run as printed, is accepted (``with_working_suggestion`` checks it by parsing it).

A rewrite is, in order of preference: the question with a misspelt word corrected ("did you
mean"), with an unknown name replaced by the closest registered one, with the unusable words left
out, or a question of the same kind about the user's own people.
"""

from __future__ import annotations

from plvm_photos.ask import lexicon as L
from plvm_photos.ask.query import QuestionError
from plvm_photos.ask.roster import edit_distance

PUNCTUATION = frozenset("?!.,;:()&-–'\"")


def no_question(reading) -> QuestionError:
    return QuestionError(reading.text, "there is no question", text=reading.text)


def _names_list(people) -> str:
    shown = [p.written for p in people]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _replaced(reading, written: str, replacement: str) -> str:
    index = reading.text.find(written)
    if index < 0:
        return reading.text
    return reading.text[:index] + replacement + reading.text[index + len(written):]


def ambiguous_name(reading, written: str, people) -> QuestionError:
    return QuestionError(written, f'"{written.strip("<>")}" could be {_names_list(people)}; say which',
                         _replaced(reading, written, people[0].written), text=reading.text)


def unknown_name(reading, written: str) -> QuestionError:
    roster = reading.roster
    if not roster:
        return QuestionError(written, f'nobody is registered yet, so "{written}" is unknown; register someone with '
                                      '"plvm-photos add-person NAME PHOTO"', text=reading.text)
    if written.strip("<>").lower() in L.PERSON_WORDS:  # "photos with people in the background": no one's name
        return QuestionError(written, f'"{written.strip("<>")}" names no one; name the people ("photos of '
                                      f'<{roster.people[0].display}>") or say how many ("photos with 2 or more people")',
                             _replaced(reading, written, "2 or more people"), text=reading.text)
    closest = roster.closest(written.strip("<>"))
    named = _named_elsewhere(reading, written)  # "<a> or <zack>": not "<a> or <a>", even where <a> comes after
    fresh = [p for p in roster.near(written.strip("<>")) if p.display not in named]  # "photos of dogs": nobody near
    return QuestionError(written, f'{written if written.startswith("<") else f"<{written}>"} is not a registered person '
                                  f"(closest: {_names_list(closest)})",
                         _replaced(reading, written, fresh[0].written) if fresh else None, text=reading.text)


def _named_elsewhere(reading, written: str) -> set[str]:
    """The display names of the registered people the question names besides at ``written``."""
    named = {p.name for p in reading.persons.values()}
    for tok in reading.toks:
        if tok.kind == "name" and tok.text != written:
            exact = reading.roster.exact(tok.value)
            named |= {exact.display} if exact is not None else set()
    rest = reading.text.replace(written, " ", 1).lower()
    named |= {p.display for p in reading.roster.people if len(p.words) > 1 and " ".join(p.words) in rest}
    return named


def _vocabulary() -> list[str]:
    from plvm_photos.ask import when as W
    from plvm_photos.ask.lexicon import KEYWORDS, PEOPLE_WORDS

    words = set(KEYWORDS) | set(PEOPLE_WORDS) | set(W.MONTHS) | set(W.SEASONS) | set(W.PERIODS) | L.MEDIA_NOUNS
    words |= {w for w in L.FILLER if len(w) > 2} | {"between", "before", "after", "since", "until", "during", "near",
                                                    "around", "within", "today", "yesterday", "ago", "taken", "show", "photos",
                                                    "name", "names"}
    words |= L.PERSON_WORDS | {"anywhere", "everywhere", "somewhere", "nowhere"}  # no "every one" for "everyone"
    from plvm_photos.ask.read_time import DAY_PARTS, HOLIDAYS, WEEKDAY_WORDS

    words |= {w for key in HOLIDAYS for w in key if len(w) > 4} | set(DAY_PARTS) | {w for w in WEEKDAY_WORDS if len(w) > 5}
    return sorted(w for w in words if w.isalpha())


def near_keywords(word: str, names: tuple[str, ...] = ()) -> list[str]:
    """The words ``word`` most likely misspells, best first: two run-together words ("whois"),
    else the nearest within one edit (two for words of eight letters or more); ``names``: the
    words of the registered names, of five letters or more ("pennny", "koothrapali")."""
    if len(word) < 3 or not word.isalpha():
        return []
    vocabulary = sorted(set(_vocabulary()) | {n for n in names if len(n) >= 5 and len(word) >= 5})
    known = set(vocabulary)
    if word in known:
        return []
    split = next((f"{word[:i]} {word[i:]}" for i in range(2, len(word) - 1) if word[:i] in known and word[i:] in known), None)
    if split:
        return [split]
    limit = 2 if len(word) >= 8 else 1  # "sister" is no "winter"
    scored = sorted({(_distance(word, k), not _dropped_letters(word, k), -_common_prefix(word, k), k) for k in vocabulary
                     if abs(len(k) - len(word)) <= limit and _may_misspell(word, k)})
    best = scored[0][0] if scored else 0
    return [k for d, _, _, k in scored if d == best] if 0 < best <= limit else []


def _plain_fix(word: str, fixed: str, names: tuple[str, ...]) -> bool:
    """A correction the answer shows plainly, safe to answer rather than ask about: a word of a
    registered name (the answer names the person), a month, a day, a season, a holiday, a time of
    day (the answer says the dates), a word for photos or videos; of four letters or more, and no
    other word as near ("wth" may be "with" or "what": asked)."""
    from plvm_photos.ask import when as W
    from plvm_photos.ask.read_time import DAY_PARTS, HOLIDAYS, WEEKDAY_WORDS

    if len(word) < 4:
        return False
    times = set(W.MONTHS) | set(W.SEASONS) | set(DAY_PARTS) | set(WEEKDAY_WORDS) | {w for key in HOLIDAYS for w in key}
    if fixed in times and (len(word) < 6 or len(fixed) < 6):
        return False  # "sent" is no "sept", "mars" no "march"
    kinds = (set(names), times, L.ASKS_FOR_MEDIA)
    near = near_keywords(word, names)
    return any(fixed in kind and set(near) <= kind for kind in kinds) and (len(near) == 1 or fixed in L.MEDIA_NOUNS)


def _distance(word: str, known: str) -> int:
    """Edits from ``word`` to ``known``, two letters swapped counting one ("hwo": "who")."""
    swapped = len(word) == len(known) and any(word[:i] + word[i + 1] + word[i] + word[i + 2:] == known for i in range(len(word) - 1))
    return 1 if swapped else edit_distance(word, known)


def _dropped_letters(word: str, known: str) -> bool:
    """``word`` is ``known`` with letters left out ("wich": "which", not "with")."""
    letters = iter(known)
    return all(ch in letters for ch in word)


def _family(reading, word: str) -> list:
    """The registered people whose surname ``word`` is the plural of ("koothrappalis")."""
    if not reading.roster or not word.endswith("s") or len(word) < 4:
        return []
    for stem in (word[:-1], word[:-2] if word.endswith("es") else None):
        found = [p for p in reading.roster.people if stem and len(p.words) > 1 and p.words[-1] == stem]
        if found:
            return found
    return []


def _may_misspell(word: str, known: str) -> bool:
    """A short word is taken for a misspelt filler word only where its letters are swapped ("shwo"):
    "dogs" is no "does", "snow" no "show" (a refusal then names the word instead)."""
    if len(word) <= 4 and word[0] != known[0] and sorted(word) != sorted(known):
        return False  # "snow" is no "know", "dogs" no "does"
    if known not in L.FILLER or known in L.KEYWORDS or len(word) >= 6 or known in L.MEDIA_NOUNS:
        return True  # "phtos", "pics" misspelt
    return sorted(word) == sorted(known)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _as_question(text: str) -> str:
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    asks = first in ("where", "who", "which", "is", "are", "does", "do", "did", "how", "what", "when", "can")
    return text + "?" if asks and not text.rstrip().endswith("?") else text


def _leftover_runs(reading) -> list[list[int]]:
    runs: list[list[int]] = []
    for i, tok in enumerate(reading.toks):
        if tok.used or _is_filler(tok, reading.word(i - 1, claimed_too=True), any(k < i for k in reading.persons)):
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


# the user, who is no registered person: filler in "show me", "do I have", never after "of" or "and"
SELF_WORDS = frozenset(["me", "us", "i", "myself", "ourselves", "yourself", "we", "u", "ya"])


POSSESSIVE_PRONOUNS = frozenset(["his", "her", "their", "hers", "theirs"])
PRONOUNS = frozenset(["she", "he", "her", "him", "they", "them", "it", "its"])


def _is_filler(tok, before: str = "", person_before: bool = False) -> bool:
    if tok.kind == "punct":
        return tok.text in PUNCTUATION
    if tok.word in SELF_WORDS and before in L.PERSON_PREPOSITIONS | {"and", "or", "without", "not", "than", "&", ","}:
        return False  # "photos of me", "<a> and me": the user is nobody registered
    if tok.word in POSSESSIVE_PRONOUNS and person_before:
        return True  # "who is with <a> in his photos": <a>'s
    return tok.kind == "word" and (tok.word in L.FILLER or tok.word in L.FRAMING) and tok.value != "'s"


def check_leftovers(reading, intent) -> None:
    """Refuse the first run of words no part used, unless every one is filler."""
    runs = _leftover_runs(reading)
    if not runs:
        for tok in reading.toks:
            if not tok.used:
                tok.used = "filler"
        meaningful = [t for t in reading.toks if t.used not in ("filler", "")]
        if not meaningful and not any(t.word in L.MEDIA_NOUNS or t.word in ("everything", "all") for t in reading.toks):
            raise no_question(reading)
        return
    run = runs[0]
    if len(runs) > 1 and all(reading.toks[k].word in LEADING for k in run) and all(
            t.used or _is_filler(t) for t in reading.toks[run[-1] + 1 : runs[1][0]]):
        run = list(range(run[0], runs[1][-1] + 1))  # "at" "the" "beach": the part is "at the beach"
    start = run[0]
    while start > 0 and not reading.toks[start - 1].used and reading.toks[start - 1].word in LEADING:
        start -= 1  # "on a boat", not "boat"
    first, last = reading.toks[start], reading.toks[run[-1]]
    part = reading.text[first.start : last.end]
    raise _explained(reading, run, part)


LEADING = frozenset(["in", "on", "at", "a", "an", "the", "of", "with", "from", "near", "to", "for", "by", "my", "some",
                     "any", "around", "into", "onto", "over", "under", "inside"])


def _explained(reading, run: list[int], part: str) -> QuestionError:
    tok = reading.toks[run[0]]
    before = reading.word(run[0] - 1, claimed_too=True)
    if tok.word in SELF_WORDS:
        return QuestionError(tok.text, f'"{tok.text}" is you, and only registered people are recognised; register yourself '
                                       'with "plvm-photos add-person NAME PHOTO"', text=reading.text)
    family = _family(reading, tok.word)
    if family and len(run) == 1:  # "the Koothrappalis": a family, not one registered person
        return QuestionError(tok.text, f'"{tok.text}" is a family; name its people, e.g. {_names_list(family)}',
                             _replaced(reading, tok.text, " or ".join(p.written for p in family[:2])), text=reading.text)
    prefixed = ([p for p in reading.roster.people if any(w.startswith(tok.word) for w in p.words)]
                if reading.roster and len(tok.word) == 3 else [])
    if len(prefixed) == 1 and len(run) == 1 and tok.word.isalpha() and tok.word not in PRONOUNS:  # "leo": too short
        # a prefix to be taken unasked; "she" is a pronoun, not the start of "Sheldon"
        return QuestionError(tok.text, f'"{tok.text}" is not a registered name', _replaced(reading, tok.text, prefixed[0].written),
                             text=reading.text)
    names = tuple(w for p in reading.roster.people for w in p.words) if reading.roster else ()
    person_before = (run[0] > 0 and reading.toks[run[0] - 1].used == "person" and reading.toks[run[0] - 1].kind == "word"
                     and reading.toks[run[0] - 1].value != "'s" and not reading.toks[run[0] - 1].text.endswith(("'s", "’s")))
    if person_before and len(run) == 1 and tok.kind == "word" and tok.word.isalpha() and not near_keywords(tok.word, names) \
            and tok.word not in _vocabulary() and tok.word not in LEADING:  # "amy adams" where only <Amy Farrah Fowler>
        # is registered; never "penny at" (the beach): a preposition starts what follows
        first = run[0] - 1
        while first > 0 and reading.toks[first - 1].used == "person" and first - 1 not in reading.persons:
            first -= 1
        if first in reading.persons:
            return unknown_name(reading, reading.text[reading.toks[first].start : tok.end])
    # a misspelt word: correct every one the question has
    fixes = [(reading.toks[i], near_keywords(reading.toks[i].word, names)) for i in range(len(reading.toks))
             if not reading.toks[i].used and reading.toks[i].kind == "word"
             and not _is_filler(reading.toks[i], reading.word(i - 1, claimed_too=True))]
    fixes = [(t, found) for t, found in fixes if found]
    from itertools import islice, product

    for words in islice(product(*(found[:3] for _, found in fixes)), 9) if fixes else ():  # "hwo": "how", else "who"
        fixed = reading.text
        for (t, _), word in sorted(zip(fixes, words), key=lambda f: -f[0][0].start):
            word = word.capitalize() if t.text[:1].isupper() else word
            fixed = fixed[: t.start] + word + fixed[t.end :]
        fixed = _as_question(fixed.strip())
        if _parses(fixed, reading.reparse):
            plain = all(_plain_fix(t.word, word, names) for (t, _), word in zip(fixes, words))
            return QuestionError(reading.text, "", fixed, text=reading.text, corrected=True, plain=plain)
    name = reading.text[tok.start : reading.toks[run[-1]].end]
    rest = [t for t in reading.toks[run[-1] + 1 :] if t.kind != "punct"]
    if not rest and len(run) == 1 and tok.word in ("and", "or", "but", "without", "except", "nor", "with", "not", "between",
                                                   "from", "since", "before", "after", "until"):
        return QuestionError(part, "the question stops too early", text=reading.text)
    joined = reading.toks[run[1]] if len(run) > 1 and tok.word in ("and", "or", "with", "without", "nor", "&") else None
    if joined is not None and joined.word in SELF_WORDS:
        tok = joined
    if tok.word in SELF_WORDS:
        return QuestionError(tok.text, f'"{tok.text}" is you, and only registered people are recognised; register yourself '
                                       'with "plvm-photos add-person NAME PHOTO"', text=reading.text)
    if joined is not None and reading.roster and joined.kind == "word" and joined.word.isalpha() and len(run) <= 3 \
            and joined.word not in LEADING:  # "with the dog" names no one
        return unknown_name(reading, reading.text[joined.start : reading.toks[run[-1]].end])  # "<a> and bernie"
    if before in ("in", "at", "from", "near", "around", "to", "outside", "visiting") and tok.text[:1].isupper():
        from plvm_photos.ask.read_place import near_misses

        guesses = near_misses(name)
        if len(guesses) == 1:  # "photos in Pariss": the question with the place's name
            fixed = _replaced(reading, name, guesses[0].name)
            if _parses(fixed, reading.reparse):  # a capitalised place, a letter or two off: the answer names it
                plain = edit_distance(name.lower(), guesses[0].name.lower()) <= (1 if len(name) < 8 else 2)
                return QuestionError(reading.text, "", fixed, text=reading.text, corrected=True, plain=plain)
        hint = f' (did you mean {" or ".join(g.describe() for g in guesses)}?)' if guesses else ""
        return QuestionError(part, f'I don\'t know the place "{name}"{hint}; places are cities, regions, countries and '
                                   "continents", text=reading.text)
    if reading.roster and (before in L.PERSON_PREPOSITIONS | {"and", "or", "not", "without", "but"} or tok.text[:1].isupper()
                           or tok.value == "'s"):
        if tok.text[:1].isupper() or before in ("of", "with", "and", "or", "without"):
            return unknown_name(reading, name)
    if before in ("in", "at", "from", "near", "around"):
        from plvm_photos.ask.read_place import near_misses

        guesses = near_misses(name) if tok.word.isalpha() and len(tok.word) >= 4 else []
        if len(guesses) == 1:  # "in versaille": asked, never taken unasked ("in color" is no Colón)
            fixed = _replaced(reading, name, guesses[0].name)
            if _parses(fixed, reading.reparse):
                return QuestionError(reading.text, "", fixed, text=reading.text, corrected=True)
        return QuestionError(part, f'I can\'t use "{part}": "{name}" is not a place or a time I know', text=reading.text)
    if tok.word == "from" and len(run) == 1 and run[0] + 1 in reading.persons:  # "pictures from <a>": of, or taken by?
        return QuestionError(part, f'"from {reading.toks[run[0] + 1].text}" may be who is in them or who sent or took them; '
                                   "only who is in them is known", _replaced(reading, tok.text + " ", "of "), text=reading.text)
    if len(run) == 1 and tok.word in L.TRIP_WORDS:
        return QuestionError(tok.text, f'a {tok.word.rstrip("s")} is where and when it was: say where or when, e.g. '
                                       f'"{tok.word} to Paris", "{tok.word} in 2019"', text=reading.text)
    place = _place_named(tok.word) if len(run) == 1 and tok.kind == "word" and tok.word.isalpha() else None
    if place is not None:  # "versailles photos": a small town written in lower case is taken only when asked for
        rest = reading.text[: tok.start] + reading.text[tok.end :]
        rewrite = " ".join(rest.rstrip(" ?!.").split()) + f" in {place}" + ("?" if rest.rstrip().endswith("?") else "")
        if _parses(rewrite, reading.reparse):
            return QuestionError(part, f'"{tok.text}" may be the place {place} or a word I don\'t know', rewrite,
                                 text=reading.text)
    if tok.kind == "number":
        return QuestionError(part, f'I can\'t use "{part}": a number alone is no date; write a year such as 2019, '
                                   'or "the 3 most recent photos"', text=reading.text)
    return QuestionError(part, f'I can\'t use "{part}"', text=reading.text)


def _place_named(word: str) -> str | None:
    """The name of the place ``word`` is the own name of, if any ("versailles": "Versailles")."""
    from plvm_photos.places.geocode import candidates
    from plvm_photos.places.place import fold

    found = [p for p in candidates(word) if fold(p.name) == fold(word)]
    return found[0].name if found else None


def check_query(reading, query) -> None:
    """Refuse a query whose parts do not go together."""
    one_photo = query.intent in ("who", "who_at", "is_in", "is_at", "which", "relative", "related", "photo_when",
                                 "photo_where") or (query.intent == "where" and query.photos)
    if one_photo and (query.time is not None or query.place is not None):
        raise QuestionError(reading.text, "a question about one photo cannot also give a time or a place", text=reading.text)
    if query.photos and query.intent in ("list", "count", "exists", "people", "places", "times"):
        ref = query.photos[0].ref
        raise QuestionError(ref, f"a question about photos cannot also name one photo ({ref})", text=reading.text)
    needs_people = {"where": "whose place", "which": "who to find", "is_in": "who to look for", "is_at": "who to look for",
                    "relative": "whom the others stand beside", "related": "two people"}
    if query.intent in needs_people and query.people is None:
        raise QuestionError(reading.text, f"the question does not say {needs_people[query.intent]}", text=reading.text)
    if query.intent == "related" and len(set(query.names())) < 2:
        raise QuestionError(reading.text, "a relation needs two people", text=reading.text)
    if query.intent in ("who", "who_at", "photo_when", "photo_where") and query.people is not None and query.intent != "who":
        raise QuestionError(reading.text, "a question about who is where in a photo names nobody", text=reading.text)
    if query.intent == "who" and query.people is not None and not _left_out_only(query.people):
        raise QuestionError(reading.text, "a question about who is in a photo names nobody; ask \"is <a> in it?\"",
                            text=reading.text)
    if query.order is not None and query.intent not in ("list", "times"):
        raise QuestionError(reading.text, "first / last / most recent go with a list of photos or a date", text=reading.text)
    if query.intent in ("visual_yes_no", "visual_open", "visual_count") and query.people is None:
        raise QuestionError(query.action or reading.text, f'I can\'t use "{query.action}": say whom it is about, e.g. '
                                                          '"photos where <a> is smiling"', text=reading.text)
    if query.cues and query.intent not in ("list", "count", "exists", "is_in"):
        raise QuestionError(reading.text, "what people do is judged over photos (which, how many, whether) or in one photo "
                                          '("is <a> smiling in beach.jpg?"), not for who, when or where', text=reading.text)
    if query.cues:
        asked = set(_asked_names(query.people))
        for cue in query.cues:
            missing = [n for n in cue.people if n not in asked]
            if missing:
                raise QuestionError(cue.describe(), f'"{cue.describe()}" is about <{missing[0]}>, whom the question leaves out',
                                    text=reading.text)
    if query.most and query.intent not in ("people", "places", "times"):
        raise QuestionError(reading.text, '"most" goes with who, where and when', text=reading.text)


def _left_out_only(expr) -> bool:
    """"who else is in beach.jpg besides <a>": people only left out of the answer."""
    from plvm_photos.ask.query import AnyOf, Not, Person

    return isinstance(expr, Not) and (isinstance(expr.item, Person) or (
        isinstance(expr.item, AnyOf) and all(isinstance(item, Person) for item in expr.item.items)))


def _asked_names(expr) -> list[str]:
    """The people a people expression asks to be in the photo (not those it leaves out)."""
    from plvm_photos.ask.query import AllOf, Only, Person

    if isinstance(expr, Person):
        return [expr.name]
    if isinstance(expr, (AllOf, Only)):
        return [name for item in expr.items for name in _asked_names(item)]
    return []


# --- rewrites that work -----------------------------------------------------------------------
def _parses(text: str, parse) -> bool:
    if not text.strip() or parse is None:
        return False
    try:
        parse(text)
    except QuestionError:
        return False
    return True


def _says_something(text: str, parse) -> bool:
    """A rewrite that parses and still asks about someone, some time, place or photo, or is one
    of the examples ("who is?" parses, and says nothing of the question it stands for)."""
    if not text.strip() or parse is None:
        return False
    try:
        query = parse(text)
    except QuestionError:
        return False
    return bool(query.people or query.time or query.place or query.photos or query.media or query.cues or query.most
                or query.intent in ("people_count", "count"))


def _without(text: str, part: str) -> str:
    if not part or part not in text:
        return ""
    out = text.replace(part, " ", 1)
    return " ".join(out.split())


def _people_named(text: str, roster) -> list[str]:
    """The registered people ``text`` names or nearly names (a name, a first name, a prefix, a
    misspelling), in the order written: a rewrite is about them, not about the first people of
    the roster."""
    from plvm_photos.ask.tokens import tokenize

    try:
        toks = tokenize(text)
    except QuestionError:
        return []
    found: list[str] = []
    for tok in toks:
        if tok.kind == "name":
            people = roster.matches(tok.value) or roster.closest(tok.value, limit=1)
        elif tok.kind == "word" and tok.word.isalpha() and len(tok.word) >= 3 and not _is_filler(tok) \
                and tok.word not in L.KEYWORDS and tok.word not in L.PEOPLE_WORDS:
            people = roster.matches(tok.word, prefixes=len(tok.word) >= 4) or [
                p for p in roster.closest(tok.word, limit=1)
                if len(tok.word) >= 4 and any(edit_distance(tok.word, w) <= 1 + (len(tok.word) >= 7) for w in p.words)]
        else:
            continue
        found += [p.written for p in people if p.written not in found]
    return found


def _without_joined(text: str, part: str) -> str:
    """``text`` without ``part`` and the word that joins it to the rest ("or <zack>", "<zack> and")."""
    import re

    for pattern in (r"\s*(?:,|\band\b|\bor\b|&|\bbut not\b|\bwithout\b|\bwith\b|\bnor\b)\s*" + re.escape(part),
                    re.escape(part) + r"\s*(?:,|\band\b|\bor\b|&)\s*",
                    r"\b(?:of|with|showing|featuring)\s+" + re.escape(part) + r"(?=\s+(?:in|from|on|at|taken|during)\b)"):
        found = re.search(pattern, text, flags=re.IGNORECASE)
        if found:
            return " ".join((text[: found.start()] + " " + text[found.end():]).split())
    return ""


def fallback_examples(text: str, roster) -> list[str]:
    """Questions of the kind ``text`` asks, about the people it names (or nearly names), else
    about the user's own first people."""
    names = _people_named(text, roster) if roster else []
    if roster is None:
        names = ["<mike>", "<susan>"]
    a = names[0] if names else None
    b = names[1] if len(names) > 1 else None
    first = text.strip().split(maxsplit=1)[0].lower().replace("’", "'").split("'")[0] if text.strip() else ""  # "who's": who
    by_head = {
        "where": [f"where is {a}?"] if a else [],
        "who": [f"who is with {a}?"] if a else ["who is in the most photos?"],
        "when": [f"when did I last see {a}?"] if a else [],
        "how": [f"how many photos of {a} are there?"] if a else ["how many photos are there?"],
        "is": [f"are there photos of {a}?"] if a else [],
        "are": [f"are there photos of {a} and {b}?"] if a and b else [],
        "which": ["which city has the most photos?"],
        "what": ["which city has the most photos?"],
    }
    generic = ([f"photos of {a} or {b}"] if a and b else []) + ([f"photos of {a}"] if a else [])
    return [*by_head.get(first, []), *generic, "photos from this year", "how many photos are there?"]


JOINERS = frozenset(["and", "or", "but", "nor", "&"])
RELATIVE_WORDS = frozenset(["that", "which", "where", "who", "whose", "when", "while"])
TRAILING_VERBS = frozenset(["is", "are", "was", "were", "be", "been", "look", "looks", "seem", "seems"]) | RELATIVE_WORDS \
    | PRONOUNS


def _without_trailing_verbs(words: list[str]) -> list[str]:
    """"which photos are" (blurry): "which photos"; "photos of <a> that are" (blurry): "photos of
    <a>"; a question word with one more word is left as it is."""
    while len(words) > 2 and words[-1].lower() in TRAILING_VERBS:
        words = words[:-1]
    return words


def _dangles(candidate: str) -> bool:
    """A rewrite with a word left hanging where a part was cut out: a last "of" / "and" / "in", a
    joiner before a preposition or another joiner ("<a> and in Paris"), a preposition before a
    joiner ("photos of and <b>"), a first "and"."""
    words = [w.lower() for w in candidate.replace("?", " ").replace(",", " , ").split()]
    if not words or words[-1] in LEADING | JOINERS | RELATIVE_WORDS | PRONOUNS | {"not", ","} or words[0] in JOINERS:
        return True
    if words[-1].endswith(("'s", "’s")) and len(words[-1]) > 2:  # "penny's", its noun cut away
        return True
    for a, b in zip(words, words[1:]):
        if a in JOINERS and b in JOINERS | {"in", "on", "at", "from", "of", "with", "near", "to", ","}:
            return True
        if a in ("of", "with", "in", "from", "near", "at", "to", "without") and b in JOINERS | {",", "of", "with", "in", "from",
                                                                                   "near", "at", "to", "on"}:
            return True  # "photos of in 2019"
    return False


def with_working_suggestion(error: QuestionError, text: str, parse, roster) -> QuestionError:
    """``error`` with a suggestion that ``parse`` (the same day and roster) accepts: its own where
    it does, else the question without the refused part, else one of ``fallback_examples``."""
    question = error.text if error.text is not None else text.strip()
    if error.suggestion and _parses(error.suggestion, parse):
        return error
    if error.corrected:
        error = QuestionError(error.part, f'I can\'t use "{error.part}"', text=question)
    candidates = []
    if error.part and error.part != question and question.find(error.part) > 0:  # the question up to the part
        head = question[: question.find(error.part)].strip().rstrip(",;:")
        candidates.append(_as_question(" ".join(_without_trailing_verbs(head.split()))))  # "which photos are" blurry
        candidates.append(_as_question(head))
    from plvm_photos.ask.tokens import tokenize

    try:
        files = [t.text for t in tokenize(question) if t.kind == "file"]
    except QuestionError:
        files = []
    candidates += [f"who is in {name}?" for name in files[:1]]
    if error.part and error.part != question:
        candidates.append(_as_question(_without_joined(question, error.part)))  # "<a> or <zack> in 2019": "<a> in 2019"
        candidates.append(_as_question(_without(question, error.part)))
    candidates += fallback_examples(question, roster)
    for candidate in candidates:
        if candidate and candidate != question and not _dangles(candidate) and _says_something(candidate, parse):  # no "photos of"
            return QuestionError(error.part, error.message, candidate, text=question)
    return QuestionError(error.part, error.message, None, text=question)
