"""Evaluation sets: a plvm-bench folder or a library folder with ``manifest.json``, as one shape
(``plvm_model.evaluation.EvalSet``).

- plvm-bench (the PLVM paper's test-set format): ``<Identity>/ref_img.jpg`` + ``query_img*.jpg``;
  each query shows exactly its folder's identity; ``query_ques.json`` / ``non_query_ques.json``.
- a library folder (../shared/data/library): ``manifest.json`` names each identity's reference
  (and the face box to use when it shows several faces) and who is in every test photo; group
  photos show several identities, negatives none, and ``uncertain_identities`` are not scored.
"""

from __future__ import annotations

import json
from pathlib import Path

from plvm_model.bench_data import load_bench
from plvm_model.evaluation import PARTS, EvalIdentity, EvalQuery, EvalSet

__all__ = ["PARTS", "EvalSet", "load_eval_set"]


def load_eval_set(root: str | Path) -> EvalSet:
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    if (root / "manifest.json").is_file():
        return _from_manifest(root)
    try:
        return EvalSet.from_bench(load_bench(root))
    except ValueError:
        raise ValueError(
            f"{root} is neither a plvm-bench folder (<Identity>/ref_img.jpg + query_img*.jpg) "
            "nor a library folder with manifest.json"
        ) from None


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
