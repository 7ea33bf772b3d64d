"""What a question asks, from its question words wherever they stand: a list of photos, a count, a
yes / no, who, when, where, first / last / the N most recent, the most; and, for a vision model,
what someone does ("wearing a hat").

``read_intent(reading)`` claims the words it uses (``Tok.used = "intent"``) and returns an
``Intent``; the parts it does not read (people, time, place, photos) are read by their own readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plvm_photos.ask import lexicon as L

COUNT_HEADS = (("how", "many"), ("how", "much"), ("number", "of"), ("how", "often"), ("count",), ("total", "number"),
               ("in", "how", "many"), ("amount", "of"))
PRESENCE = frozenset(["appears", "appear", "appeared", "appearing", "is", "are", "was", "were", "shows", "show", "showed",
                      "present", "visible", "pictured", "there", "be", "been", "featured", "seen", "shown", "included"])
RELATION_PHRASES = {phrase: relation for phrase, relation in L.RELATIONS.items()}
POSITION_PHRASES = {**{f"on the {p}": s for p, s in L.POSITION_WORDS.items()}, **{f"in the {p}": s for p, s in L.POSITION_WORDS.items()},
                    **{f"at the {p}": s for p, s in L.POSITION_WORDS.items()}, **{f"to the {p}": s for p, s in L.POSITION_WORDS.items()},
                    **{f"{p}": s for p, s in L.POSITION_WORDS.items()}, **{f"on {p}": s for p, s in L.POSITION_WORDS.items()},
                    **{f"{p} side": s for p, s in L.POSITION_WORDS.items()}, **{f"on the {p} side": s for p, s in L.POSITION_WORDS.items()},
                    "in the middle": "middle", "in the center": "middle", "in the centre": "middle", "furthest left": "far left",
                    "furthest right": "far right", "on the very left": "far left", "on the very right": "far right",
                    "most left": "far left", "most right": "far right", "far left": "far left", "far right": "far right"}
SEE_VERBS = frozenset(["see", "saw", "seen", "photograph", "photographed", "picture", "pictured", "meet", "met", "shoot",
                       "shot", "snap", "snapped", "take", "took", "taken", "capture", "captured", "spot", "spotted", "have",
                       "had", "get", "got", "be", "visit", "visited", "been", "go", "went", "travel", "traveled",
                       "travelled", "hang", "hung", "hanging", "spend", "spent"])
TAGGED = frozenset(["tagged", "registered", "named", "added", "know", "known", "recognised", "recognized", "labelled",
                    "labeled", "identified", "saved", "have", "got"])
GERUND = re.compile(r"^[a-z]{3,}ing$")
NOT_ACTIONS = frozenset(["showing", "containing", "including", "featuring", "having", "starring", "during", "nothing",
                         "something", "anything", "everything", "morning", "evening", "wedding", "building", "king",
                         "spring", "thing", "things", "ring", "string", "ceiling", "being", "bring", "sing", "wing",
                         "looking for", "missing", "according", "pending", "remaining", "following", "existing",
                         "upcoming", "beijing", "nanjing", "reading", "darling", "sterling", "during", "hanging", "wondering",
                         "trying", "hoping", "thinking", "asking", "searching", "looking", "wanting", "going", "listing",
                         "finding", "getting", "giving", "pulling", "bringing", "displaying", "counting", "sorting",
                         "living", "timing", "excluding", "regarding", "concerning", "spring"])
POSTURES = frozenset(["standing", "sitting", "sat", "stood", "positioned", "placed", "located", "posing", "seated",
                      "stand", "stands", "sit", "sits", "appears", "appear"])


@dataclass
class Intent:
    intent: str = "list"
    order: str | None = None
    limit: int | None = None
    kind: str | None = None
    most: bool = False
    others: bool = False
    position: str | None = None
    relation: str | None = None
    action: str | None = None
    media: str | None = None  # None: photos and videos alike


def _first_free(reading) -> int:
    """The first word that may say what is asked (past "please", "tell me", "can you")."""
    for i, tok in enumerate(reading.toks):
        if tok.kind == "punct" or tok.word in L.FRAMING:
            continue
        if tok.word in ("tell", "me", "us", "please", "so", "and", "then") and not tok.used:
            continue
        if tok.word == "just" and not tok.used and reading.word(i + 1) in L.FRAMING:
            continue  # "just curious, who ..."
        if tok.word in ("can", "could", "would", "will") and reading.word(i + 1) in ("you", "u"):
            continue
        if tok.word in ("you", "u") and i > 0 and reading.toks[i - 1].word in ("can", "could", "would", "will"):
            continue
        return i
    return 0


def _claim_phrase(reading, i: int, size: int) -> None:
    reading.claim([k for k in range(i, i + size) if reading.free(k)], "intent")


def _find_free(reading, phrases) -> tuple[int, int] | None:
    for i in range(len(reading.toks)):
        size = reading.phrase_at(i, phrases)
        if size:
            return i, size
    return None


def read_intent(reading, early: bool = False, early_found: Intent | None = None, ranking=None) -> Intent:
    """See the module docstring; ``early`` (before times and places are read): claim only what
    they could misread (relations and positions in a photo, "the 3 most recent"), and return it
    to be passed back as ``early_found``. ``ranking``: a ``read_ranking.Ranking`` the question
    asks for ("the top 3 people"), read before both."""
    files = bool(reading.photos)
    if early:
        found = Intent()
        if files:
            found.relation = _claim_relation(reading)
            found.position = _claim_position(reading)
        _claim_order(reading, found)
        return found
    intent = Intent(order=early_found.order, limit=early_found.limit) if early_found else Intent()
    _refuse_photographer(reading)
    _refuse_look_alikes(reading)
    words = [t.word for t in reading.toks]
    head = _first_free(reading)
    first = words[head] if words else ""
    _claim_media(reading, intent)
    relation = (early_found.relation if early_found else None) or (_claim_relation(reading) if files else None)
    position = (early_found.position if early_found else None) or (_claim_position(reading) if files else None)
    intent.relation, intent.position = relation, position
    if intent.order is None:
        _claim_order(reading, intent)
    if ranking is not None and not files:
        return _ranked(reading, intent, ranking)
    if _compares(reading):  # "more photos of <a> or <b>?", "who is in more photos, <a> or <b>?"
        _claim_words(reading, ("more", "who", "whom", "which", "whose", "one", "of", "them", "has", "have", "is", "are"))
        intent.intent, intent.most, intent.kind = "people", True, "named"
        return intent
    count = _find_count(reading)
    persons = bool(reading.persons) or any(t.used in ("nobody", "no_one", "strangers") for t in reading.toks)
    asks_people = _claim_people_question(reading)
    per = _per(reading) if count is not None else None
    if per is not None:  # "how many photos of each person / per year / by city": a ranking
        _claim_phrase(reading, *count)
        intent.intent, intent.kind = per
        return intent
    if count is not None:
        i, size = count
        _claim_phrase(reading, i, size)
        after = [w for w in words[i + size : i + size + 3]]
        kind_word = next((w for w in after if w in L.PLACE_KIND_WORDS), None)
        if any(w in ("people", "persons", "faces", "friends", "person", "individuals") for w in after):
            _claim_words(reading, ("people", "persons", "faces", "friends", "person", "individuals", "different"))
            intent.intent = "people_count"
            _claim_words(reading, L.TAGGED_WORDS if hasattr(L, "TAGGED_WORDS") else TAGGED)
        elif kind_word is not None:
            _claim_words(reading, (kind_word, "different"))
            intent.intent, intent.kind = "places", L.PLACE_KIND_WORDS[kind_word]
        else:
            _claim_words(reading, ("times", "time"))
            intent.intent = "count"
        _action(reading, intent, "visual_count")
        return intent
    last = [w for w, t in zip(words, reading.toks) if t.kind != "punct"][-2:]
    echo = last[-1:] in (["who"], ["whom"]) and persons  # "<a> is with who?", "<a> was photographed with whom"
    if (first in ("who", "whom", "whose") or asks_people or (first == "with" and words[head + 1 : head + 2] == ["whom"])
            or echo or _lists_people(reading)):
        _claim_words(reading, ("who", "whom", "whose", "else", "else's"))
        return _who(reading, intent, files, persons)
    if _claim_whereabouts(reading):  # "<a>'s location": where <a> is
        return _where(reading, intent, files, persons, head)
    if first == "how" and words[head + 1 : head + 2] == ["long"] and (
            words[head + 2 : head + 3] in (["since"], ["ago"]) or words[head + 2 : head + 5] == ["has", "it", "been"]):
        # "how long since I saw <a>?": the last time (how long a stay lasted is not asked here)
        _claim_words(reading, ("how", "long", "since", "ago", "has", "it", "been", "is", "was"))
        intent.order = None if files else "last"
        return _when(reading, intent, files, head)
    if first == "when" or (first in ("what", "which") and any(w in ("date", "day", "year", "month", "time", "years", "months", "dates",
                                                                       "days") for w in words[head + 1 : head + 3])
                           and not _has_place_kind(words)):
        return _when(reading, intent, files, head)
    if first == "where" or _starts(words, head, ("in", "which")) and _has_place_kind(words) or _has_place_kind(words, head):
        return _where(reading, intent, files, persons, head)
    if files and relation is not None and persons and first in ("which", "what"):
        _claim_words(reading, ("which", "what", "person", "one", "face", "people", "is", "are"))
        intent.intent = "relative" if len(reading.persons) == 1 else "related"
        return intent
    if files and first in ("in", "which", "what") and any(w in ("city", "place", "country", "location", "where") for w in words[head: head + 3]):
        _claim_words(reading, ("in", "which", "what", "city", "place", "country", "location"))
        return _where(reading, intent, files, False, head)
    if files and not persons and first in ("people", "persons", "faces", "anyone", "everyone", "somebody", "someone"):
        _claim_words(reading, ("people", "persons", "faces", "anyone", "everyone", "somebody", "someone"))
        intent.intent = "who"
        return intent
    if first == "what" and _action_words(reading):
        _claim_words(reading, ("what",))
        intent.intent = "visual_open"
        _action(reading, intent, "visual_open", force=True)
        return intent
    if first in ("which", "what") and files and persons and any(w in ("person", "one", "face", "is", "of") for w in words[head + 1 : head + 3]):
        _claim_words(reading, ("which", "what", "person", "one", "face", "them"))
        intent.intent = "which"
        return intent
    if first == "describe":
        _claim_words(reading, ("describe",))
        intent.intent, intent.action = "visual_open", "describe"
        return intent
    raw_first = reading.toks[0].word if reading.toks else ""
    asked = reading.text.rstrip().endswith("?")
    if first in L.AUXILIARIES or first in ("have", "has") or (raw_first in ("any", "got") and asked and not files):
        return _yes_no(reading, intent, files, persons)
    if files and not persons:
        intent.intent = "who"  # "beach.jpg?", "people in beach.jpg"
        return intent
    if files and persons:
        intent.intent = "is_in"
        return intent
    if intent.intent == "list":
        _action(reading, intent, "visual_yes_no")
    return intent


PER_WORDS = frozenset(["per", "each", "every", "by", "for"])


def _per(reading) -> tuple[str, str | None] | None:
    """("people" | "times" | "places", kind) for "per person", "each year", "by city", claimed."""
    for i in range(len(reading.toks) - 1):
        if reading.word(i) not in PER_WORDS:
            continue
        j = i + 1 + (reading.word(i + 1) == "single")
        word = reading.word(j)
        if word in ("person", "people", "one", "friend", "individual", "of"):
            if word == "of" and reading.word(j + 1) != "them":
                continue
            reading.claim([k for k in range(i, j + 1 + (word == "of")) if reading.free(k)], "intent")
            return "people", None
        if word in L.TIME_KIND_WORDS or word in L.PLACE_KIND_WORDS:
            reading.claim(range(i, j + 1), "intent")
            return ("times", L.TIME_KIND_WORDS[word]) if word in L.TIME_KIND_WORDS else ("places", L.PLACE_KIND_WORDS[word])
    return None


def _compares(reading) -> bool:
    """A comparison of people: "more" and two people or more joined by "or" / "than"."""
    words = [reading.word(i) for i in range(len(reading.toks))]
    return ("more" in words and len(reading.persons) >= 2 and ("or" in words or "than" in words)
            and not any(w in ("many", "much", "number", "count", "times") for w in words))


TOOK = frozenset(["took", "shot", "snapped", "captured", "filmed", "photographed", "recorded", "made", "takes", "shoots",
                  "take", "shoot", "snap", "capture", "film", "taken", "snaps", "captures", "films"])
TAKEN_HOW = frozenset(["in", "on", "at", "during", "last", "this", "from", "since", "before", "after", "between", "near",
                       "around", "outside", "inside", "within", "when", "where", "while", "?", ".", ""])


def _refuse_photographer(reading) -> None:
    """"photos <a> took", "who took beach.jpg", "photos taken by <a>": who held the camera is not
    recorded (only who is in a photo), so such a question is refused, never read as "photos of <a>"."""
    from plvm_photos.ask.query import QuestionError

    for i, tok in enumerate(reading.toks):
        j = i - 1
        while j >= 0 and reading.toks[j].word in ("has", "had", "have", "ever", "just", "also") and not reading.toks[j].used:
            j -= 1
        after_person = j >= 0 and (j in reading.persons or reading.toks[j].used == "person")
        start = j
        while start > 0 and reading.toks[start - 1].used == "person" and start not in reading.persons:
            start -= 1
        introduced = reading.word(start - 1, claimed_too=True) in L.PERSON_PREPOSITIONS | {"and", "or", ",", "&"}
        passive = reading.word(start - 1, claimed_too=True) in ("was", "were", "is", "are", "been", "be", "get", "got")
        adverbs_only = all(reading.toks[k].word in ("ever", "just", "also") for k in range(j + 1, i))
        participle = adverbs_only and (introduced or passive) and tok.word in ("taken", "shot", "captured", "filmed",
                                                                             "photographed", "snapped", "made") and (
            passive or
            reading.word(i + 1, claimed_too=True) in TAKEN_HOW or reading.toks[i + 1 :][:1] and reading.toks[i + 1].used in
            ("time", "place"))  # "photos of <a> taken in Paris": when and where; "photos <a> shot": by whom
        by = tok.word in L.TAKEN_WORDS and reading.word(i + 1, claimed_too=True) == "by"
        if (tok.word in TOOK and not participle and (after_person or reading.word(i - 1, claimed_too=True) == "who")) or by:
            names = " and ".join(f"<{p.name}>" for p in reading.persons.values())
            rewrite = f"photos of {names}" if names else (f"who is in {reading.photos[0].written}?" if reading.photos else None)
            words = reading.text[tok.start : reading.toks[min(i + 1, len(reading.toks) - 1)].end] if by else tok.text
            raise QuestionError(words, "who took a photo is not recorded, only who is in it", rewrite, text=reading.text)


LOOK_ALIKE = frozenset(["like", "resembling", "similar", "alike"])


def _refuse_look_alikes(reading) -> None:
    """"photos like beach.jpg" answered who is in beach.jpg ("like" is a filler word: "I'd like
    to see"): photos are found by who is in them, when and where, never by how they look."""
    from plvm_photos.ask.query import QuestionError

    for i, tok in enumerate(reading.toks):
        j = i + 1 + (reading.word(i + 1, claimed_too=True) == "to")  # "similar to beach.jpg"
        if tok.word in LOOK_ALIKE and j < len(reading.toks) and reading.toks[j].kind == "file":
            raise QuestionError(reading.text[tok.start : reading.toks[j].end],
                                "photos are found by who is in them, when and where, not by how they look",
                                f"who is in {reading.toks[j].text}?", text=reading.text)


def _starts(words: list[str], i: int, prefix: tuple[str, ...]) -> bool:
    return tuple(words[i : i + len(prefix)]) == prefix


def _has_place_kind(words: list[str], head: int | None = None) -> bool:
    if head is not None:
        return len(words) > head + 1 and words[head] in ("which", "what") and words[head + 1] in L.PLACE_KIND_WORDS
    return any(words[i] in ("which", "what") and words[i + 1] in L.PLACE_KIND_WORDS for i in range(len(words) - 1))


def _claim_words(reading, words) -> None:
    for tok in reading.toks:
        if not tok.used and tok.word in words:
            tok.used = "intent"


def _claim_media(reading, intent: Intent) -> None:
    """"videos of <x>": videos only; "stills of <x>", "still photos", "<x>, photos only", "no videos":
    photos only. A plain "photos" asks for photos and videos alike, as photo apps read it."""
    for i, tok in enumerate(reading.toks):
        if tok.used:
            continue
        before, after = reading.word(i - 1), reading.word(i + 1)
        pair = {tok.word, reading.word(i + 2)}
        if after in ("and", "or", "&", "/") and pair & L.PHOTO_NOUNS and pair & L.VIDEO_NOUNS:
            reading.claim([i, i + 1, i + 2], "media")  # "photos and videos": both, as a plain "photos" is
            continue
        if tok.word in L.VIDEO_NOUNS and before in L.NEGATIONS:  # "no videos", "without videos"
            intent.media = "photo"
            joined = [i - 2] if reading.word(i - 2) in ("but", "and", ",") else []  # "<a>, but no videos"
            reading.claim([*joined, i - 1, i], "media")
        elif tok.word in L.VIDEO_NOUNS:
            intent.media = "video"
            reading.claim([i - 1, i] if before in ("only", "just") else [i], "media")  # "only videos of <a>"
        elif tok.word == "stills" or (tok.word == "still" and after in L.PHOTO_NOUNS):
            intent.media = "photo"
            reading.claim([i], "media")
        elif tok.word in L.PHOTO_NOUNS and after == "only" and not reading.word(i + 2).isalnum():
            intent.media = "photo"  # "... photos only" at the end of the question
            reading.claim([i + 1], "media")
    if intent.media == "photo":  # "only photos of <a>, not videos": the "only" is the media's, not <a>'s
        for i, tok in enumerate(reading.toks):
            if not tok.used and tok.word in ("only", "just") and reading.word(i + 1) in L.PHOTO_NOUNS:
                reading.claim([i], "media")


def _claim_relation(reading) -> str | None:
    found = _find_free(reading, frozenset(RELATION_PHRASES))
    if found is None:
        return None
    i, size = found
    phrase = " ".join(reading.word(i + k) for k in range(size))
    # "next to each other" is an action judged from geometry, not a relation to one person
    if reading.word(i + size) in ("each", "one") or reading.phrase_at(i + size, frozenset(["each other", "one another"])):
        return None
    if not any(k in reading.persons for k in range(i + size, min(len(reading.toks), i + size + 3))):
        # "left of <b>" needs its <b>; "on the left side of beach.jpg" is a position
        if phrase in ("near", "close to", "alongside") or reading.phrase_at(i, frozenset(POSITION_PHRASES)):
            return None
    _claim_phrase(reading, i, size)
    _claim_words(reading, POSTURES)
    return RELATION_PHRASES[phrase]


def _claim_position(reading) -> str | None:
    found = _find_free(reading, frozenset(POSITION_PHRASES))
    if found is None:
        return None
    i, size = found
    phrase = " ".join(reading.word(i + k) for k in range(size))
    _claim_phrase(reading, i, size)
    if reading.word(i + size) == "of":
        _claim_phrase(reading, i + size, 1)
    _claim_words(reading, POSTURES)
    return POSITION_PHRASES[phrase]


COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
               "twelve": 12, "twenty": 20}  # "the last three videos"
