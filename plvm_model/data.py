"""Training data: (reference face, query image, QA) examples over a folder of identities.

Layout (one folder per identity; the plvm-bench layout is accepted as is)::

    root/
      <identity>/
        ref.jpg                 reference face (also ref_img.*, ref.png, ...)
        query/*.jpg             photos of this identity (or query_img*.jpg next to ref)
        attributes.json         optional: [{"question": "What is <sks>'s hair color?",
                                            "answer": "<sks> has brown hair."}, ...]

Example i is drawn deterministically from ``seed + i``: with probability ``recognition_ratio`` a
recognition question (positive with probability ``positive_ratio``: a photo of the same identity,
else a photo of another identity; question/answer from Tables 10/11), otherwise an attribute
question about the reference alone (no query image, as in the paper).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image

from . import templates

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


@dataclass
class TrainingExample:
    reference_image: Image.Image
    query_image: Image.Image | None
    question: str  # uses <sks> for the concept
    answer: str
    kind: Literal["recognition", "attribute"]
    label: bool | None = None  # recognition ground truth


@dataclass
class IdentityFolder:
    name: str
    reference: Path
    queries: list[Path]
    attributes: list[tuple[str, str]] = field(default_factory=list)


def _images(paths) -> list[Path]:
    return sorted(p for p in paths if p.suffix.lower() in IMAGE_SUFFIXES)


def scan_identities(root: str | Path) -> list[IdentityFolder]:
    identities = []
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        refs = [p for p in _images(folder.iterdir()) if p.stem in ("ref", "ref_img", "reference")]
        if not refs:
            continue
        queries = _images((folder / "query").iterdir()) if (folder / "query").is_dir() else []
        queries += [p for p in _images(folder.iterdir()) if p.stem.startswith("query")]
        attributes = []
        if (folder / "attributes.json").exists():
            attributes = [(a["question"], a["answer"]) for a in json.loads((folder / "attributes.json").read_text())]
        identities.append(IdentityFolder(folder.name, refs[0], queries, attributes))
    return identities


def load_rgb(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


class PLVMTrainingDataset:
    """Map-style dataset of :class:`TrainingExample` (works with torch's DataLoader, needs no torch)."""

    def __init__(self, root: str | Path, length: int = 10_000, positive_ratio: float = 0.5,
                 recognition_ratio: float = 0.5, seed: int = 0):
        self.identities = scan_identities(root)
        if not self.identities:
            raise ValueError(f"no identity folders with a reference image under {root}")
        self.length = length
        self.positive_ratio = positive_ratio
        self.recognition_ratio = recognition_ratio
        self.seed = seed

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> TrainingExample:
        rng = random.Random(self.seed * 1_000_003 + index)
        ident = rng.choice(self.identities)
        reference = load_rgb(ident.reference)
        if ident.attributes and rng.random() >= self.recognition_ratio:
            question, answer = rng.choice(ident.attributes)
            return TrainingExample(reference, None, question, answer, "attribute")
        others = [i for i in self.identities if i is not ident and i.queries]
        positive = bool(ident.queries) and (not others or rng.random() < self.positive_ratio)
        source = ident if positive else rng.choice(others)
        query = load_rgb(rng.choice(source.queries))
        pairs = templates.POSITIVE_RECOGNITION if positive else templates.NEGATIVE_RECOGNITION
        question, answer = rng.choice(pairs)
        return TrainingExample(reference, query, question, answer, "recognition", label=positive)
