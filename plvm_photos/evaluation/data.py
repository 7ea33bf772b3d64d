"""Evaluation sets: a plvm-bench folder or a library folder with manifest.json, as one shape.

- plvm-bench (the PLVM paper's test-set format): ``<Identity>/ref_img.jpg`` + ``query_img*.jpg``;
  each query shows exactly its folder's identity; ``query_ques.json`` / ``non_query_ques.json``.
- a library folder (../shared/data/library): ``manifest.json`` names each identity's reference
  (and the face box to use when it shows several faces) and who is in every test photo; group
  photos show several identities, negatives none, and ``uncertain_identities`` are not scored.

``split`` makes held-out halves by identity: a stable hash puts every identity in ``tune`` or
``holdout``; a half keeps its own identities as concepts and the queries that show one of them
(truth cut down to the half), plus half of the photos that show no identity at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from plvm_model.bench_data import ChoiceQuestion, load_bench

PARTS = ("all", "tune", "holdout")


@dataclass(frozen=True)
class EvalIdentity:
    name: str  # as in the dataset, e.g. "Billie" or "barack_obama"
    reference: Path
    face_box: tuple[int, int, int, int] | None = None  # which face of a group reference


@dataclass(frozen=True)
class EvalQuery:
    path: Path
    truth: frozenset[str]  # identities shown
    unscored: frozenset[str] = frozenset()  # identities not to score on this image


@dataclass(frozen=True)
class EvalSet:
    root: Path
    kind: str  # "plvm-bench" | "manifest"
    identities: tuple[EvalIdentity, ...]
    queries: tuple[EvalQuery, ...]
    visual_questions: tuple[ChoiceQuestion, ...] = ()
    text_questions: tuple[ChoiceQuestion, ...] = ()

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def limit(self, identities: int | None) -> "EvalSet":
        """The first N identities (sorted by name), their queries and questions."""
        if not identities:
            return self
        keep = {i.name for i in sorted(self.identities, key=lambda i: i.name)[:identities]}
        return self._restrict(keep, include_empty=lambda q: True)

    def part(self, part: str) -> "EvalSet":
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
        if part == "all":
            return self
        keep = {i.name for i in self.identities if _half(i.name) == part}
        return self._restrict(keep, include_empty=lambda q: _half(self.relative(q.path)) == part)

    def _restrict(self, keep: set[str], include_empty) -> "EvalSet":
        queries = []
        for q in self.queries:
            if q.truth & keep or (not q.truth and include_empty(q)):
                queries.append(replace(q, truth=q.truth & keep, unscored=q.unscored & keep))
        return replace(
            self,
            identities=tuple(i for i in self.identities if i.name in keep),
            queries=tuple(queries),
            visual_questions=tuple(q for q in self.visual_questions if q.identity in keep),
            text_questions=tuple(q for q in self.text_questions if q.identity in keep),
        )


def _half(key: str) -> str:
    return "tune" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "holdout"


def load_eval_set(root: str | Path) -> EvalSet:
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    if (root / "manifest.json").is_file():
        return _from_manifest(root)
    try:
        bench = load_bench(root)
    except ValueError:
        raise ValueError(
            f"{root} is neither a plvm-bench folder (<Identity>/ref_img.jpg + query_img*.jpg) "
            "nor a library folder with manifest.json"
        ) from None
    identities = tuple(EvalIdentity(i.name, i.reference) for i in bench.identities)
    queries = tuple(EvalQuery(q, frozenset({i.name})) for i in bench.identities for q in i.queries)
    return EvalSet(root, "plvm-bench", identities, queries, bench.visual_questions, bench.text_questions)


def _from_manifest(root: Path) -> EvalSet:
    manifest = json.loads((root / "manifest.json").read_text())
    identities = tuple(
        EvalIdentity(name, root / info["ref"], tuple(info["ref_face_box"]) if info.get("ref_face_box") else None)
        for name, info in manifest["identities"].items()
    )
    queries = tuple(
        EvalQuery(root / image["path"], frozenset(image["identities"]), frozenset(image.get("uncertain_identities", [])))
        for image in manifest["images"]
    )
    return EvalSet(root, "manifest", identities, queries)