def _count_of(word: str) -> int | None:
    return int(word) if word.isdecimal() else COUNT_WORDS.get(word)


ORDER_WORDS = {**{w: "first" for w in L.FIRST_WORDS}, **{w: "last" for w in L.LAST_WORDS}, "most recent": "last",
               "most recently": "last", "newest": "last", "oldest": "first"}


# how a list is sorted: by date, newest ("last") or oldest ("first") first; by date alone is oldest first
SORT_PHRASES = {"newest first": "last", "latest first": "last", "most recent first": "last", "recent first": "last",
                "newest to oldest": "last", "latest to earliest": "last", "from newest to oldest": "last",
                "from latest to earliest": "last", "reverse chronological order": "last", "newest on top": "last",
                "in reverse chronological order": "last", "reverse chronologically": "last",
                "oldest first": "first", "earliest first": "first", "oldest to newest": "first",
                "from oldest to newest": "first", "earliest to latest": "first", "from earliest to latest": "first",
                "in chronological order": "first", "chronological order": "first", "chronologically": "first",
                "in date order": "first", "by date": "", "by time": "", "by date taken": "", "by the date": "",
                "sorted by date": "", "ordered by date": "", "sort by date": "", "order by date": "",
                "sorted by time": "", "sorted by date taken": "", "sort them by date": "", "sorted": "", "ordered": "",
                "sort": "", "order": ""}
