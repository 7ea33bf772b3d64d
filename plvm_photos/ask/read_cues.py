"""What the people named do or show, wherever it stands: "<a> smiling", "photos where <a> is not
smiling", "<a> and <b> hugging", "<a> holding hands with <b>", "<a> looking at the camera",
"<a> with his eyes closed", "<a> and <b> talking", "<a> facing <b>", "<a> next to <b>".

Read in two steps, as the other parts are (``parser.py``): ``find_cues`` claims the words of each
cue before times and places are read ("next to", "looking at the camera" are no places), and
``cue_people`` gives each cue its people once every name is read: the people named just before
it, joined by "and" ("<a> and <b> are smiling"), and for a kind between people ("hugging",
"talking", "next to") also the person right after it ("<a> hugging <b>"). The people stay in
the people expression; a cue only says what they do there (``query.Cue``, judged by
``interactions.answer_cues`` or, on an engine that sees pixels, asked of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask.query import Cue, QuestionError

# cue kind -> the words that say it (lowercase, as tokenized: "isn't" is "is" "not")
CUE_WORDS: dict[str, frozenset] = {
    "smiling": frozenset(["smiling", "smile", "smiles", "smiled", "grinning", "grin", "grins", "smiley", "smiling faces",
                          "with a smile", "a smile on his face", "a smile on her face"]),
    "looking_at_camera": frozenset([f"{verb} {at} {the}camera" for verb in ("looking", "look", "looks", "looked", "staring",
                                                                          "facing", "face", "faces")
                                    for at in ("at", "into", "in", "to", "toward", "towards", "straight at", "right at",
                                               "directly at", "straight into")
                                    for the in ("the ", "")] + ["eye contact with the camera", "looking at the lens",
                                                                "looking into the lens", "looking straight ahead",
                                                                "facing the camera", "facing camera", "faces the camera"]),
    "eyes_closed": frozenset([f"{lead}{whose}eyes {shut}" for lead in ("", "with ", "has ", "have ", "having ")
                              for whose in ("", "his ", "her ", "their ", "the ")
                              for shut in ("closed", "shut")] + ["closed eyes", "with closed eyes", "blinking", "blinks",
                                                                 "eyes are closed", "eyes were closed"]),
    "not_smiling": frozenset(["without a smile", "without smiling", "unsmiling", "not smiling", "no smile"]),
    "talking": frozenset(["talking", "talk", "talks", "talked", "chatting", "chat", "chats", "speaking", "conversing",
                          "in conversation", "in a conversation", "having a conversation", "having a chat",
                          "in conversation with", "in a conversation with", "having a conversation with",
                          "talking to", "talking with", "chatting with", "chatting to", "speaking to", "speaking with",
                          "talks to", "talks with", "talk to", "talk with"]),
    "facing": frozenset(["facing each other", "facing one another", "face to face", "looking at each other",
                         "looking at one another", "facing", "faces", "face each other", "looking each other in the eye",
                         "turned toward each other", "turned towards each other", "turned to each other"]),
    "next_to": frozenset(["next to each other", "next to one another", "side by side", "beside each other",
                          "beside one another", "next to", "beside", "by the side of", "alongside each other",
                          "shoulder to shoulder"]),
    "hugging": frozenset(["hugging", "hug", "hugs", "hugged", "embracing", "embrace", "embraces", "cuddling", "cuddle",
                          "in a hug", "giving a hug to", "giving each other a hug", "in each other's arms", "hugging each other"]),
    "holding_hands": frozenset(["holding hands", "hold hands", "holds hands", "held hands", "hand in hand",
                                "holding each other's hands", "holding hands with", "hand in hand with"]),
}
PAIR = frozenset(["talking", "facing", "next_to", "hugging", "holding_hands"])
# words that may stand between the people and their cue ("<a> is smiling", "<a> and <b> are both")
BETWEEN = frozenset(["is", "are", "was", "were", "be", "being", "been", "both", "all", "all of them", "standing",
                     "sitting", "stood", "sat", "seen", "caught", "shown", "pictured", "who", "where", "that", "while",
                     "the", "one", "ones", "in", "photo", "photos", "picture", "pictures", "pic", "pics", "shot", "shots",
                     "image", "images", "of"])
AFTER = frozenset(["to", "with", "at", "each other", "one another", "together", "each", "other"])
POSTURES = frozenset(["standing", "sitting", "stood", "sat", "posing", "walking"])
NEGATIONS = frozenset(["not", "never", "without", "no"])
JOINERS = frozenset(["and", ",", "&"])
# a pronoun standing for the people named before it: one person ("photos of <a> where she is
# smiling"), or all of them ("<a> and <b> where they are smiling")
PRONOUNS = {"she": "one", "he": "one", "her": "one", "him": "one", "they": "all", "them": "all"}
CLAUSE_WORDS = frozenset(["when", "while", "whenever", "where", "that"])  # "<a> when she is smiling"


@dataclass
class FoundCue:
    """The words of one cue: ``kind`` (of ``query.CUE_KINDS``), tokens ``start`` to ``end``."""

    kind: str
    start: int
    end: int


def _all_phrases() -> list[tuple[str, tuple[str, ...]]]:
    phrases = [(kind, tuple(p.split())) for kind, words in CUE_WORDS.items() for p in words]
    return sorted(phrases, key=lambda kp: -len(kp[1]))


PHRASES = _all_phrases()


def find_cues(reading) -> list[FoundCue]:
    """Claims (``Tok.used = "cue"``) the words of every cue in ``reading``; a relation or a
    position in a named photo ("is <a> next to <b> in beach.jpg") was claimed before."""
    found: list[FoundCue] = []
    i = 0
    while i < len(reading.toks):
        match = _cue_at(reading, i)
        if match is None:
            i += 1
            continue
        kind, size = match
        start, end = i, i + size
        mutual = {reading.word(k) for k in range(start, end + 1)} & {"each", "one", "side"}
        if kind == "next_to" and reading.photos and not mutual:
            i = end
            continue  # "is <a> next to <b> in beach.jpg": where they stand in that photo (read_intent)
        while reading.word(start - 1) in POSTURES:
            start -= 1
        negated = _negation_before(reading, start)
        if negated is not None:
            if kind != "smiling":
                words = reading.text[reading.toks[negated].start : reading.toks[end - 1].end]
                raise QuestionError(words, f'I can judge "not smiling", not "{words}"; ask for the photos where they are',
                                    text=reading.text)
            kind, start = "not_smiling", negated
        while reading.phrase_at(end, frozenset(["each other", "one another", "together"])):
            end += reading.phrase_at(end, frozenset(["each other", "one another", "together"]))
        reading.claim(range(start, end), "cue")
        found.append(FoundCue(kind, start, end))
        i = end
    return found


def _cue_at(reading, i: int) -> tuple[str, int] | None:
    if not reading.free(i):
        return None
    for kind, words in PHRASES:
        if all(reading.word(i + k) == w for k, w in enumerate(words)):
            if words == ("faces",):  # "faces" alone is a noun ("photos with unknown faces")
                continue
            return kind, len(words)
    return None


def _negation_before(reading, start: int) -> int | None:
    """The index of "not" ("is not smiling", "isn't smiling", "without smiling") before a cue."""
    j = start - 1
    if reading.word(j) in NEGATIONS:
        return j
    return None


def cue_people(reading, found: list[FoundCue]) -> tuple[Cue, ...]:
    """Each found cue with its people (see the module docstring); refuses one that names nobody."""
    spans = _person_spans(reading)
    cues = []
    for cue in found:
        left = _group_before(reading, spans, cue.start)
        right = _group_after(reading, spans, cue.end) if cue.kind in PAIR or not left else []
        if cue.kind in PAIR and left and right:
            people = left + [p for p in right[:1] if p not in left]
        else:
            people = left or right
        if not people:
            words = reading.text[reading.toks[cue.start].start : reading.toks[cue.end - 1].end]
            raise QuestionError(words, f'"{words}": say who, e.g. "photos where <a> is smiling"', text=reading.text)
        cues.append(Cue(cue.kind, tuple(dict.fromkeys(people))))
    return tuple(cues)


def _person_spans(reading) -> dict[int, tuple[int, str]]:
    """token index -> (first index of the person named there, the person's name)."""
    spans = {}
    for start, person in reading.persons.items():
        end = start + 1
        while end < len(reading.toks) and reading.toks[end].used == "person" and end not in reading.persons:
            end += 1
        for k in range(start, end):
            spans[k] = (start, person.name)
    return spans


def _group_before(reading, spans, start: int) -> list[str]:
    """The people named right before ``start``: "<a>", "<a> and <b>", "<a>, <b> and <c>"."""
    j = start - 1
    while j >= 0 and j not in spans and reading.toks[j].word in BETWEEN and reading.toks[j].used in ("", "filler", "cue"):
        if reading.toks[j].word in ("both", "all"):  # "<a> and <b> are both smiling": each of them
            reading.claim([j], "cue")
        j -= 1
    if j >= 0 and j not in spans and reading.toks[j].word in PRONOUNS and not reading.toks[j].used:
        return _antecedents(reading, spans, j)
    group: list[str] = []
    while j >= 0 and j in spans:
        first, name = spans[j]
        group.insert(0, name)
        j = first - 1
        if j >= 0 and reading.toks[j].word in JOINERS and not reading.toks[j].used and j - 1 in spans:
            j -= 1
            continue
        break
    return group


def _antecedents(reading, spans, j: int) -> list[str]:
    """Who the pronoun at ``j`` stands for: "she" / "he" the one person named before it (none
    where several are: which one is not known), "they" / "them" everyone named before it."""
    named = list(dict.fromkeys(name for k, (first, name) in sorted(spans.items()) if k < j))
    if not named or (PRONOUNS[reading.toks[j].word] == "one" and len(named) > 1):
        return []
    introduced = j - 1 >= 0 and reading.toks[j - 1].word in CLAUSE_WORDS and not reading.toks[j - 1].used
    reading.claim([j - 1, j] if introduced else [j], "cue")  # "when she is smiling": the clause is the cue's
    return named


def _group_after(reading, spans, end: int) -> list[str]:
    """The people named right after ``end``: "<a> hugging <b>", "smiling photos of <a>"."""
    j = end
    while j < len(reading.toks) and j not in spans and reading.toks[j].word in AFTER | BETWEEN | {"his", "her", "their"}:
        if reading.toks[j].used not in ("", "cue"):
            break
        j += 1
    group: list[str] = []
    while j < len(reading.toks) and j in spans:
        first, name = spans[j]
        group.append(name)
        j = first + 1
        while j < len(reading.toks) and spans.get(j, (None,))[0] == first:
            j += 1
        if j < len(reading.toks) and reading.toks[j].word in JOINERS and j + 1 in spans:
            j += 1
            continue
        break
    return group
