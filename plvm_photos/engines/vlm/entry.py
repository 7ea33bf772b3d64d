"""The vlm engine as the engines' table (``engines/catalog.py``) lists it: the settings it reads,
with their defaults, and how it is opened from them. Imports nothing heavy (the catalog, and so
``ask``'s fast path, imports it); the model loads when the engine first needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from plvm_photos.engines.face.entry import face_config
from plvm_photos.store.setting_types import DEVICE, DEVICES_HELP, DTYPE, DTYPES, LOCATION, SettingSpec, count, number, \
    options_from

if TYPE_CHECKING:
    from plvm_photos.engines.vlm.engine import VlmEngine
    from plvm_photos.engines.vlm.weights import VlmOptions

SETTINGS = (
    SettingSpec("vlm.model", "Qwen/Qwen2-VL-2B-Instruct", "the vlm engine's vision-language model: a local "
                "folder or a hub id already in the Hugging Face cache (LLaVA-1.5, Qwen2-VL or SmolVLM/Idefics3 "
                "checkpoints)", LOCATION),
    SettingSpec("vlm.device", "auto", f"{DEVICES_HELP}; auto = cuda where present, else cpu", DEVICE),
    SettingSpec("vlm.dtype", "auto", " | ".join(DTYPES) + "; auto = bfloat16 on cuda, float32 on cpu", DTYPE),
    SettingSpec("vlm.threshold", "0.5", "P(Yes) at or above which a photo answers a visual yes/no question",
                number(0.0, 1.0)),
    SettingSpec("vlm.caption_tokens", "48", "most tokens generated for a caption or an answer", count(1, 512)),
    SettingSpec("vlm.ask_limit", "50", "most photos a visual question sends to the model", count(1, 100_000)),
)


def vlm_options(values: Mapping[str, str]) -> VlmOptions:
    from plvm_photos.engines.vlm.weights import VlmOptions

    return options_from(VlmOptions, SETTINGS, values)


def open_vlm(store, values: Mapping[str, str]) -> VlmEngine:
    from plvm_photos.engines.vlm.engine import VlmEngine

    return VlmEngine(vlm_options(values), face_config(values))


def check_vlm_weights(values: Mapping[str, str]) -> None:
    from plvm_photos.engines.vlm.weights import check_weights

    check_weights(vlm_options(values))