_PLAIN_SORT = frozenset(["sorted", "ordered", "sort", "order"])  # sorted how? said by another phrase


def _claim_sort(reading, intent: Intent) -> None:
    """"photos of <a> newest first", "sorted by date", "oldest to newest", "in chronological
    order": every photo, in that order (``limit`` stays None)."""
    found = []
    i = 0
    while i < len(reading.toks):
        size = reading.phrase_at(i, SORT_PHRASES)
        if size:
            found.append((i, size, " ".join(reading.word(i + k) for k in range(size))))
            i += size
            continue
        i += 1
    if not found or all(said in _PLAIN_SORT for _, _, said in found):
        return  # "sorted" alone says no order
    orders = {SORT_PHRASES[said] for _, _, said in found} - {""}
    if len(orders) > 1:
        raise QuestionError(reading.text, "the question asks for both newest and oldest first; say one", text=reading.text)
    for i, size, _ in found:
        reading.claim(range(i, i + size), "intent")
    intent.order, intent.limit = (orders.pop() if orders else "first"), None


def _claim_order(reading, intent: Intent) -> None:
    """"the 3 most recent photos", "the latest photo", "my first photos with <a>", "last 5 pics";
    "5 photos of <a>", "one photo of <a>": that many, the most recent (the answer says so)."""
    _claim_sort(reading, intent)
    if intent.order is not None:
        return
    head = _first_free(reading)
    number = 1 if reading.word(head) == "one" else _count_of(reading.word(head))
    if number is not None and number <= 100 and not reading.word(head).startswith("0") and (
            reading.word(head + 1) in L.ASKS_FOR_MEDIA):
        intent.order, intent.limit = "last", number
        reading.claim([head], "intent")
        return
    words = [reading.word(i) for i in range(len(reading.toks))]
    for i, word in enumerate(words):
        two = f"{word} {words[i + 1]}" if i + 1 < len(words) else ""
        phrase, size = (two, 2) if two in ORDER_WORDS else ((word, 1) if word in ORDER_WORDS else ("", 0))
        if not size:
            continue
        j = i + size
        number = None
        if j < len(words) and (words[j].isdecimal() or words[j] in COUNT_WORDS):
            number, j = int(words[j]) if words[j].isdecimal() else COUNT_WORDS[words[j]], j + 1
        elif i > 0 and _count_of(words[i - 1]) is not None:
            number = _count_of(words[i - 1])
        elif i > 1 and _count_of(words[i - 2]) is not None and words[i - 1] == "most":
            number = _count_of(words[i - 2])
        k = j
        while k < len(words) and words[k] in ("few", "couple", "of", "my", "the", "few"):
            k += 1
        noun = words[k] if k < len(words) else ""
        if noun in L.MEDIA_NOUNS or noun in ("time", "times") or (phrase in ("latest", "newest", "most recent", "earliest", "oldest") and noun == ""):
            intent.order = ORDER_WORDS[phrase]
            plural = noun.endswith("s") and noun not in ("times",) or noun in ("pics",)
            intent.limit = number if number is not None else (None if plural else 1)
            claim = list(range(i, i + size)) + ([i + size] if number is not None and j == i + size + 1 else [])
            if number is not None and i > 0 and _count_of(words[i - 1]) is not None:
                claim.append(i - 1)
            if number is not None and i > 1 and _count_of(words[i - 2]) is not None and words[i - 1] == "most":
                claim += [i - 2, i - 1]
            reading.claim([c for c in claim if reading.free(c)], "intent")
            if noun in ("time", "times"):
                reading.claim([k], "intent")
            return
        if phrase in ("last", "first") and i + 1 < len(words) and words[i + 1] in L.SEE_VERBS if hasattr(L, "SEE_VERBS") else False:
            pass
    return None


