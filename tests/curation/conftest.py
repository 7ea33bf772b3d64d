"""The small real library of ``small_library``: built once, copied for each test that writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.curation import small_library


@pytest.fixture(scope="session")
def curation_root(tmp_path_factory, library_data) -> Path:
    return small_library.build(tmp_path_factory, library_data)


@pytest.fixture
def small_lib(curation_root, tmp_path):
    """(an open writable copy of the library, its folder, the photos folder)."""
    from plvm_photos.library import Library

    root = small_library.copy(curation_root, tmp_path / "lib")
    library = Library(root)
    yield library, root, curation_root / "photos"
    library.close()
