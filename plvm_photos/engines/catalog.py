"""The one table of engines: by name, what each registers, whether it sees pixels, the settings it
reads (declared by the engine's package, with their defaults) and how it is opened.

Adding an engine is a package under ``engines/`` (with an ``entry.py`` declaring its settings and
opening it) and one row here. The table imports only those declarations (standard library and
``store.setting_types``): ``store.settings`` validates every setting against it, and ``ask``'s
fast path asks it whether a question goes to the library's engine, without importing any engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

from plvm_photos.engines.face import entry as face
from plvm_photos.engines.plvm import entry as plvm
from plvm_photos.engines.vlm import entry as vlm
from plvm_photos.store.setting_types import SettingSpec

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine


@dataclass(frozen=True)
class EngineInfo:
    name: str
    summary: str
    kinds: tuple[str, ...]  # concept kinds it registers
    sees_pixels: bool  # answers questions about what is seen (actions, clothes): ask routes them to it
    settings: tuple[SettingSpec, ...]  # what it reads: its own keys and those of the engines it builds on
    open: Callable[[object, Mapping[str, str]], Engine]  # (library store, settings) -> the engine
    check_weights: Callable[[Mapping[str, str]], None]  # raises MissingWeightsError; loads nothing


ENGINES: dict[str, EngineInfo] = {
    info.name: info
    for info in (
        EngineInfo("face", "dlib, offline default", ("person",), False, face.SETTINGS, face.open_face,
                   face.no_weights_to_check),
        EngineInfo("plvm", "DINOv2 prefilter, PLVM verdicts and captions", ("person", "pet", "object"), True,
                   face.SETTINGS + plvm.SETTINGS, plvm.open_plvm, plvm.check_plvm_weights),
        EngineInfo("hybrid", "face prefilter for people, PLVM verdicts and captions", ("person", "pet", "object"), True,
                   face.SETTINGS + plvm.SETTINGS, plvm.open_hybrid, plvm.check_plvm_weights),
        EngineInfo("vlm", "face engine for who and where, a downloadable vision-language model (LLaVA, Qwen2-VL, "
                          "SmolVLM) for captions and visual questions", ("person",), True,
                   face.SETTINGS + vlm.SETTINGS, vlm.open_vlm, vlm.check_vlm_weights),
    )
}
DEFAULT_ENGINE = "face"


def engine_settings() -> dict[str, SettingSpec]:
    """Every engine's settings by key, in table order (a key two engines read is listed once)."""
    return {spec.key: spec for info in ENGINES.values() for spec in info.settings}


def sees_pixels(engine_name: str | None) -> bool:
    info = ENGINES.get(engine_name or DEFAULT_ENGINE)
    return info is not None and info.sees_pixels


def engines_for_kind(kind: str) -> list[str]:
    return [name for name, info in ENGINES.items() if kind in info.kinds]
