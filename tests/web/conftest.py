"""Fixtures for the gallery tests: a writable copy of the shared indexed library, a running server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.web.helpers import start_server


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
