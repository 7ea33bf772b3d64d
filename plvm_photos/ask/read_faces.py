"""How many people a photo shows, wherever the question says it: "group photos" (3 or more),
"photos with 3 or more people", "with at least two others", "with exactly 2 people", "of 4
people", "with more than one person", "with fewer than 3 faces". Faces count whether they are
anyone registered or not (``query.Faces``); "others" count past the people the question names
(the parser adds them once the people expression is read).

A word that says a number of people without giving one ("a crowd", "many people") and "selfies"
(who held the camera is not recorded) are refused with a rewrite that gives one.
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask.query import Faces, QuestionError

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "a": 1, "single": 1}
NOUNS = {"people": False, "persons": False, "person": False, "faces": False, "face": False, "others": True,
         "other": True, "individuals": False, "friends": False}
LEADS = ("with", "of", "showing", "having", "containing", "featuring", "where", "that", "which", "in", "and", "plus")
SOME_PEOPLE = frozenset(["people", "persons", "faces", "others", "someone", "somebody"])  # "photos with people": 1 or more
GROUP_NOUNS = frozenset(["photo", "photos", "pic", "pics", "picture", "pictures", "shot", "shots", "shoot", "image",
                         "images", "snap", "snaps", "selfie", "selfies", "portrait", "portraits", "video", "videos"])
GROUP_SIZE = 3  # a group photo: three people or more
VAGUE = frozenset(["crowd", "crowds", "crowded", "many people", "lots of people", "a lot of people", "loads of people",
                   "plenty of people", "several people", "a bunch of people", "lots of faces", "many faces",
                   "big group", "large group", "huge group", "a big group", "a large group"])
CROWD_REWRITE = "with 5 or more people"
SELFIES = frozenset(["selfie", "selfies"])
IN_THE_PHOTO = frozenset(["them", "it", "the", "a", "frame", "shot", "view", "picture", "pictures", "photo", "photos", ""])


@dataclass(frozen=True)
class FaceCount:
    """A number of people read at token ``index``: ``faces`` (others: counted past the people named)."""

    index: int
    faces: Faces
    others: bool
    total: bool = False  # "in total", "in all", "altogether", or "group photos": every face, the people named among them
    some: bool = False  # "with people", "with someone": someone besides the people named, if any are


def _number(word: str) -> int | None:
    if word.isdecimal():
        return int(word)
    if word.endswith("+") and word[:-1].isdecimal():
        return int(word[:-1])
    return NUMBERS.get(word)


class _Words:
    def __init__(self, reading):
        self.reading = reading

    def at(self, i: int) -> str:
        return self.reading.word(i)


def _count_at(w: _Words, i: int):
    """(end, least, most, others) of a number of people at ``i`` ("3 or more people", "at least
    two others", "more than one person", "exactly 2 faces"), or None."""
    j = i
    least = most = None
    word, two = w.at(j), f"{w.at(j)} {w.at(j + 1)}"
    if two in ("at least", "no fewer", "no less", "not less"):
        j += 2 + (w.at(j + 2) == "than")
        n = _number(w.at(j))
        if n is None:
            return None
        least, j = n, j + 1
    elif two in ("at most", "up to", "no more"):
        j += 2 + (w.at(j + 2) == "than")
        n = _number(w.at(j))
        if n is None:
            return None
        least, most, j = 0, n, j + 1
    elif two in ("more than", "over") or word in ("over", "above"):
        j += 2 if two == "more than" else 1
        n = _number(w.at(j))
        if n is None:
            return None
        least, j = n + 1, j + 1
    elif two in ("fewer than", "less than") or word in ("under", "below"):
        j += 2 if two in ("fewer than", "less than") else 1
        n = _number(w.at(j))
        if n is None:
            return None
        least, most, j = 0, n - 1, j + 1
    elif word in ("exactly", "just", "only") and _number(w.at(j + 1)) is not None:
        n = _number(w.at(j + 1))
        least = most = n
        j += 2
    elif word == "between" and _number(w.at(j + 1)) is not None and w.at(j + 2) in ("and", "to") and _number(w.at(j + 3)) is not None:
        least, most, j = _number(w.at(j + 1)), _number(w.at(j + 3)), j + 4
    elif _number(word) is not None:
        n = _number(word)
        j += 1
        if w.at(j) in ("or", "and") and w.at(j + 1) in ("more", "over", "above"):
            least, j = n, j + 2
        elif w.at(j) in ("or", "and") and w.at(j + 1) in ("fewer", "less"):
            least, most, j = 0, n, j + 2
        elif w.at(j) in ("to", "-", "–", "or") and _number(w.at(j + 1)) is not None:  # "2 to 4", "two or three"
            least, most, j = n, _number(w.at(j + 1)), j + 2
        elif w.at(j) in ("plus", "+"):  # "3+ people", "3 plus people"
            least, j = n, j + 1
        else:
            least = most = n
    else:
        return None
    if w.at(j) == "other" and w.at(j + 1) in ("people", "persons", "person", "faces", "friends"):
        others, j = True, j + 2
    elif w.at(j) in NOUNS:
        others, j = NOUNS[w.at(j)], j + 1
    else:
        return None
    if w.at(j) in ("or", "and") and w.at(j + 1) in ("more", "over") and most is not None and least == most:
        most, j = None, j + 2  # "3 people or more"
    if w.at(j) == "more" and most is not None and least == most:
        most, j = None, j + 1
    if least is None or (most is not None and most < least) or least > 1000:
        return None
    return j, least, most, others


def read_faces(reading) -> list[FaceCount]:
    """Claims (as "faces") the numbers of people in ``reading`` and returns them."""
    w = _Words(reading)
    found: list[FaceCount] = []
    i = 0
    while i < len(reading.toks):
        if not reading.free(i):
            i += 1
            continue
        _refuse_vague(reading, i)
        word = w.at(i)
        if word == "group" and (w.at(i + 1) in GROUP_NOUNS or w.at(i - 1) in ("a", "in", "as")):
            start = i - (2 if w.at(i - 1) == "a" and w.at(i - 2) in ("in", "as") else 1 if w.at(i - 1) in ("a", "in", "as") else 0)
            start = i if any(not reading.free(k) for k in range(start, i)) else start
            end, faces = i + 1, Faces(GROUP_SIZE, None, "group photos")
            size = _number(w.at(i + 2)) if w.at(i + 1) == "of" and reading.free(i + 2) else None
            if size is not None:  # "in a group of 4 (people)"
                end = i + 3 + (w.at(i + 3) in ("people", "persons", "friends") and reading.free(i + 3))
                faces = Faces(size, size, reading.text[reading.toks[start].start : reading.toks[end - 1].end])
            reading.claim(range(start, end), "faces")
            found.append(FaceCount(start, faces, False, total=True))
            i = end
            continue
        lead = 1 if word in LEADS else 0
        if lead and word in ("where", "that", "which") and w.at(i + 1) in ("there", "have", "has", "show", "shows"):
            lead = 2 + (w.at(i + 1) == "there" and w.at(i + 2) in ("are", "is", "were"))
        if word in ("with", "of", "showing", "containing", "featuring", "and") and w.at(i + 1) in SOME_PEOPLE and reading.free(i + 1) \
                and w.at(i + 2) not in ("i", "who", "that", "you", "we") and (w.at(i + 1) != "others" or word != "of") \
                and not (w.at(i + 2) == "in" and w.at(i + 3) in IN_THE_PHOTO - {"them", "it"}):  # "with people in Paris"
            others = w.at(i + 1) == "others"  # "photos with people", "<a> and others": a face more than those named
            if word == "and" and not others:
                i += 1
                continue
            in_them = 2 if w.at(i + 2) == "in" and w.at(i + 3) in ("them", "it") and reading.free(i + 2) else 0
            reading.claim(range(i + 2, i + 2 + in_them), "filler")  # "photos with people in them"
            reading.claim(range(i, i + 2), "faces")
            found.append(FaceCount(i, Faces(1, None, reading.text[reading.toks[i].start : reading.toks[i + 1].end]), others,
                                   some=not others))
            i += 2
            continue
        counted = _count_at(w, i + lead)
        if counted is None or not all(reading.free(k) for k in range(i, counted[0])):
            i += 1
            continue
        end, least, most, others = counted
        while w.at(end) in ("in", "it", "them", "the", "photo", "picture", "frame") and reading.free(end) and (
                w.at(end) != "in" or w.at(end + 1) in ("it", "them", "the")):
            end += 1  # "with 3 people in it"
        total = False
        if (w.at(end), w.at(end + 1)) in (("in", "total"), ("in", "all")) or w.at(end) in ("altogether", "total"):
            total, end = True, end + (1 if w.at(end) in ("altogether", "total") else 2)
        reading.claim(range(i, end), "faces")
        label = reading.text[reading.toks[i].start : reading.toks[end - 1].end]
        found.append(FaceCount(i, Faces(least, most, label), others, total))
        i = end
    return found


def _refuse_vague(reading, i: int) -> None:
    size = reading.phrase_at(i, VAGUE)
    if size and reading.word(i) == "many" and reading.word(i - 1, claimed_too=True) in ("how", "so", "too", "as"):
        size = 0  # "how many people": a count
    if size:
        start = i
        while start > 0 and reading.free(start - 1) and reading.word(start - 1) in ("a", "in", "of", "with", "big", "large"):
            start -= 1
        part = reading.text[reading.toks[i].start : reading.toks[i + size - 1].end]
        whole = reading.text[reading.toks[start].start : reading.toks[i + size - 1].end]
        rewrite = " ".join((reading.text[: reading.toks[start].start] + CROWD_REWRITE + reading.text[reading.toks[i + size - 1].end :]).split())
        if not any(reading.word(k) in GROUP_NOUNS for k in range(len(reading.toks))):
            rewrite = "photos " + rewrite
        raise QuestionError(whole, f'"{part}" does not say how many people; give a number', rewrite, text=reading.text)
    if reading.word(i) in SELFIES:
        rest = " ".join((reading.text[: reading.toks[i].start] + "photos" + reading.text[reading.toks[i].end :]).split())
        if rest.lower().strip(" ?!.") in ("photos", "my photos", "show me photos", "show me my photos", "all photos"):
            rest = "photos with exactly 1 person"
        raise QuestionError(reading.toks[i].text, f'who held the camera is not recorded, so "{reading.toks[i].text}" cannot be told '
                                                  "apart", rest, text=reading.text)


def with_others(counts: list[FaceCount], people, text: str):
    """The people expression with the numbers of people read (``counts``) added to it: "others"
    count past the people named ("<a> and <b> with two others": 4 people)."""
    from plvm_photos.ask.query import AllOf, Person

    if not counts:
        return people
    if len(counts) > 1:
        raise QuestionError(text, "the question gives more than one number of people; give one", text=text)
    count = counts[0]
    faces = count.faces
    if count.some:  # "photos with people": a face; "<a> with people": a face besides <a>
        count = FaceCount(count.index, faces, people is not None, True)
    if people is not None and not count.others and not count.total:  # "<a> with 2 people": 2 besides <a>, or in all?
        import re

        said = faces.label
        besides = re.sub(r"\bpeople\b|\bpersons\b|\bfaces\b|\bindividuals\b|\bfriends\b", "others", said)
        besides = re.sub(r"\bperson\b|\bface\b", "other", besides)
        raise QuestionError(said, f'"{said}" beside the people named may count them or not; say "{besides}" (besides them) or '
                                  f'"{said} in total"', text.replace(said, besides, 1), text=text)
    if count.others:
        items = people.items if isinstance(people, AllOf) else (people,) if people is not None else ()
        if not items or not all(isinstance(p, Person) for p in items):
            raise QuestionError(faces.label, f'"{faces.label}" counts past the people named; name them joined by "and"',
                                text=text)
        named = len({p.name for p in items})
        faces = Faces(faces.least + named, None if faces.most is None else faces.most + named, faces.label)
    if people is None:
        return faces
    items = people.items if isinstance(people, AllOf) else (people,)
    return AllOf((*items, faces))
