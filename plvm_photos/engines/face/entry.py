"""The face engine as the engines' table (``engines/catalog.py``) lists it: the settings it reads,
with their defaults, and how it is opened from them. Imports nothing heavy (the catalog, and so
``ask``'s fast path, imports it); the engine itself is imported when it is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from plvm_photos.store.setting_types import ON_OFF, SettingSpec, options_from

if TYPE_CHECKING:
    from plvm_photos.engines.face.engine import FaceEngine, FaceEngineConfig

SETTINGS = (
    SettingSpec("face.second_detector", "on", "on | off: MTCNN beside HOG finds turned and half-hidden "
                "faces (about 0.08 CPU s more a photo); takes effect for photos analysed from now on "
                "(scan --reanalyze redoes the others)", ON_OFF),
)


def face_config(values: Mapping[str, str]) -> FaceEngineConfig:
    """The face analyzer's configuration: every engine that finds faces uses it."""
    from plvm_photos.engines.face.engine import FaceEngineConfig

    return options_from(FaceEngineConfig, SETTINGS, values)


def open_face(store, values: Mapping[str, str]) -> FaceEngine:
    from plvm_photos.engines.face.engine import FaceEngine

    return FaceEngine(face_config(values))


def no_weights_to_check(values: Mapping[str, str]) -> None:
    """The face engine's weights come with its packages: nothing can be missing."""
