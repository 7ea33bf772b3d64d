"""The engines a library can use, by name: what each registers and whether it sees pixels.

A table with no imports: the settings validate the engine's name against it and ``ask``'s fast
path asks it whether a question goes to the library's engine, without importing any engine.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        EngineInfo("vlm", "face engine for who and where, a downloadable vision-language model (LLaVA, Qwen2-VL, "
                          "SmolVLM) for captions and visual questions", ("person",), True),
    )
}
DEFAULT_ENGINE = "face"


def sees_pixels(engine_name: str | None) -> bool:
    info = ENGINES.get(engine_name or DEFAULT_ENGINE)
    return info is not None and info.sees_pixels


def engines_for_kind(kind: str) -> list[str]:
    return [name for name, info in ENGINES.items() if kind in info.kinds]
