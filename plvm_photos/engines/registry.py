"""The engines a library can use, and the one place an engine is chosen from its settings.

Imports nothing heavy: ``ask``'s fast path asks here whether the library's engine answers visual
questions without importing any engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine
    from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class EngineInfo:
    name: str
    summary: str
    kinds: tuple[str, ...]  # concept kinds it registers
    sees_pixels: bool  # answers questions about what is seen (actions, clothes): ask routes them to it


ENGINES: dict[str, EngineInfo] = {
    info.name: info
    for info in (
        EngineInfo("face", "dlib, offline default", ("person",), False),
        EngineInfo("plvm", "DINOv2 prefilter, PLVM verdicts and captions", ("person", "pet", "object"), True),
        EngineInfo("hybrid", "face prefilter for people, PLVM verdicts and captions", ("person", "pet", "object"), True),
    )
}
DEFAULT_ENGINE = "face"


def sees_pixels(engine_name: str | None) -> bool:
    info = ENGINES.get(engine_name or DEFAULT_ENGINE)
    return info is not None and info.sees_pixels


def engines_for_kind(kind: str) -> list[str]:
    return [name for name, info in ENGINES.items() if kind in info.kinds]


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
