"""Fixtures for the gallery tests: a writable copy of the shared indexed library, a running server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.web.helpers import start_server

CHROMIUM = os.environ.get("PLVM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")  # session: set up (or skipped) before the library fixtures
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PLVM_CHROMIUM)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def gallery_library_dir(indexed_library_dir, tmp_path_factory) -> Path:
    """One copy of the indexed library for the read-only gallery tests (thumbnails are written)."""
    target = tmp_path_factory.mktemp("gallery") / "library"
    shutil.copytree(indexed_library_dir, target)
    return target


@pytest.fixture(scope="session")
def gallery_library(gallery_library_dir):
    from plvm_photos.library import Library

    library = Library(gallery_library_dir)
    yield library
    library.close()


@pytest.fixture(scope="session")
def gallery_server(gallery_library):
    server = start_server(gallery_library)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $PLVM_TEST_ARTIFACTS/gallery, else a pytest temp folder."""
    root = os.environ.get("PLVM_TEST_ARTIFACTS")
    path = Path(root) / "gallery" if root else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def curation_root(tmp_path_factory, library_data) -> Path:
    """The small real library of ``tests/curation/small_library.py`` (built once per session)."""
    from tests.curation import small_library

    return small_library.build(tmp_path_factory, library_data)
