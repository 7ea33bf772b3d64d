"""The plvm and hybrid engines as the engines' table (``engines/catalog.py``) lists them: the
settings they read, with their defaults, and how they are opened from them. Imports nothing heavy
(the catalog, and so ``ask``'s fast path, imports it); torch loads when an engine is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from plvm_photos.engines.face.entry import face_config
from plvm_photos.store.setting_types import DEVICE, DEVICES_HELP, DTYPE, DTYPES, LOCATION, SettingSpec, count, number, \
    options_from

if TYPE_CHECKING:
    from plvm_photos.engines.plvm.engine import PlvmLibraryEngine
    from plvm_photos.engines.plvm.weights import PlvmOptions

SETTINGS = (
    SettingSpec("plvm.aligner", "", "Aligner checkpoint folder (plvm_config.json + aligner_heads.safetensors), "
                "e.g. a plvm-train checkpoint", LOCATION),
    SettingSpec("plvm.lvlm", "", "LLaVA-1.5 weights: a local folder or a hub id already in the Hugging Face "
                "cache (empty: the one the Aligner checkpoint names)", LOCATION),
    SettingSpec("plvm.encoder", "", "DINOv2 weights: a local folder or a cached hub id (empty: the one the "
                "Aligner checkpoint names)", LOCATION),
    SettingSpec("plvm.device", "auto", f"{DEVICES_HELP}; auto = cuda where present, else cpu", DEVICE),
    SettingSpec("plvm.dtype", "auto", " | ".join(DTYPES) + "; auto = bfloat16 on cuda, float32 on cpu", DTYPE),
    SettingSpec("plvm.threshold", "0.5", "P(Yes) at or above which a concept is present", number(0.0, 1.0)),
    SettingSpec("plvm.min_similarity", "0.3", "cosine similarity of DINOv2 global tokens (reference vs a "
                "photo's regions) a photo needs to be verified at all", number(-1.0, 1.0)),
    SettingSpec("plvm.caption_tokens", "48", "most tokens generated for a caption or an answer", count(1, 512)),
    SettingSpec("plvm.ask_limit", "50", "most photos a visual question sends to the model", count(1, 100_000)),
)


def plvm_options(values: Mapping[str, str]) -> PlvmOptions:
    from plvm_photos.engines.plvm.weights import PlvmOptions

    return options_from(PlvmOptions, SETTINGS, values)


def open_plvm(store, values: Mapping[str, str], hybrid: bool = False) -> PlvmLibraryEngine:
    from plvm_photos.engines.plvm.engine import PlvmLibraryEngine

    return PlvmLibraryEngine(store.root, store.references_dir, plvm_options(values), face_config(values), hybrid=hybrid)


def open_hybrid(store, values: Mapping[str, str]) -> PlvmLibraryEngine:
    return open_plvm(store, values, hybrid=True)


def check_plvm_weights(values: Mapping[str, str]) -> None:
    from plvm_photos.engines.plvm.weights import check_weights

    check_weights(plvm_options(values))
