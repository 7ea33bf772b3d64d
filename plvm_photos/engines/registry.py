"""The one place an engine is chosen and configured from a library's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine
    from plvm_photos.store.library_store import LibraryStore


def open_engine(store: LibraryStore) -> Engine:
    """The engine the library's settings name, configured from them."""
    values = store.settings.all()
    face_config = face_config_of(values)
    name = values["engine"]
    if name == "face":
        from plvm_photos.engines.face.engine import FaceEngine

        return FaceEngine(face_config)
    from plvm_photos.engines.plvm.engine import PlvmLibraryEngine
    from plvm_photos.engines.plvm.weights import PlvmOptions

    return PlvmLibraryEngine(store, PlvmOptions.from_settings(values), face_config, hybrid=name == "hybrid")


def face_config_of(values: dict[str, str]):
    from plvm_photos.engines.face.engine import FaceEngineConfig

    return FaceEngineConfig(second_detector=values["face.second_detector"] == "on")