def _find_count(reading) -> tuple[int, int] | None:
    for i in range(len(reading.toks)):
        for phrase in COUNT_HEADS:
            if all(reading.word(i + k) == w for k, w in enumerate(phrase)):
                if phrase == ("count",) and i > 0 and reading.word(i - 1) not in L.FILLER | L.FRAMING | {""}:
                    continue
                return i, len(phrase)
    return None


def _claim_people_question(reading) -> bool:
    """"which people", "what people", "which friends", "whose faces", "anyone else" as a who question."""
    first = _first_free(reading)
    if reading.word(first) in ("anyone", "anybody", "someone", "somebody") and reading.word(first + 1) == "else":
        reading.claim([first, first + 1], "intent")  # "anyone else in photos with <a>?": who else is
        return True
    for i in range(len(reading.toks) - 1):
        if reading.word(i) in ("which", "what") and reading.word(i + 1) in ("people", "persons", "friends", "person", "faces",
                                                                            "family", "guys", "folks"):
            if reading.photos and reading.word(i + 1) in ("person", "face"):
                continue  # "which person is <a> in beach.jpg": the face
            reading.claim([i, i + 1], "intent")
            return True
    return False


def _who(reading, intent: Intent, files: bool, persons: bool) -> Intent:
    if files:
        if intent.relation is not None and persons:
            intent.intent = "relative"
        elif intent.position is not None:
            intent.intent = "who_at"
        else:
            intent.intent = "who"
        _claim_words(reading, PRESENCE | L.POSITION_WORDS.keys() | POSTURES | {"person", "one", "guy", "the", "name"})
        return intent
    if persons and all(t.used in ("person", "intent") or t.kind == "punct" or t.word in L.AUXILIARIES | L.FRAMING
                       for t in reading.toks):
        from plvm_photos.ask.query import QuestionError

        raise QuestionError(reading.text, "photos say where people are and with whom, not who they are",
                            "photos of " + " and ".join(f"<{p.name}>" for p in reading.persons.values()),
                            text=reading.text)  # "who is <a>?"
    if not persons and any(not t.used and t.word in ("registered", "tagged", "named", "added", "know", "known") for t in reading.toks):
        _claim_words(reading, TAGGED | {"people", "persons", "everyone", "everybody", "all"})
        intent.intent = "people_count"  # "who have I registered?": everyone registered, with their photos
        return intent
    most = _claim_most(reading)
    intent.most = most
    intent.intent = "people"
    _claim_words(reading, SEE_VERBS | TAGGED | {"with", "appears", "appear", "most", "often", "photos", "people"})
    if persons:
        intent.others = True
    if intent.order is not None and persons is False:
        pass
    return intent


