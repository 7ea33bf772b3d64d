"""The answer tests' library (``ask_library_dir`` in tests/conftest.py, built from
``photo_library.py``), opened once per module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def ask_library(ask_library_dir):
    from plvm_photos.library import Library

    with Library(ask_library_dir) as library:
        yield library


@pytest.fixture
def asked(ask_library):
    """``asked(question)`` -> the Answer, asked in-process."""
    from plvm_photos.ask.answer import ask

    return lambda question: ask(ask_library, question)
