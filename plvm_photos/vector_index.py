"""The FAISS prefilter: every stored region's vector, keyed by the region's database id.

The database is the source of truth; the index file is a cache. Beside it a small JSON file
records the signature (count and sum of ids) of the regions it holds; when that disagrees
with the database (a crash between commit and save, a file deleted by hand), it is rebuilt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

Signature = tuple[int, int]  # (count, sum of ids) of the indexed regions


@dataclass(frozen=True)
class Neighbour:
    region_id: int
    distance: float  # Euclidean


class VectorIndex:
    def __init__(self, dim: int):
        import faiss

        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatL2(dim))
        self._count = 0
        self._sum_ids = 0

    # --- contents -------------------------------------------------------------------------
    @property
    def signature(self) -> Signature:
        return (self._count, self._sum_ids)

    def __len__(self) -> int:
        return self._count

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        self._index.add_with_ids(vectors, ids)
        self._count += len(ids)
        self._sum_ids += int(ids.sum())

    def remove(self, ids: Iterable[int]) -> None:
        import faiss

        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        present = np.asarray([i for i in ids if self._contains(int(i))], dtype=np.int64)
        if len(present) == 0:
            return
        removed = self._index.remove_ids(faiss.IDSelectorBatch(present))
        self._count -= int(removed)
        self._sum_ids -= int(present.sum())

    def _contains(self, region_id: int) -> bool:
        try:
            self._index.reconstruct(region_id)
            return True
        except RuntimeError:
            return False

    # --- queries --------------------------------------------------------------------------
    def within(self, query: np.ndarray, radius: float) -> list[Neighbour]:
        """All regions whose vector lies within ``radius`` (Euclidean) of ``query``."""
        if self._count == 0:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        lims, dist2, ids = self._index.range_search(q, float(radius) ** 2)
        start, end = int(lims[0]), int(lims[1])
        found_ids, found_d2 = ids[start:end], dist2[start:end]
        order = np.argsort(found_d2, kind="stable")
        return [Neighbour(int(found_ids[i]), float(np.sqrt(max(found_d2[i], 0.0)))) for i in order]

    def nearest(self, query: np.ndarray, k: int) -> list[Neighbour]:
        if self._count == 0:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        dist2, ids = self._index.search(q, min(k, self._count))
        return [Neighbour(int(i), float(np.sqrt(max(d, 0.0)))) for d, i in zip(dist2[0], ids[0]) if i >= 0]

    # --- persistence ----------------------------------------------------------------------
    def save(self, path: Path) -> None:
        import faiss

        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)
        _write_json_atomic(_meta_path(path), {"dim": self.dim, "signature": list(self.signature)})

    @classmethod
    def load(cls, path: Path, dim: int) -> "VectorIndex | None":
        """The saved index, or None when it is missing, unreadable or of another dimension."""
        import faiss

        path = Path(path)
        try:
            meta = json.loads(_meta_path(path).read_text())
            raw = faiss.read_index(str(path))
        except (OSError, ValueError, RuntimeError):
            return None
        if meta.get("dim") != dim or raw.d != dim:
            return None
        index = cls(dim)
        index._index = raw
        index._count, index._sum_ids = (int(v) for v in meta["signature"])
        if index._count != raw.ntotal:
            return None
        return index

    @classmethod
    def build(cls, dim: int, batches: Iterable[tuple[list[int], np.ndarray]]) -> "VectorIndex":
        index = cls(dim)
        for ids, vectors in batches:
            index.add(ids, vectors)
        return index


def load_consistent(
    path: Path,
    dim: int,
    db_signature: Signature,
    batches: Callable[[], Iterable[tuple[list[int], np.ndarray]]],
) -> tuple[VectorIndex, bool]:
    """The index at ``path`` if it matches the database, else one rebuilt from ``batches()``.

    Returns the index and whether it was rebuilt (and saved).
    """
    index = VectorIndex.load(path, dim)
    if index is not None and index.signature == tuple(db_signature):
        return index, False
    index = VectorIndex.build(dim, batches())
    index.save(path)
    return index, True


def _meta_path(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".json")


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
