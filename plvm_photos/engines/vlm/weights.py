"""The vlm engine's settings, and one clear message when its model is not on this machine."""

from __future__ import annotations

import os
from dataclasses import dataclass

from plvm_photos.engines import weights as shared

# Where the missing-weights message suggests putting a download.
EXAMPLE_DIR = "~/models/{name}"


@dataclass(frozen=True)
class VlmOptions:
    """The vlm engine's settings, read once from the library (``entry.vlm_options``)."""

    model: str  # a folder of save_pretrained files, or a hub id already in the Hugging Face cache
    device: str
    dtype: str
    threshold: float
    caption_tokens: int
    ask_limit: int


@dataclass(frozen=True)
class VlmLocation:
    """A checked, loadable model location."""

    path: str  # what from_pretrained is given
    hub: bool  # a hub id (loaded from the local cache only, never downloaded)


def check_weights(options: VlmOptions) -> VlmLocation:
    """The model's location, or one :class:`MissingWeightsError` saying what to fetch and where."""
    location = options.model.strip()
    if not location:
        raise shared.missing_weights("vlm", [
            "vision-language model: not configured; set it with: plvm-photos config vlm.model FOLDER|HUB_ID "
            "(e.g. Qwen/Qwen2-VL-2B-Instruct, HuggingFaceTB/SmolVLM-256M-Instruct, llava-hf/llava-1.5-7b-hf)"
        ])
    example = EXAMPLE_DIR.format(name=location.rstrip("/").rsplit("/", 1)[-1])
    problem = shared.model_problem("vision-language model weights", location, "vlm.model", example)
    if problem:
        raise shared.missing_weights("vlm", [problem])
    hub = shared.is_hub_id(location)
    return VlmLocation(location if hub else os.path.expanduser(location), hub)