WHEREABOUTS = frozenset(["location", "locations", "whereabouts"])


def _claim_whereabouts(reading) -> bool:
    """"<a>'s location", "<a>'s whereabouts": where <a> is (the word after a possessive name);
    "photos with <a>'s face" is photos of <a> (its "face" claimed)."""
    found = False
    for i, tok in enumerate(reading.toks[:-1]):
        if tok.used != "person" or not tok.text.lower().endswith(("'s", "’s", "s'")) or not reading.free(i + 1):
            continue
        if reading.word(i + 1) in ("face", "faces"):
            reading.claim([i + 1], "filler")
        elif reading.word(i + 1) in WHEREABOUTS:
            reading.claim([i + 1], "intent")
            found = True
    return found


EVERYONE = frozenset(["people", "persons", "everyone", "everybody", "folks"])


def _lists_people(reading) -> bool:
    """"list people", "everyone in Paris", "people with <a>": who is in the photos, when nothing
    else is left to read (no photo named), its words claimed."""
    if reading.photos:
        return False
    free = [i for i, tok in enumerate(reading.toks) if not tok.used and tok.kind != "punct"]
    if any(reading.toks[i].word in L.ASKS_FOR_MEDIA for i in free):
        return False  # "photos of everyone" asks for photos, not who is in them
    nouns = [i for i in free if reading.toks[i].word in EVERYONE]
    joining = L.PERSON_PREPOSITIONS | {"and", "or", "but", "not", "without"} if reading.persons else set()  # "people with <a>"
    if not nouns or any(reading.toks[i].word not in L.FILLER | joining | {"name", "names"} for i in free if i not in nouns):
        return False
    reading.claim(nouns, "intent")
    _claim_words(reading, ("name", "names"))
    return True


