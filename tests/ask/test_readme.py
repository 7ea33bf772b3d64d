"""The README's "Questions" section lists the parser's examples, and every one parses."""

import re
from datetime import date
from pathlib import Path

from plvm_photos.ask.parser import EXAMPLES, parse

README = Path(__file__).resolve().parents[2] / "README.md"


def _grammar_section_questions() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Questions\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_every_question_in_the_readme_grammar_section_parses():
    questions = _grammar_section_questions()
    assert len(questions) >= 40
    for question in questions:
        parse(question, date(2024, 7, 15))  # raises QuestionError if it does not parse


def test_the_readme_lists_the_parser_examples():
    assert _grammar_section_questions() == EXAMPLES


def test_the_readme_documents_exit_codes_explain_and_json_fields():
    section = README.read_text(encoding="utf-8").split("\n## Questions\n", 1)[1].split("\n## ", 1)[0]
    for needed in ("--explain", "exit code 3", "exit code 2", '"taken"', '"place"', '"query"'):
        assert needed in section, needed
    assert re.search(r"make demo .*\nmake test ", README.read_text(encoding="utf-8"))  # the top two commands
