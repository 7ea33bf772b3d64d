"""How ``plvm-photos ask`` prints an answer and a refusal, the same on both of its paths (the
launcher's sqlite3 one and the full command line)."""

from __future__ import annotations

from plvm_photos.ask.query import QuestionError
from plvm_photos.ask.results import Answer
from plvm_photos.fsnames import json_text, printable
from plvm_photos.errors import EXIT_ERROR, EXIT_REFUSED, error_line

EXPLAIN_PREFIX = "understood as: "


def render(answer: Answer, as_json: bool, explain: bool) -> str:
    """Stdout: the answer (``--json``: its JSON, with ``explain`` added under ``--explain``),
    after the understood question on its own line under ``--explain``."""
    if as_json:
        data = answer.as_dict()
        if explain:
            data["explain"] = answer.understood
        return json_text(data)
    if explain and answer.understood:
        return printable(f"{EXPLAIN_PREFIX}{answer.understood}\n{answer.answer}")
    return printable(answer.answer)


def failure(exc: BaseException) -> tuple[str, int]:
    """(stderr line, exit code) for an error while asking: 3 for a refused question, else 2. A
    refusal quotes the question, so its line breaks and other control characters are escaped."""
    if isinstance(exc, QuestionError):
        line = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in error_line(exc))
        return line, EXIT_REFUSED
    return error_line(exc), EXIT_ERROR
