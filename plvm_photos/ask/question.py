"""Parsing plain-English questions with ``<name>`` references into a structured query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plvm_photos.names import normalize

NAME = re.compile(r"<\s*([^<>]+?)\s*>")
# Words that only frame a question; anything else (talking, wearing, beach...) is something the
# question asks about that the face engine cannot see.
FRAME_WORDS = frozenset(
    """a about all an and any are at both can did do does each every find for from get give has have here how i
    images image in is it its let list many me my number of on one or photo photos pics picture pictures please
    show shows showing some tell that the their them there these they this those to together where which who with
    you your appear appears appearing seen shown both photographed pictured count counting times what""".split()
)
EXCLUDE_MARKERS = re.compile(r"\b(but not|and not|not with|without|except|excluding|minus|no)\b", re.I)


@dataclass(frozen=True)
class Question:
    intent: str  # where | with | count | is_in | who | unsupported
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    photo: str | None = None  # the photo named by "is <x> in PHOTO" / "who is in PHOTO"
    unseen: list[str] = field(default_factory=list)  # words the face engine cannot judge (actions...)
    text: str = ""


def _names(fragment: str) -> list[str]:
    return [normalize(m) for m in NAME.findall(fragment)]


def _unseen_words(text: str) -> list[str]:
    stripped = NAME.sub(" ", text)
    stripped = EXCLUDE_MARKERS.sub(" ", stripped)
    words = re.findall(r"[a-zA-Z']+", stripped.lower())
    return [w for w in words if w not in FRAME_WORDS and not w.endswith("'s") and len(w) > 1]


def _photo_ref(raw: str) -> str:
    return raw.strip().rstrip("?.! ").strip().strip("\"'")


def parse(text: str) -> Question:
    q = text.strip()
    names = _names(q)

    m = re.match(r"^\s*(?:who|which people)\s*(?:is|are|'s)?\s+(?:in|on)\s+(?:the\s+)?(?:photo\s+)?(?P<photo>.+)$", q, re.I)
    if m and not names:
        return Question("who", photo=_photo_ref(m.group("photo")), text=q)

    m = re.match(r"^\s*(?:is|are)\s+(?P<who>(?:<[^<>]+>\s*(?:and\s+)?)+)\s*(?:in|on)\s+(?:the\s+)?(?:photo\s+)?(?P<photo>.+)$", q, re.I)
    if m:
        return Question("is_in", include=_names(m.group("who")), photo=_photo_ref(m.group("photo")), text=q)

    if not names:
        return Question("unsupported", text=q)

    include, exclude = names, []
    split = EXCLUDE_MARKERS.search(q)
    if split:
        include = _names(q[: split.start()])
        exclude = _names(q[split.end() :])
    unseen = _unseen_words(q)

    if re.match(r"^\s*where(?:'s|\s+is|\s+are|\s+was|\s+were)?\b", q, re.I):
        return Question("where", include=include, exclude=exclude, unseen=unseen, text=q)
    if re.search(r"\bhow\s+many\b|\bcount\b|\bnumber\s+of\b", q, re.I):
        return Question("count", include=include, exclude=exclude, unseen=unseen, text=q)
    return Question("with", include=include, exclude=exclude, unseen=unseen, text=q)


SUPPORTED_FORMS = [
    "where is <x>?",
    "photos with <x>",
    "photos with <x> and <y>",
    "photos with <x> but not <y>",
    "how many photos of <x>?",
    "is <x> in PHOTO?",
    "who is in PHOTO?",
]
