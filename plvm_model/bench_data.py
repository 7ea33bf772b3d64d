"""Reading a benchmark folder in the PLVM test-set format (no torch, no transformers).

    bench/
      <Identity>/ref_img.jpg, query_img1.jpg, query_img2.jpg, ...
      query_ques.json        visual multiple choice (also accepted inside each identity folder)
      non_query_ques.json    text-only multiple choice

Each question: {"ref_img": "Billie/ref_img.jpg", "query_img": "Billie/query_img1.jpg" (visual only),
"question": "What is <sks> wearing in this photo?", "multiple_choice": {"A": ..., "B": ...},
"correct_answer": "A"}; paths are relative to the bench folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

VISUAL_FILE = "query_ques.json"
TEXT_FILE = "non_query_ques.json"
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class BenchIdentity:
    name: str
    reference: Path
    queries: tuple[Path, ...]


@dataclass(frozen=True)
class ChoiceQuestion:
    identity: str
    reference: Path
    query: Path | None  # None for text-only questions
    question: str  # uses <sks>
    options: dict[str, str]
    answer: str  # the correct letter


@dataclass(frozen=True)
class Bench:
    root: Path
    identities: tuple[BenchIdentity, ...]
    visual_questions: tuple[ChoiceQuestion, ...]
    text_questions: tuple[ChoiceQuestion, ...]


def _natural_key(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _questions(root: Path, files: list[Path]) -> tuple[ChoiceQuestion, ...]:
    out = []
    for f in files:
        for q in json.loads(f.read_text()):
            ref = root / q["ref_img"]
            out.append(ChoiceQuestion(
                identity=Path(q["ref_img"]).parts[0],
                reference=ref,
                query=root / q["query_img"] if q.get("query_img") else None,
                question=q["question"],
                options=dict(q["multiple_choice"]),
                answer=q["correct_answer"],
            ))
    return tuple(out)


def load_bench(root: str | Path) -> Bench:
    root = Path(root)
    identities = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        refs = [p for p in folder.iterdir() if p.stem == "ref_img" and p.suffix.lower() in _IMAGE_SUFFIXES]
        if not refs:
            continue
        queries = sorted((p for p in folder.iterdir()
                          if p.stem.startswith("query_img") and p.suffix.lower() in _IMAGE_SUFFIXES), key=_natural_key)
        identities.append(BenchIdentity(folder.name, refs[0], tuple(queries)))
    if not identities:
        raise ValueError(f"{root} has no <Identity>/ref_img.* folders")

    def files(name: str) -> list[Path]:
        return [p for p in [root / name, *(root / i.name / name for i in identities)] if p.exists()]

    return Bench(root, tuple(identities), _questions(root, files(VISUAL_FILE)), _questions(root, files(TEXT_FILE)))
