"""The library's settings: key/value rows in the ``settings`` table, validated on the way in.

Reading them costs one SELECT and imports nothing heavy, so ``ask`` can check the engine in use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, select

from plvm_photos.db.models import Setting
# The one upward import of the store: the engine setting's choices are the engines' table (no imports).
from plvm_photos.engines.catalog import DEFAULT_ENGINE, ENGINES
from plvm_photos.errors import LibraryError

DEVICES_HELP = "auto | cpu | cuda | cuda:N | mps"
DTYPES = ("auto", "float32", "bfloat16", "float16")


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip().lower()
        if value not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return value

    return check


def _location(value: str) -> str:
    """A local folder is stored as an absolute path; anything else (a hub id) as written."""
    value = value.strip()
    if not value:
        return ""
    expanded = os.path.expanduser(value)
    if os.path.exists(expanded) or value.startswith((".", "/", "~")):
        return os.path.abspath(expanded)
    return value


def _device(value: str) -> str:
    value = value.strip().lower()
    if value in ("auto", "cpu", "cuda", "mps") or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise ValueError(f"choose one of {DEVICES_HELP}")


def _number(low: float, high: float) -> Callable[[str], str]:
    def check(value: str) -> str:
        number = float(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return repr(number)

    return check


def _count(low: int, high: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return str(number)

    return check


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    help: str
    parse: Callable[[str], str]


SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec("engine", DEFAULT_ENGINE, " | ".join(f"{e.name} ({e.summary})" for e in ENGINES.values()),
                    _choice(tuple(ENGINES))),
        SettingSpec("face.second_detector", "on", "on | off: MTCNN beside HOG finds turned and half-hidden "
                    "faces (about 0.08 CPU s more a photo); takes effect for photos analysed from now on "
                    "(scan --reanalyze redoes the others)", _choice(("on", "off"))),
        SettingSpec("face.pose", "auto", "auto | on | off: the people-pose stage (face mesh, gaze, smile, upper "
                    "body; pip install 'plvm-photos[pose]') for what people do: talking, hugging, smiling, ...; "
                    "auto = on where installed; for photos analysed from now on (scan --pose fills in the others)",
                    _choice(("auto", "on", "off"))),
        SettingSpec("plvm.aligner", "", "Aligner checkpoint folder (plvm_config.json + aligner_heads.safetensors), "
                    "e.g. a plvm-train checkpoint", _location),
        SettingSpec("plvm.lvlm", "", "LLaVA-1.5 weights: a local folder or a hub id already in the Hugging Face "
                    "cache (empty: the one the Aligner checkpoint names)", _location),
        SettingSpec("plvm.encoder", "", "DINOv2 weights: a local folder or a cached hub id (empty: the one the "
                    "Aligner checkpoint names)", _location),
        SettingSpec("plvm.device", "auto", f"{DEVICES_HELP}; auto = cuda where present, else cpu", _device),
        SettingSpec("plvm.dtype", "auto", " | ".join(DTYPES) + "; auto = bfloat16 on cuda, float32 on cpu",
                    _choice(DTYPES)),
        SettingSpec("plvm.threshold", "0.5", "P(Yes) at or above which a concept is present", _number(0.0, 1.0)),
        SettingSpec("plvm.min_similarity", "0.3", "cosine similarity of DINOv2 global tokens (reference vs a "
                    "photo's regions) a photo needs to be verified at all", _number(-1.0, 1.0)),
        SettingSpec("plvm.caption_tokens", "48", "most tokens generated for a caption or an answer", _count(1, 512)),
        SettingSpec("plvm.ask_limit", "50", "most photos a visual question sends to the model", _count(1, 100_000)),
        SettingSpec("vlm.model", "Qwen/Qwen2-VL-2B-Instruct", "the vlm engine's vision-language model: a local "
                    "folder or a hub id already in the Hugging Face cache (LLaVA-1.5, Qwen2-VL or SmolVLM/Idefics3 "
                    "checkpoints)", _location),
        SettingSpec("vlm.device", "auto", f"{DEVICES_HELP}; auto = cuda where present, else cpu", _device),
        SettingSpec("vlm.dtype", "auto", " | ".join(DTYPES) + "; auto = bfloat16 on cuda, float32 on cpu",
                    _choice(DTYPES)),
        SettingSpec("vlm.threshold", "0.5", "P(Yes) at or above which a photo answers a visual yes/no question",
                    _number(0.0, 1.0)),
        SettingSpec("vlm.caption_tokens", "48", "most tokens generated for a caption or an answer", _count(1, 512)),
        SettingSpec("vlm.ask_limit", "50", "most photos a visual question sends to the model", _count(1, 100_000)),
    )
}


class Settings:
    """A library's settings; unset keys read as their defaults."""

    def __init__(self, library):
        self._library = library

    def stored(self) -> dict[str, str]:
        with self._library.session() as s:
            return dict(s.execute(select(Setting.key, Setting.value)).all())

    def all(self) -> dict[str, str]:
        values = {key: spec.default for key, spec in SPECS.items()}
        values.update({k: v for k, v in self.stored().items() if k in SPECS})
        return values

    def get(self, key: str) -> str:
        spec = _spec(key)
        with self._library.session() as s:
            value = s.scalar(select(Setting.value).where(Setting.key == key))
        return spec.default if value is None else value

    def set(self, key: str, value: str) -> str:
        """Validate and store; returns the stored form (absolute path, normalised word)."""
        spec = _spec(key)
        try:
            parsed = spec.parse(value)
        except ValueError as exc:
            raise LibraryError(f"invalid value {value!r} for {key}: {exc}") from None
        with self._library.transaction() as s:
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=parsed))
            else:
                row.value = parsed
        return parsed

    def unset(self, key: str) -> None:
        _spec(key)
        with self._library.transaction() as s:
            s.execute(delete(Setting).where(Setting.key == key))

    @property
    def engine(self) -> str:
        return self.get("engine")


def _spec(key: str) -> SettingSpec:
    spec = SPECS.get(key)
    if spec is None:
        raise LibraryError(f"unknown setting {key!r}; settings: {', '.join(SPECS)}")
    return spec
