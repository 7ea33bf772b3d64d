"""The FAISS prefilter caches of one library: one index per vector space.

A vector space is what an engine compares references with: the regions of some kinds and the
reference vectors stored under one tag (the face engine's 128-d descriptors; the plvm engine's
DINOv2 global tokens). Each space's index file is a cache of the database, checked against it when
loaded (``load_consistent``) and, inside a write transaction, brought up to date with what other
processes — on this machine or others sharing a PostgreSQL library — committed since
(``catch_up``), so a prefilter never misses a region the database has.

Count and highest region id alone cannot tell every change: SQLite gives a deleted highest id to
the next region, so a photo analysed again can keep its ids with new vectors. The database counts
region removals (triggers, migration 0004). While that count is unchanged, regions were only
added, with ids above every id already committed (writers take the write lock one at a time,
``LibraryStore.write_transaction``), so the index catches up by reading the regions above
``complete_to``; after a removal it is rebuilt.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from sqlalchemy.orm import Session

from plvm_photos.db.queries import region_removals, region_signature, region_vectors
from plvm_photos.store.layout import FACE_INDEX_FILE
from plvm_photos.store.spaces import VectorSpace

if TYPE_CHECKING:
    from plvm_photos.store.vector_index import VectorIndex


class VectorIndexes:
    def __init__(self, root: Path, sessions: Callable[[], AbstractContextManager[Session]]):
        self._root = root
        self._sessions = sessions  # read-only sessions on the library's database
        self._loaded: dict[tuple[str, int], tuple[VectorSpace, VectorIndex]] = {}
        self._dirty: set[tuple[str, int]] = set()

    def path(self, space: VectorSpace, dim: int) -> Path:
        if space.name == "face":
            return self._root / FACE_INDEX_FILE
        return self._root / f"index-{space.name}-{dim}.faiss"

    def get(self, space: VectorSpace, dim: int) -> VectorIndex:
        """The space's index, loaded once, rebuilt where it disagrees with the database."""
        key = (space.name, dim)
        if key not in self._loaded:
            from plvm_photos.store.vector_index import load_consistent

            def batches():
                with self._sessions() as s:
                    yield from region_vectors(s, space.region_kinds)

            with self._sessions() as s:
                signature = region_signature(s, space.region_kinds)
                removals = region_removals(s)
            index, _ = load_consistent(self.path(space, dim), dim, signature, batches, removals)
            self._loaded[key] = (space, index)
        return self._loaded[key][1]

    def catch_up(self, session: Session, space: VectorSpace, dim: int) -> VectorIndex:
        """The index as the database is inside ``session``'s transaction: regions committed by
        other processes since it was last in step are added; after removals it is rebuilt."""
        index = self.get(space, dim)
        signature = region_signature(session, space.region_kinds)
        removals = region_removals(session)
        in_step = removals is None or index.removals == removals
        if index.signature == signature and in_step:
            index.complete_to = index.max_id
            return index
        if in_step and index.complete_to is not None:
            for ids, vectors in region_vectors(session, space.region_kinds, after=index.complete_to):
                index.add_new(ids, vectors)
        if index.signature != signature or not in_step:
            from plvm_photos.store.vector_index import VectorIndex

            index = VectorIndex.build(dim, region_vectors(session, space.region_kinds), count=signature[0])
            index.removals = removals
            self._loaded[(space.name, dim)] = (space, index)
        index.complete_to = index.max_id
        self._dirty.add((space.name, dim))
        return index

    def add(self, space: VectorSpace, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        index = self.get(space, vectors.shape[1])
        index.add_new(ids, vectors)  # an index loaded after the commit already holds these regions
        dim = vectors.shape[1]
        self._dirty.add((space.name, dim))

    def add_regions(self, spaces: list[VectorSpace], regions: list[tuple[int, str, np.ndarray]]) -> None:
        """New regions, given as (id, kind, vector), join the index of each space that holds their kind."""
        for space in spaces:
            mine = [(i, v) for i, kind, v in regions if kind in space.region_kinds]
            if mine:
                self.add(space, [i for i, _ in mine], np.stack([v for _, v in mine]))

    def forget(self, regions: list[tuple[int, str]]) -> None:
        """Drop deleted regions, given as (id, kind), from every loaded index that holds their kind
        (an index not loaded notices on its next load: its signature no longer matches)."""
        for key, (space, index) in self._loaded.items():
            ids = [i for i, kind in regions if kind in space.region_kinds]
            if ids:
                index.remove(ids)
                # The database's removal count moved by these and perhaps by others' removals: which,
                # the index cannot tell, so its next check against the database rebuilds it.
                index.removals = None
                self._dirty.add(key)

    def save(self) -> None:
        for key in sorted(self._dirty):
            space, index = self._loaded[key]
            index.save(self.path(space, key[1]))
        self._dirty.clear()
