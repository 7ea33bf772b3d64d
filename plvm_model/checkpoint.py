"""Checkpoints: only the trainable Aligner heads (safetensors) plus the JSON config naming base models."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from .config import PLVMConfig

WEIGHTS_NAME = "aligner_heads.safetensors"


def save_heads(heads: nn.Module, config: PLVMConfig, directory: str | Path) -> Path:
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in heads.state_dict().items()}
    save_file(state, str(directory / WEIGHTS_NAME), metadata={"format": "pt"})
    config.save(directory)
    return directory


def load_heads(directory: str | Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(Path(directory) / WEIGHTS_NAME))
