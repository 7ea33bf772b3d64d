"""HTML that escapes by default: ``Html`` is markup, every other value is text.

Markup is only written as a string literal in the code: ``Html("<p class=x>{}</p>")``. Values go
in through ``Html.format`` (fields with format specs: ``{:.3f}``), ``Html.join`` and ``+``, which
escape every value that is not ``Html`` already, so a page is ``Html`` from end to end and a value
that was not escaped cannot be written by accident: a plain ``str`` (an f-string too) that meets
markup is escaped, shown as text, never written as HTML. ``tests/web/test_markup.py`` checks that
``Html(...)`` is only ever called on a literal in the gallery's code.

File names that are not valid UTF-8 (``str`` with surrogate escapes, see ``db/fspath.py``) are
shown with their undecodable bytes as ``\\xNN`` (``readable``), never passed to an encoder that
fails.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable

from plvm_photos.fsnames import printable


class Html(str):
    """Markup: written into a page as it is."""

    __slots__ = ()

    def __add__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return Html(str.__add__(self, escape(other)))

    def __radd__(self, other):  # text + Html: called before str's own +, the text is escaped
        if not isinstance(other, str):
            return NotImplemented
        return Html(str.__add__(escape(other), self))

    def format(self, *args, **kwargs) -> Html:
        return Html(_ESCAPING.vformat(self, args, kwargs))

    def join(self, items: Iterable) -> Html:
        return Html(str.join(self, [escape(item) for item in items]))


class _Escaping(string.Formatter):
    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, Html):
            return value
        return escape(format(value, format_spec))


_ESCAPING = _Escaping()
EMPTY = Html("")


def readable(value) -> str:
    """``str(value)`` that always encodes as UTF-8: undecodable file-name bytes become \\xNN."""
    text = str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return printable(text)
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def escape(value) -> Html:
    """``value`` as markup: ``Html`` as it is, anything else as text."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(readable(value), quote=True))


def when(condition, markup: Html) -> Html:
    """``markup`` where ``condition`` holds, else nothing."""
    return markup if condition else EMPTY
