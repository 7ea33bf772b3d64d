"""The question suite (``question_suite.py``) through the real command line: every question
answered right, or refused where refusing is right; none answered wrong."""

import sys

from tests.ask.question_suite import SUITE, run


def test_every_question_of_the_suite_is_answered_right(ask_library_dir):
    verdicts = run([sys.executable, "-m", "plvm_photos.launcher"], str(ask_library_dir))
    assert len(SUITE) >= 40
    assert verdicts["wrong"] == [] and verdicts["refused"] == []
    assert len(verdicts["right"]) == len(SUITE)
