"""The large question suite (``big_suite.py``) on the suite library, in-process: every question of
both sets answered right (or refused where refusing is right); none silently wrong, none crashing."""

from __future__ import annotations

import json

import pytest

from plvm_photos.ask.present import failure
from plvm_photos.errors import LibraryError
from tests.ask.big_suite import holdout, judge, suite
from tests.ask.suite_library import TODAY


def _verdicts(answer, questions) -> dict[str, list[str]]:
    verdicts: dict[str, list[str]] = {"right": [], "refused": [], "wrong": [], "crash": []}
    for question, expect in questions:
        try:
            found = answer(question)
            code, out = 0, json.dumps(found.as_dict())
        except (LibraryError, ValueError) as exc:
            code, out = failure(exc)[1], ""
        verdicts[judge(expect, code, out)].append(question)
    return verdicts


@pytest.mark.parametrize("questions", [suite, holdout], ids=["suite", "holdout"])
def test_every_question_is_answered_right(answer, questions):
    asked = questions(TODAY)
    assert len(asked) >= (350 if questions is suite else 80)
    verdicts = _verdicts(answer, asked)
    assert verdicts["wrong"] == [] and verdicts["crash"] == [] and verdicts["refused"] == []
