"""Shared fixtures: where the real photos are, and one indexed library reused by many tests.

The photos in ../shared/data are found through PLVM_TEST_DATA (default: ../shared/data beside
the repository); tests that need them skip with a clear reason where they are absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = Path(os.environ.get("PLVM_TEST_DATA", REPO.parent / "shared" / "data"))


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"test photos not found at {path} (set PLVM_TEST_DATA to the shared data folder)")
    return path


@pytest.fixture(scope="session")
def library_data() -> Path:
    """../shared/data/library: 19 references, 108 test photos and manifest.json."""
    return _need(TEST_DATA / "library")


@pytest.fixture(scope="session")
def bench_data() -> Path:
    """../shared/data/plvm-bench: the PLVM paper's test-set format."""
    return _need(TEST_DATA / "plvm-bench")


@pytest.fixture(scope="session")
def manifest(library_data) -> dict:
    return json.loads((library_data / "manifest.json").read_text())


@pytest.fixture(scope="session")
def indexed_library_dir(tmp_path_factory, library_data, manifest) -> Path:
    """A library with all 19 identities registered and ../shared/data/library scanned, built once.

    Tests must not modify it: copy it with ``copy_library`` first if they need to write.
    """
    from plvm_photos.library import Library
    from plvm_photos.manifest_eval import register_all

    root = tmp_path_factory.mktemp("indexed-library")
    with Library(root) as library:
        register_all(library, library_data, manifest)
        library.scan([library_data], progress=False)
    return root


@pytest.fixture
def copy_library(tmp_path):
    """Copy a library folder (SQLite, index, references) to a fresh temp folder for writing."""

    def copy(source: Path) -> Path:
        target = tmp_path / "library-copy"
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture(scope="session")
def sample_photos(tmp_path_factory) -> dict[str, Path]:
    """Small public-domain photos that installed packages ship (no ../shared needed).

    astronaut: Eileen Collins (scikit-image, NASA, public domain); hopper: Grace Hopper
    (matplotlib sample data); coffee: a cup, no face (scikit-image, CC0).
    """
    from plvm_photos.demo_photos import sample_images

    return sample_images(tmp_path_factory.mktemp("samples"))
