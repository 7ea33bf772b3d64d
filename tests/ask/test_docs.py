"""docs/questions.md: every example parses with the suite library's people and is answered; the
README's Questions section is a short summary that links to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plvm_photos.ask.parser import parse
from tests.ask.suite_library import PEOPLE, TODAY

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "questions.md"


def _sections() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for section in text.split("\n## ")[1:]:
        title = section.split("\n", 1)[0]
        blocks = re.findall(r"```text\n(.*?)```", section, re.S)
        out[title] = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    return out


EXAMPLES = [(title, question) for title, questions in _sections().items() for question in questions]
FAMILIES = ["Names", "People", "Counts", "Time", "Places", "One photo", "Your people over time", "What people do"]


def test_every_family_has_examples():
    sections = _sections()
    for family in FAMILIES:
        assert len(sections.get(family, [])) >= 2, family
    assert len(EXAMPLES) >= 100


@pytest.mark.parametrize("title, question", EXAMPLES, ids=[q for _, q in EXAMPLES])
def test_every_example_parses_and_is_answered(answer, title, question):
    parse(question, TODAY, PEOPLE)
    if title != "What people do":  # judged from the pixels of real faces (tests/ask/test_answer_interactions.py)
        assert answer(question).answer


def test_the_readme_summarises_questions_and_links_to_the_reference():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Questions\n", 1)[1].split("\n## ", 1)[0]
    assert "docs/questions.md" in section
    assert len([line for line in section.strip().splitlines() if line.strip()]) <= 5


def test_the_reference_documents_exit_codes_explain_and_json_fields():
    text = DOC.read_text(encoding="utf-8")
    for needed in ("--explain", "exit code 3", "exit code 2", '"taken"', '"place"', '"query"', "no photos scanned yet"):
        assert needed in text, needed
