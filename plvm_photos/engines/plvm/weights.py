"""Where the plvm engine's weights are, and one clear message when some are not on this machine.

Nothing here imports torch: the check runs before any model is loaded, so a missing download is
reported as a sentence naming what to fetch and where to put it, never as a loader's stack trace.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from plvm_photos.engines import weights as shared
from plvm_photos.errors import MissingWeightsError  # noqa: F401  (re-exported: callers catch it from here)

DEFAULT_LVLM = "llava-hf/llava-1.5-7b-hf"
DEFAULT_ENCODER = "facebook/dinov2-base"


@dataclass(frozen=True)
class PlvmOptions:
    """The plvm engine's settings, read once from the library (``entry.plvm_options``)."""

    aligner: str
    lvlm: str
    encoder: str
    device: str
    dtype: str
    threshold: float
    min_similarity: float
    caption_tokens: int
    ask_limit: int


@dataclass(frozen=True)
class Locations:
    """Checked, loadable locations: the Aligner checkpoint folder and the two base models."""

    aligner: Path
    lvlm: str
    encoder: str


def check_weights(options: PlvmOptions) -> Locations:
    """Resolve every location or raise one :class:`MissingWeightsError` listing all that are missing."""
    problems: list[str] = []
    named_lvlm, named_encoder = DEFAULT_LVLM, DEFAULT_ENCODER
    aligner = Path(os.path.expanduser(options.aligner)) if options.aligner else None
    if aligner is None:
        problems.append(
            "Aligner checkpoint: not configured. Train one with plvm-train (or copy a checkpoint folder holding "
            "plvm_config.json and aligner_heads.safetensors to this machine), then: "
            "plvm-photos config plvm.aligner FOLDER"
        )
    elif not (aligner / "plvm_config.json").is_file() or not (aligner / "aligner_heads.safetensors").is_file():
        problems.append(
            f"Aligner checkpoint: {aligner} does not hold plvm_config.json and aligner_heads.safetensors; "
            "point plvm.aligner at a plvm-train checkpoint folder (plvm-photos config plvm.aligner FOLDER)"
        )
    else:
        try:
            named = json.loads((aligner / "plvm_config.json").read_text())
            named_lvlm = named.get("lvlm") or named_lvlm
            named_encoder = (named.get("aligner") or {}).get("encoder") or named_encoder
        except (OSError, ValueError) as exc:
            problems.append(f"Aligner checkpoint: {aligner}/plvm_config.json is unreadable ({exc})")
    lvlm = options.lvlm or named_lvlm
    encoder = options.encoder or named_encoder
    for what, location, setting, example in (
        ("LLaVA weights", lvlm, "plvm.lvlm", "~/models/llava-1.5-7b-hf"),
        ("DINOv2 weights", encoder, "plvm.encoder", "~/models/dinov2-base"),
    ):
        problem = shared.model_problem(what, location, setting, example)
        if problem:
            problems.append(problem)
    if problems:
        raise shared.missing_weights("plvm", problems)
    return Locations(aligner=aligner, lvlm=lvlm, encoder=encoder)


def choose_device(device: str, dtype: str) -> tuple[str, str]:
    """('cuda', 'bfloat16') where a GPU is present, ('cpu', 'float32') otherwise; settings override."""
    return shared.choose_device(device, dtype, "plvm")