def _ranked(reading, intent: Intent, ranking) -> Intent:
    """"the top 3 people with <a>", "<a>'s favourite places": who is, or which places are, in the
    most photos, the first ``ranking.limit`` of them."""
    intent.most, intent.limit = True, ranking.limit
    _claim_words(reading, SEE_VERBS | TAGGED | PRESENCE | {"who", "whom", "which", "what", "where", "the", "with", "in",
                                                          "most", "often", "photos", "pictures", "does", "did", "do"})
    if ranking.of == "people":
        intent.intent, intent.others = "people", bool(reading.persons)
    elif ranking.of == "times":
        intent.intent, intent.kind = "times", ranking.kind
    else:
        intent.intent, intent.kind = "places", ranking.kind if ranking.kind != "place" else "city"
    return intent


def _claim_most(reading) -> bool:
    found = False
    for tok in reading.toks:
        if not tok.used and tok.word in L.MOST_WORDS:
            tok.used = "intent"
            found = True
    return found


def _when(reading, intent: Intent, files: bool, head: int) -> Intent:
    _claim_words(reading, ("when", "what", "which", "date", "day", "time"))
    if files:
        _claim_words(reading, set(L.TIME_KIND_WORDS) | {"from"})  # "what year is beach.jpg from"
        intent.intent = "photo_when"
        _claim_words(reading, L.TAKEN_WORDS | {"was", "is", "were", "did", "the"})
        return intent
    for tok in reading.toks:
        if tok.used:
            continue
        if tok.word in ("last", "lately", "latest", "recently"):
            intent.order, tok.used = "last", "intent"
        elif tok.word in ("first", "earliest"):
            intent.order, tok.used = "first", "intent"
    intent.intent = "times"
    for tok in reading.toks:
        if not tok.used and tok.word in L.TIME_KIND_WORDS:
            intent.kind, tok.used = L.TIME_KIND_WORDS[tok.word], "intent"
    intent.most = _claim_most(reading)
    _claim_words(reading, SEE_VERBS | {"i", "with", "in", "most", "photos"})
    return intent


