"""A question's tokens: names written between < and >, photo files, numbers, dates, words.

``tokenize(text)`` never drops anything: every token keeps where it stands in the text, so a
refusal can quote exactly the words it could not use. Recognising what the words mean is the
parts' job (``parser.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plvm_photos.ask.query import PhotoRef, QuestionError
from plvm_photos.media import kinds

# every file a scan indexes: photos, camera RAW and videos (longest first, so ".jpeg" wins over ".jpe")
IMAGE_SUFFIXES = tuple(sorted(kinds.IMAGE_SUFFIXES | kinds.RAW_SUFFIXES | kinds.VIDEO_SUFFIXES, key=lambda s: (-len(s), s)))
_SUFFIX = "|".join(s[1:] for s in IMAGE_SUFFIXES)
# a photo's file: no spaces unless quoted; parentheses inside ("beach (2).jpg" is quoted or
# written "beach(2).jpg"), a path, ~, a tail of a path
_FILE = re.compile(rf"(?:~?/)?[^\s<>\"“”,;?!]*?\.(?:{_SUFFIX})(?!\w|\.\w)", re.IGNORECASE)
_PHOTO_ID = re.compile(r"#([0-9]+)\b")
_QUOTED = re.compile(r"\"([^\"]*)\"|“([^”]*)”|(?<![\w])'([^']+)'(?=[\s?!.,;]|$)")
_NAME = re.compile(r"<([^<>]*)>")
_WORD = re.compile(r"[^\W_][\w'’.\-/]*|[&(),;:!?]|'[0-9]{2}s?\b|[0-9]+(?:[.,:/\-–][0-9]+)*(?:st|nd|rd|th|s|km|mi|am|pm)?", re.UNICODE)
_TRAILING = "?!.:;,"


@dataclass
class Tok:
    """One token: ``kind`` (name, file, word, number, punct), the text as written and where it
    stands, ``word`` (lowercased, apostrophes straightened), ``value`` (a name, a PhotoRef, an
    int) and ``used``: which part claimed it ("" while none did)."""

    kind: str
    text: str
    start: int
    end: int
    word: str = ""
    value: object = None
    used: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return f"Tok({self.kind}, {self.text!r}{', ' + self.used if self.used else ''})"

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _file_ref(ref: str) -> PhotoRef:
    found = _PHOTO_ID.fullmatch(ref)
    return PhotoRef(ref, int(found.group(1))) if found else PhotoRef(ref)


def tokenize(text: str) -> list[Tok]:
    """The tokens of ``text``; refuses an unclosed < or quote and an empty name."""
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        if ch == "<":
            found = _NAME.match(text, pos)
            if found is None:
                raise QuestionError(text[pos:], 'a name must be written between < and >, e.g. "<mike>", or without them')
            if not found.group(1).strip():
                raise QuestionError(found.group(), "a name is empty; write it between < and >, or without them")
            toks.append(Tok("name", found.group(), pos, found.end(), word=found.group(1).strip().lower(), value=found.group(1).strip()))
            pos = found.end()
            continue
        if ch == ">":
            raise QuestionError(text[pos:], 'a name must be written between < and >, e.g. "<mike>", or without them')
        if ch in "\"“" or (ch == "'" and (pos == 0 or not text[pos - 1].isalnum()) and not re.match(r"'[0-9]{2}s?\b", text[pos:])):
            found = _QUOTED.match(text, pos)
            if found is None:
                if ch == "'":  # an apostrophe, not a quote
                    pos += 1
                    continue
                raise QuestionError(text[pos:], "a quote is not closed; put a photo's name between two quotes")
            inner = next(g for g in found.groups() if g is not None).strip()
            if not inner:
                raise QuestionError(found.group(), "the quotes are empty; put a photo's name between them")
            toks.append(Tok("file", found.group(), pos, found.end(), word=inner.lower(), value=_file_ref(inner)))
            pos = found.end()
            continue
        found = _FILE.match(text, pos)
        if found is not None and (found.end() == len(text) or not text[found.end()].isalnum()):
            ref, start = found.group(), pos
            previous = toks[-1] if toks else None
            if ref.startswith("(") and previous is not None and previous.kind == "word" and text[previous.end : pos] == " ":
                toks.pop()  # "crowd (1).jpg": a file name with a space before its bracket
                ref, start = text[previous.start : found.end()], previous.start
            toks.append(Tok("file", ref, start, found.end(), word=ref.lower(), value=_file_ref(ref)))
            pos = found.end()
            continue
        found = _PHOTO_ID.match(text, pos)
        if found is not None:
            toks.append(Tok("file", found.group(), pos, found.end(), word=found.group(), value=_file_ref(found.group())))
            pos = found.end()
            continue
        found = _WORD.match(text, pos)
        if found is None:  # "<a> + <b>" is "<a> & <b>"; "3+ people" keeps its "+" (3 or more)
            joins = ch == "+" and not (pos > 0 and text[pos - 1].isdigit())
            toks.append(Tok("punct", ch, pos, pos + 1, word="&" if joins else ch))
            pos += 1
            continue
        if len(found.group()) == 1 and not found.group().isalnum():
            toks.append(Tok("punct", found.group(), pos, pos + 1, word=found.group()))
        else:
            toks.extend(_split_word(found.group(), pos))
        pos = found.end()
    return toks


_POSSESSIVE = re.compile(r"^(.+?)['’]s$|^(.+s)['’]$", re.IGNORECASE)
_CONTRACTIONS = {"'s": "is", "'re": "are", "'ve": "have", "'m": "am", "'ll": "will", "'d": "did", "n't": "not"}
_RUN_TOGETHER = {"whos": ("who", "is"), "wheres": ("where", "is"), "whats": ("what", "is"), "whens": ("when", "is"),
                 "hows": ("how", "is"), "dont": ("do", "not"), "doesnt": ("does", "not"), "didnt": ("did", "not"),
                 "isnt": ("is", "not"), "arent": ("are", "not"), "wasnt": ("was", "not"), "werent": ("were", "not"),
                 "havent": ("have", "not"), "cant": ("can", "not"), "ive": ("i", "have"), "im": ("i", "am")}
_CONTRACTED_HEADS = frozenset(["who", "what", "where", "when", "how", "that", "there", "here", "it", "i", "you", "we",
                               "they", "he", "she", "do", "does", "did", "is", "are", "was", "were", "have", "has", "ca",
                               "wo", "could", "would", "should"])


def _split_word(chunk: str, start: int) -> list[Tok]:
    """A word as written: trailing punctuation apart, contractions ("who's", "don't") as two words,
    a possessive ("Sheldon's") as the word with ``value`` "'s"."""
    stripped = chunk.rstrip(_TRAILING) if len(chunk) > 1 else chunk
    out: list[Tok] = []
    if stripped:
        out.extend(_word_toks(stripped, start))
    for i, ch in enumerate(chunk[len(stripped):], start=start + len(stripped)):
        out.append(Tok("punct", ch, i, i + 1, word=ch))
    return out


def _word_toks(word: str, start: int) -> list[Tok]:
    end = start + len(word)
    low = word.lower().replace("’", "'")
    if low in _RUN_TOGETHER:
        a, b = _RUN_TOGETHER[low]
        return [Tok("word", word, start, end, word=a), Tok("word", "", end, end, word=b)]
    if low.endswith("n't") and len(low) > 3:
        head = {"won't": "will", "can't": "can", "shan't": "shall"}.get(low, low[:-3])
        return [Tok("word", word[: len(word) - 3], start, end - 3, word=head), Tok("word", word[-3:], end - 3, end, word="not")]
    for suffix, full in _CONTRACTIONS.items():
        head = low[: -len(suffix)]
        if low.endswith(suffix) and head in _CONTRACTED_HEADS:
            cut = start + len(head)
            return [Tok("word", word[: len(head)], start, cut, word=head), Tok("word", word[len(head):], cut, end, word=full)]
    number = re.fullmatch(r"([0-9]+)(st|nd|rd|th)?", low)
    if number:
        return [Tok("number", word, start, end, word=low, value=int(number.group(1)))]
    possessive = _POSSESSIVE.match(low)
    if possessive and low not in ("'s",):
        head = possessive.group(1) or possessive.group(2)
        return [Tok("word", word, start, end, word=head, value="'s")]
    return [Tok("word", word, start, end, word=low.rstrip(".") if not re.fullmatch(r"([a-z]\.)+", low) else low)]
