"""The gallery's HTML escapes by default: markup is only ever a literal, every value is text."""

from __future__ import annotations

import ast
from pathlib import Path

from plvm_photos.web.markup import EMPTY, Html, escape, when

WEB = Path(__file__).resolve().parents[2] / "plvm_photos" / "web"


def test_values_are_escaped_wherever_they_meet_markup():
    hostile = "<script>alert('x')</script>"
    shown = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert Html("<p>{}</p>").format(hostile) == f"<p>{shown}</p>"
    assert Html("<p>{name}</p>").format(name=hostile) == f"<p>{shown}</p>"
    assert Html("<b>") + hostile == f"<b>{shown}"
    assert hostile + Html("<b>") == f"{shown}<b>"  # text on the left of markup is escaped too
    assert isinstance(hostile + Html("<b>"), Html)
    assert Html("<br>").join([hostile, Html("<i>ok</i>")]) == f"{shown}<br><i>ok</i>"
    assert Html("<p>{}</p>").format(Html("<i>markup</i>")) == "<p><i>markup</i></p>"  # markup stays markup
    assert Html("{:.3f} {}").format(0.12345, [1, 2]) == "0.123 [1, 2]"
    assert escape("a\udcffb") == "a\\xffb"  # an undecodable file-name byte is shown, never fails
    assert when(False, Html("<x>")) is EMPTY and when(1, Html("<x>")) == "<x>"


def test_markup_is_only_ever_written_as_a_literal():
    """``Html(...)`` of anything but a string literal (an f-string, a variable) could carry text
    that was never escaped: the gallery's code has none (``markup.py`` itself, which escapes, aside)."""
    found = []
    for path in sorted(WEB.glob("*.py")):
        if path.name == "markup.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Html" and (
                    len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Constant)
                    or not isinstance(node.args[0].value, str)):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