def _where(reading, intent: Intent, files: bool, persons: bool, head: int) -> Intent:
    words = [t.word for t in reading.toks]
    _claim_words(reading, ("where", "which", "what", "in"))
    if files:
        intent.intent = "where" if persons else "photo_where"
        _claim_words(reading, L.TAKEN_WORDS | {"from", "was", "is", "were"} | (set(L.PLACE_KIND_WORDS) if not persons else set()))
        return intent
    kind = next((L.PLACE_KIND_WORDS[t.word] for t in reading.toks if t.word in L.PLACE_KIND_WORDS and t.used in ("", "intent")), None)
    for tok in reading.toks:
        if not tok.used and tok.word in L.PLACE_KIND_WORDS:
            tok.used = "intent"
    most = _claim_most(reading)
    past = any(w in ("was", "were", "been", "go", "went", "visit", "visited", "travel", "traveled", "travelled", "did",
                     "have", "taken", "take", "took", "shot") for w in words)
    if kind is not None or most or past or not persons:
        intent.intent, intent.kind, intent.most = "places", kind or "city", most
        _claim_words(reading, SEE_VERBS | {"i", "with", "photos", "most", "did", "have", "has", "been", "were", "was"})
        return intent
    intent.intent = "where"
    return intent


def _yes_no(reading, intent: Intent, files: bool, persons: bool) -> Intent:
    _claim_words(reading, L.AUXILIARIES)
    if files and not persons and any(not t.used and t.word in ("anyone", "anybody", "people", "someone", "somebody", "faces",
                                                               "persons", "person") for t in reading.toks):
        _claim_words(reading, ("anyone", "anybody", "people", "someone", "somebody", "faces", "persons", "person"))
        intent.intent = "who"  # "is anyone in beach.jpg?": who is, or nobody
        return intent
    if files:
        names = len(reading.persons)
        if intent.relation is not None and names >= 2:
            intent.intent = "related"
        elif intent.position is not None and persons:
            intent.intent = "is_at"
        elif _action_words(reading):
            intent.intent = "visual_yes_no"
            _action(reading, intent, "visual_yes_no", force=True)
        else:
            intent.intent = "is_in"
        return intent
    if _action_words(reading):
        intent.intent = "visual_yes_no"
        _action(reading, intent, "visual_yes_no", force=True)
        return intent
    intent.intent = "exists"
    return intent


