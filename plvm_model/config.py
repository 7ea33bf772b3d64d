"""Configuration dataclasses that cross module and process boundaries (JSON-serialisable, no torch)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal

PromptOrder = Literal["image_first", "concept_first"]

CONFIG_NAME = "plvm_config.json"


@dataclass
class AlignerConfig:
    """Shapes of the trainable Aligner heads (paper section 3.1 and 4.1)."""

    encoder: str = "facebook/dinov2-base"  # hub id or local path of the frozen reference encoder
    num_queries: int = 16  # k context embeddings
    mlp_hidden: int = 4096  # f_phi1 / f_phi2: 3 linear layers with GELU
    resampler_hidden: int = 1024
    resampler_blocks: int = 4
    resampler_heads: int = 16
    resampler_ffn_mult: int = 4


@dataclass
class PLVMConfig:
    """Everything needed to rebuild a PLVM: base models by name plus the Aligner's shapes.

    ``prompt_order`` fixes where the query image sits relative to the concept template.
    ``"concept_first"`` is the paper's "USER: <sks> is <token_1>...<token_k> + instruction";
    ``"image_first"`` moves the image to the front so that one cached image prefix serves every
    concept. A checkpoint must be used in the order it was trained in.
    """

    lvlm: str = "llava-hf/llava-1.5-7b-hf"
    aligner: AlignerConfig = field(default_factory=AlignerConfig)
    prompt_order: PromptOrder = "image_first"
    user_prefix: str = "USER: "
    assistant_prefix: str = " ASSISTANT:"
    yes_word: str = "Yes"
    no_word: str = "No"
    max_concepts: int = 4  # placeholder slots registered in the tokenizer

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PLVMConfig":
        data = dict(data)
        aligner = AlignerConfig(**_known(AlignerConfig, data.pop("aligner", {})))
        return cls(aligner=aligner, **_known(cls, data))

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / CONFIG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "PLVMConfig":
        path = Path(path)
        if path.is_dir():
            path = path / CONFIG_NAME
        return cls.from_dict(json.loads(path.read_text()))


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    return {k: v for k, v in data.items() if k in names}
