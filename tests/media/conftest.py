"""The media library: two people registered from their reference photos and a folder of RAW
files, videos and items (``folder.build``) scanned, built once per session. Copy it to write."""

from __future__ import annotations

import pytest

from tests.media.folder import build


@pytest.fixture(scope="session")
def media_library(tmp_path_factory, library_data):
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("media")
    folder = build(root / "photos", library_data)
    with Library(root / "lib") as library:
        library.add_person("angelina", [library_data / "angelina_jolie" / "ref.jpg"])
        library.add_person("obama", [library_data / "barack_obama" / "ref.jpg"])
        summary = library.scan([folder.root], workers=2, progress=False)
    return root / "lib", folder, summary