def _action_words(reading) -> list[int]:
    """Indexes of free words that say what someone does (a gerund, "wearing", "wear")."""
    found = []
    for i, tok in enumerate(reading.toks):
        if tok.used or tok.kind != "word":
            continue
        if tok.word in L.FILLER and tok.word not in L.ACTION_HEADS:
            continue
        if (GERUND.match(tok.word) and tok.word not in NOT_ACTIONS) or tok.word in ("wear", "wears", "wore", "hold", "holds",
                                                                                 "doing", "wearing", "smile", "smiles",
                                                                                 "hug", "hugs", "kiss", "kisses", "dance",
                                                                                 "dances", "talk", "talks", "laugh"):
            found.append(i)
        elif tok.word in ("next", "facing", "face") and reading.word(i + 1) in ("to", "each") or tok.word == "side" and reading.word(i + 1) == "by":
            found.append(i)
    return found


def _action(reading, intent: Intent, visual_intent: str, force: bool = False) -> None:
    """The action words, from the first action word (with "is" / "are" before it) to the last
    free word before another part; the question becomes ``visual_intent``."""
    found = _action_words(reading)
    if not found:
        return
    start = found[0]
    if start > 0 and reading.word(start - 1) in ("is", "are", "was", "were", "be"):
        start -= 1
    end = start
    k = start
    while k < len(reading.toks) and reading.free(k) and reading.toks[k].kind == "word":
        end = k
        k += 1
    while end > start and reading.toks[end].word in ("in", "on", "at", "from", "of", "the", "a", "during", "near"):
        end -= 1  # "wearing a hat in beach.jpg": the photo's "in" is not the action's
    text = reading.text[reading.toks[start].start : reading.toks[end].end]
    if text.lower().split()[-1] in PRESENCE and len(text.split()) == 1:
        return
    reading.claim(range(start, end + 1), "action")
    intent.action = text
    intent.intent = visual_intent if intent.intent in ("list", "count", "exists", "visual_yes_no", "visual_open", "visual_count") else intent.intent
