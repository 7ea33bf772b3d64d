"""The blind question suite (``blind_suite.py``: questions written before the reader was read),
asked in-process on its own library: none silently wrong, none crashing, every refusal's rewrite
accepted, and at least 90 % of the answerable questions answered right."""

from __future__ import annotations

import pytest

from tests.ask.blind_suite import ANSWERABLE_NOT, build, report, run


@pytest.fixture(scope="module")
def blind_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("blind-library")
    build(root)
    return root


@pytest.mark.parametrize("split", ["tuning"])
def test_the_blind_suite_is_answered_right(blind_library, split):
    verdicts = run(blind_library, split)
    assert verdicts["wrong"] == [] and verdicts["crash"] == [] and verdicts["bad_rewrite"] == [], report(verdicts)
    answerable = [q for v in verdicts.values() for q, _ in v if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    right = [q for k in ("right", "refused_ok") for q, _ in verdicts[k] if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    assert len(answerable) >= 250 and len(right) >= 0.9 * len(answerable), report(verdicts)
