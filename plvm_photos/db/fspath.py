"""File paths in the database, including names that are not valid UTF-8.

POSIX file names are bytes. Python gives undecodable bytes back as lone surrogates
("surrogateescape"), which SQLite's TEXT (UTF-8) cannot store. Such a path is stored as
``fsbytes:`` followed by the path's bytes percent-encoded (``/`` kept); every other path is
stored unchanged. Stored paths are absolute, so a value that does not start with ``/`` can only
be an encoded one: the mapping is reversible and existing rows are untouched.

The column type ``FsPath`` applies this on the way in and out, so code compares and looks up
paths as ordinary ``str`` (with surrogates) and never sees the encoded form. A prefix query
(``File.path.startswith(folder)``) does not match encoded paths; ``ENCODED_PREFIX`` lets code
that walks a folder's rows find those too.
"""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes, unquote_to_bytes

from sqlalchemy.types import Text, TypeDecorator

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
    """A path for logs and JSON: undecodable bytes shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class FsPath(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_db(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_db(value)
