"""What every engine that loads model weights shares: telling where weights are missing, in one
clear message, and choosing the device.

Nothing here imports torch at module level: the checks run before any model is loaded, so a
missing download is reported as a sentence naming what to fetch and where to put it, never as a
loader's stack trace.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from plvm_photos.errors import LibraryError, MissingWeightsError

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def hub_cached(repo_id: str, filename: str = "config.json") -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(repo_id, filename)
    return isinstance(found, str) and os.path.exists(found)


def is_hub_id(location: str) -> bool:
    """A hub id (``owner/name``) that is not also a path on this machine."""
    return bool(HUB_ID.match(location)) and not Path(os.path.expanduser(location)).exists()


def model_problem(what: str, location: str, setting: str, example_dir: str) -> str | None:
    """Why ``location`` cannot be loaded (None when it can)."""
    path = Path(os.path.expanduser(location))
    if path.is_dir():
        if (path / "config.json").is_file():
            return None
        return f"{what}: the folder {path} has no config.json (it should hold the files of save_pretrained)"
    if is_hub_id(location):
        if hub_cached(location):
            return None
        return (
            f"{what} ({location}) are not on this machine. On a machine with network: "
            f"hf download {location} --local-dir {example_dir}, copy that folder here, then: "
            f"plvm-photos config {setting} {example_dir}"
        )
    return f"{what}: {location} is neither a folder nor a hub id; set it with: plvm-photos config {setting} FOLDER"


def missing_weights(engine: str, problems: list[str]) -> MissingWeightsError:
    """The one error an engine raises for all the weights it is missing."""
    return MissingWeightsError(
        f"the {engine} engine cannot start, model weights are missing:\n  - " + "\n  - ".join(problems)
        + "\n(plvm-photos config shows the current settings; plvm-photos config engine face goes back to the "
        "offline face engine)"
    )


def choose_device(device: str, dtype: str, setting: str) -> tuple[str, str]:
    """('cuda', 'bfloat16') where a GPU is present, ('cpu', 'float32') otherwise; settings override.
    ``setting`` is the engine's prefix ("plvm", "vlm"), named in the error."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    elif device.startswith("cuda") and not torch.cuda.is_available():
        raise LibraryError(
            f"{setting}.device is set to cuda but no CUDA GPU is available (plvm-photos config {setting}.device auto)"
        )
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    return device, dtype
