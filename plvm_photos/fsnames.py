"""File names that are not valid UTF-8: how they are stored, printed and written in JSON.

POSIX file names are bytes. Python gives undecodable bytes back as lone surrogates
("surrogateescape"), which SQLite's TEXT (UTF-8) cannot store. Such a path is stored as
``fsbytes:`` followed by the path's bytes percent-encoded (``/`` kept); every other path is
stored unchanged. Stored paths are absolute, so a value that does not start with ``/`` can only
be an encoded one: the mapping is reversible and existing rows are untouched. ``printable`` shows
such a name to people (``\\xNN`` for its bytes), ``json_text`` writes it in JSON losslessly.

No imports beyond the standard library: the fast ``ask`` path uses this.
"""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes, unquote_to_bytes

ENCODED_PREFIX = "fsbytes:"


def to_db(path: str) -> str:
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return ENCODED_PREFIX + quote_from_bytes(os.fsencode(path), safe="/")


def from_db(value: str) -> str:
    if value.startswith(ENCODED_PREFIX):
        return os.fsdecode(unquote_to_bytes(value[len(ENCODED_PREFIX) :]))
    return value


def printable(path: str) -> str:
    """A path (or any text holding one) for people: undecodable bytes shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def json_text(data, indent: int | None = 2) -> str:
    """JSON that any UTF-8 reader accepts, and that gives non-UTF-8 file names back exactly: their
    undecodable bytes (lone surrogates in Python) become ``\\udcXX`` escapes, which ``json.loads``
    turns back into the same surrogates (``os.fsencode`` then gives the original bytes)."""
    import json

    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
