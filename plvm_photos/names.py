"""Person names, the one home of their rules.

A name is typed ``<Zoë>`` or ``Zoë``, in any script. It is stored twice: the **display** form,
as typed (surrounding spaces dropped, runs of spaces made one), which captions, answers, the
gallery and XMP sidecars show; and the **key**, which lookups compare: NFKC-normalised and
casefolded, spaces as ``_`` (``<Billie Eilish>`` and ``<billie eilish>`` are one person,
``billie_eilish``). A name is refused when it is empty, longer than 64 characters, or contains
``<``, ``>``, a path separator (``/``, ``\\``), a control character, or a character that is not
seen: text-direction controls (which can make one name look like another, or reorder the text
around it), zero-width spaces and joiners, soft hyphens, fillers and variation selectors — two
names that look the same must be one person. A zero-width (non-)joiner between two letters of a
script that joins them (Persian, the Indic scripts) changes how the name looks, and is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from plvm_photos.errors import InvalidNameError

MAX_LENGTH = 64
FORBIDDEN = frozenset("<>/\\")
_SPACES = re.compile(r"\s+")
# Keys that were valid file names before names could be in any script: their reference copies
# keep the name they always had.
_PLAIN_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")


@dataclass(frozen=True)
class Name:
    key: str  # what lookups compare (the ``concepts.name`` column)
    display: str  # what is shown (the ``concepts.display`` column)


def _refuse(name: str, why: str) -> InvalidNameError:
    return InvalidNameError(f"invalid name {name!r}: {why} (e.g. <mike>, <Zoë>, <Anne-Marie>)")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs")


JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner: part of how some scripts write a name
# Invisible characters that are not format characters (Cf): the combining grapheme joiner, Hangul
# fillers, the braille blank, Mongolian free variation selectors.
INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800\u180b\u180c\u180d\u180f")


def _unseen(text: str) -> str | None:
    """The first character of ``text`` that is not seen (see the module docstring), else None."""
    for i, ch in enumerate(text):
        if ch in JOINERS and 0 < i < len(text) - 1 and _joins(text[i - 1]) and _joins(text[i + 1]):
            continue
        if (unicodedata.category(ch) == "Cf" or ch in INVISIBLE or 0xFE00 <= ord(ch) <= 0xFE0F
                or 0xE0100 <= ord(ch) <= 0xE01EF):
            return ch
    return None


def _joins(char: str) -> bool:
    """A letter or mark of a script other than Latin's ASCII: one a joiner can stand beside."""
    return ord(char) > 0x24F and unicodedata.category(char)[0] in "LM"


def key_of(display: str) -> str:
    """The lookup key of an already valid display form."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", display).casefold())
    return folded.replace(" ", "_")


def parse_name(name: str, unseen_allowed: bool = False) -> Name:
    """The key and display form of ``name`` (``<...>`` optional), or InvalidNameError.
    ``unseen_allowed``: to look up a person an earlier version registered with such characters."""
    raw = name.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    if any(_is_control(ch) for ch in raw):
        raise _refuse(name, "a name cannot contain control characters")
    unseen = None if unseen_allowed else _unseen(raw)
    if unseen is not None:
        label = unicodedata.name(unseen, "") or "an unnamed character"
        raise _refuse(name, f"a name cannot contain characters that are not seen, such as text-direction marks or "
                            f"zero-width spaces (U+{ord(unseen):04X} {label})")
    display = _SPACES.sub(" ", raw).strip()
    if not display:
        raise _refuse(name, "a name cannot be empty")
    if len(display) > MAX_LENGTH:
        raise _refuse(name, f"a name has at most {MAX_LENGTH} characters")
    bad = sorted(set(display) & FORBIDDEN)
    if bad:
        raise _refuse(name, "a name cannot contain " + " or ".join(repr(ch) for ch in bad))
    key = key_of(display)
    if len(key) > 2 * MAX_LENGTH:  # NFKC can expand a few characters a lot; the column holds 128
        raise _refuse(name, f"a name has at most {MAX_LENGTH} characters")
    return Name(key, display)


def normalize(name: str) -> str:
    """The lookup key of ``name`` (see the module docstring), or InvalidNameError. Characters that
    are not seen are refused in new names only: a person registered with them before can still be
    named (and renamed)."""
    return parse_name(name, unseen_allowed=True).key


def show(name: str) -> str:
    return f"<{name}>"


def file_stem(key: str) -> str:
    """A safe ASCII file-name stem for a key: the key itself where it always was one, else its
    ASCII letters and digits plus a hash of the key (two keys never share a stem)."""
    if _PLAIN_KEY.match(key):
        return key
    import hashlib  # only here: ``ask`` imports this module and should not pay for hashlib

    ascii_part = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_\-]+", "_", ascii_part.lower()).strip("_-")[:40] or "person"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
