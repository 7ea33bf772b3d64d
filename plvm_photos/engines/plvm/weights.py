"""Where the plvm engine's weights are, and one clear message when some are not on this machine.

Nothing here imports torch: the check runs before any model is loaded, so a missing download is
reported as a sentence naming what to fetch and where to put it, never as a loader's stack trace.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from plvm_photos.errors import LibraryError, MissingWeightsError

DEFAULT_LVLM = "llava-hf/llava-1.5-7b-hf"
DEFAULT_ENCODER = "facebook/dinov2-base"
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class PlvmOptions:
    """The plvm engine's settings, read once from the library."""

    aligner: str
    lvlm: str
    encoder: str
    device: str
    dtype: str
    threshold: float
    min_similarity: float
    caption_tokens: int
    ask_limit: int

    @classmethod
    def from_settings(cls, values: dict[str, str]) -> "PlvmOptions":
        return cls(
            aligner=values["plvm.aligner"],
            lvlm=values["plvm.lvlm"],
            encoder=values["plvm.encoder"],
            device=values["plvm.device"],
            dtype=values["plvm.dtype"],
            threshold=float(values["plvm.threshold"]),
            min_similarity=float(values["plvm.min_similarity"]),
            caption_tokens=int(values["plvm.caption_tokens"]),
            ask_limit=int(values["plvm.ask_limit"]),
        )


@dataclass(frozen=True)
class Locations:
    """Checked, loadable locations: the Aligner checkpoint folder and the two base models."""

    aligner: Path
    lvlm: str
    encoder: str


def _hub_cached(repo_id: str, filename: str = "config.json") -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(repo_id, filename)
    return isinstance(found, str) and os.path.exists(found)


def _model_problem(what: str, location: str, setting: str, example_dir: str) -> str | None:
    """Why ``location`` cannot be loaded (None when it can)."""
    path = Path(os.path.expanduser(location))
    if path.is_dir():
        if (path / "config.json").is_file():
            return None
        return f"{what}: the folder {path} has no config.json (it should hold the files of save_pretrained)"
    if HUB_ID.match(location) and not path.exists():
        if _hub_cached(location):
            return None
        return (
            f"{what} ({location}) are not on this machine. On a machine with network: "
            f"hf download {location} --local-dir {example_dir}, copy that folder here, then: "
            f"plvm-photos config {setting} {example_dir}"
        )
    return f"{what}: {location} is neither a folder nor a hub id; set it with: plvm-photos config {setting} FOLDER"


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
        problem = _model_problem(what, location, setting, example)
        if problem:
            problems.append(problem)
    if problems:
        raise MissingWeightsError(
            "the plvm engine cannot start, model weights are missing:\n  - " + "\n  - ".join(problems)
            + "\n(plvm-photos config shows the current settings; plvm-photos config engine face goes back to the "
            "offline face engine)"
        )
    return Locations(aligner=aligner, lvlm=lvlm, encoder=encoder)


def choose_device(device: str, dtype: str) -> tuple[str, str]:
    """('cuda', 'bfloat16') where a GPU is present, ('cpu', 'float32') otherwise; settings override."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    elif device.startswith("cuda") and not torch.cuda.is_available():
        raise LibraryError("plvm.device is set to cuda but no CUDA GPU is available (plvm-photos config plvm.device auto)")
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    return device, dtype
