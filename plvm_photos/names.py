"""Person names, the one home of their rules.

A name is typed ``<Zoë>`` or ``Zoë``, in any script. It is stored twice: the **display** form,
as typed (surrounding spaces dropped, runs of spaces made one), which captions, answers, the
gallery and XMP sidecars show; and the **key**, which lookups compare: NFKC-normalised and
casefolded, spaces as ``_`` (``<Billie Eilish>`` and ``<billie eilish>`` are one person,
``billie_eilish``). A name is refused when it is empty, longer than 64 characters, or contains
``<``, ``>``, a path separator (``/``, ``\\``) or a control character.
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


def key_of(display: str) -> str:
    """The lookup key of an already valid display form."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", display).casefold())
    return folded.replace(" ", "_")


def parse_name(name: str) -> Name:
    """The key and display form of ``name`` (``<...>`` optional), or InvalidNameError."""
    raw = name.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    if any(_is_control(ch) for ch in raw):
        raise _refuse(name, "a name cannot contain control characters")
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
    """The lookup key of ``name`` (see the module docstring), or InvalidNameError."""
    return parse_name(name).key


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
