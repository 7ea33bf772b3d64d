"""Fixtures for the plvm engine: a tiny random PLVM saved in the real on-disk format, and a small
library scanned and populated with it (built once per session; copy before writing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

LOOSE = {"plvm.min_similarity": "-1", "plvm.threshold": "0"}  # every photo a candidate, every verdict yes


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.plvm_model.tiny import save_tiny_plvm as build

    return build(tmp_path_factory.mktemp("tiny-plvm"))


def configure(library, models: dict[str, Path], engine: str = "plvm", settings: dict[str, str] | None = None) -> None:
    library.settings.set("engine", engine)
    library.settings.set("plvm.aligner", str(models["aligner"]))
    for key, value in (settings or {}).items():
        library.settings.set(key, value)


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory, sample_photos) -> Path:
    """astronaut (Eileen Collins), hopper (Grace Hopper), coffee (no face)."""
    folder = tmp_path_factory.mktemp("plvm-photos")
    for path in sample_photos.values():
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def plvm_library_dir(tmp_path_factory, tiny_models, photo_folder) -> Path:
    """A plvm library: the 3 photos scanned, <astro> (a person) and <cup> (an object) registered."""
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("plvm-library")
    with Library(root) as library:
        configure(library, tiny_models, settings=LOOSE)
        library.scan([photo_folder], progress=False)
        library.add_person("astro", [photo_folder / "astronaut.jpg"], force=True)
        library.add_person("cup", [photo_folder / "coffee.jpg"], kind="object", force=True)
    return root


@pytest.fixture
def plvm_library(plvm_library_dir, copy_library):
    from plvm_photos.library import Library

    library = Library(copy_library(plvm_library_dir))
    yield library
    library.close()


@pytest.fixture(scope="session")
def reference_model(tiny_models):
    """The same checkpoint loaded independently of the app, to check what the app stored."""
    from plvm_model.lvlm import PLVM

    return PLVM.from_pretrained(tiny_models["aligner"]).eval()


def model_image(path):
    """A photo as the engine sees it (decoded at its long side 1024)."""
    from PIL import Image

    from plvm_photos.imaging import decode

    return Image.fromarray(decode(path, max_side=1024).pixels)
