"""The answer tests' libraries: ``ask_library_dir`` (real photos scanned by the face engine, in
tests/conftest.py, from ``photo_library.py``) opened once per module, and ``suite_library_dir``
(eleven people, 97 small photos whose EXIF dates and GPS positions ``suite_library.py`` writes;
faces written into the database), built once per session."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.ask.suite_library import TODAY


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


@pytest.fixture(scope="session")
def suite_library_dir(tmp_path_factory) -> Path:
    from tests.ask.suite_library import build

    root = tmp_path_factory.mktemp("suite-library")
    build(root)
    return root


@pytest.fixture(scope="session")
def suite_db(suite_library_dir):
    """A read-only ``Reader`` on the suite library."""
    from plvm_photos.ask.reader import Reader
    from plvm_photos.store.layout import DB_FILE

    conn = sqlite3.connect(f"file:{suite_library_dir / DB_FILE}?mode=ro", uri=True, check_same_thread=False)
    yield Reader(conn)
    conn.close()


@pytest.fixture
def answer(suite_db):
    """``answer(question)`` -> the Answer on the suite library, on the suite's "today"."""
    from plvm_photos.ask.answer import answer_question

    return lambda question: answer_question(suite_db, question, TODAY)
