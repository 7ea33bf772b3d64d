"""The FAISS prefilter: every stored region's vector, keyed by the region's database id.

The database is the source of truth; the index file is a cache. Beside it a small JSON file
records the signature (count and highest id) of the regions it holds and the database's count of
region removals it reflects (``removals``: a deleted id can be reused by SQLite, with another
vector, leaving count and highest id as they were); when either disagrees with the database (a
crash between commit and save, a file deleted by hand, another machine's changes), it is brought
up to date or rebuilt (``store/indexes.py``).

An IVF index is loaded memory-mapped, read-only (~0.05 s instead of reading 0.5 GB at 1 M
regions, which took 0.2-1 s): searching is all most commands do with it. The first change reads
it into memory from the very file it was mapped from.

The index type follows the size (benchmarks/bench_scale.py measures both): exact search
(``IndexFlatL2``) up to ``IVF_MIN_REGIONS`` regions, an inverted file (``IndexIVFFlat``, about
sqrt(N) lists, ``nprobe`` chosen for ~99 % range-search recall against exact search) beyond.
On 2 cores a flat range search costs ~0.15 s per query at 1 M regions and the IVF ~0.01 s.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

Signature = tuple[int, int]  # (count, highest id) of the indexed regions

FLAT, IVF = "flat", "ivf"
IVF_MIN_REGIONS = 500_000  # from here on an IVF index is built (flat: ~75 ms per query at 500 k)
FLAT_BELOW_REGIONS = 250_000  # an IVF index that shrinks below this is rebuilt flat (hysteresis)
TRAIN_PER_LIST = 40  # k-means training points per inverted list (FAISS warns below 39)


def kind_for(count: int, current: str | None = None) -> str:
    """The index type for ``count`` regions; ``current`` keeps its type inside the hysteresis band."""
    if current == IVF and count >= FLAT_BELOW_REGIONS:
        return IVF
    return IVF if count >= IVF_MIN_REGIONS else FLAT


def ivf_lists(count: int) -> int:
    return max(64, int(round(np.sqrt(count))))


def ivf_probes(nlist: int) -> int:
    # Measured on dlib-like descriptors at 1 M regions, 1000 lists: nprobe 16 -> 0.94 recall of
    # the 0.72 range, 32 -> 0.97, 64 -> 0.99 (benchmarks/bench_scale.py).
    return max(16, nlist // 16)


@dataclass(frozen=True)
class Neighbour:
    region_id: int
    distance: float  # Euclidean


class VectorIndex:
    def __init__(self, dim: int, kind: str = FLAT, training: np.ndarray | None = None, nlist: int | None = None):
        """An empty index; an IVF index is trained on ``training`` (``TRAIN_PER_LIST`` per list)."""
        import faiss

        self.dim = dim
        self.kind = kind
        if kind == FLAT:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatL2(dim))
        elif kind == IVF:
            if training is None or len(training) == 0:
                raise ValueError("an IVF index needs training vectors")
            training = np.ascontiguousarray(training, dtype=np.float32).reshape(-1, dim)
            nlist = max(1, min(nlist or len(training), len(training) // TRAIN_PER_LIST))
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatL2(dim), dim, nlist)
            ivf.train(training)
            # A hash-table direct map: reconstruct() and remove_ids() by region id.
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
            ivf.nprobe = ivf_probes(nlist)
            self._index = ivf
        else:
            raise ValueError(f"unknown index kind {kind!r}")
        self._count = 0
        self._mapped_from = None  # the open index file a read-only (memory-mapped) index maps
        self.max_id: int | None = 0  # highest id ever added (None: unknown, from an older index file)
        # The database's region-removal count this index reflects (None: unknown, e.g. after it
        # removed regions itself), and the id up to which it holds every region of the database.
        self.removals: int | None = None
        self.complete_to: int | None = None

    # --- contents -------------------------------------------------------------------------
    @property
    def signature(self) -> Signature:
        return (self._count, self.max_id)

    def __len__(self) -> int:
        return self._count

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        self._writable()
        self._index.add_with_ids(vectors, ids)
        self._count += len(ids)
        if self.max_id is not None:
            self.max_id = max(self.max_id, int(ids.max()))

    def add_new(self, ids: list[int], vectors: np.ndarray) -> None:
        """Add those of ``ids`` it does not hold yet (regions it added itself come back from the database)."""
        fresh = [i for i, rid in enumerate(ids) if self.max_id is None or rid > self.max_id or not self.contains(rid)]
        if fresh:
            self.add([ids[i] for i in fresh], np.asarray(vectors)[fresh])

    def remove(self, ids: Iterable[int]) -> None:
        import faiss

        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        present = np.asarray([i for i in ids if self.contains(int(i))], dtype=np.int64)
        if len(present) == 0:
            return
        self._writable()
        if self.kind == IVF:  # the IVF's hash-table direct map removes only through an array selector
            selector = faiss.IDSelectorArray(len(present), faiss.swig_ptr(present))
        else:
            selector = faiss.IDSelectorBatch(present)
        removed = self._index.remove_ids(selector)
        self._count -= int(removed)

    def _writable(self) -> None:
        """A memory-mapped index read into memory, from the file it maps (even if the path now
        names a newer file), before its first change."""
        if self._mapped_from is None:
            return
        import faiss

        handle, self._mapped_from = self._mapped_from, None
        with handle:
            handle.seek(0)
            self._index = faiss.read_index(faiss.PyCallbackIOReader(handle.read))
        _set_probes(self._index)  # only IVF indexes are mapped

    def contains(self, region_id: int) -> bool:
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
        self._writable()  # a mapped index would be written as a reference to its file, not its data
        tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")  # two writers never share a temp file
        try:
            # Through Python's file, not FAISS's own: a full disk raises here (FAISS's writer does not
            # check its last flush and once left a 0-byte index), and nothing half-written is kept.
            with open(tmp, "wb") as fh:
                writer = faiss.PyCallbackIOWriter(fh.write)
                faiss.write_index(self._index, writer)
                del writer
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _write_json_atomic(_meta_path(path), {"dim": self.dim, "kind": self.kind, "signature": list(self.signature), "max_id": self.max_id,
                                              "removals": self.removals, "complete_to": self.complete_to})

    @classmethod
    def load(cls, path: Path, dim: int) -> "VectorIndex | None":
        """The saved index, or None when it is missing, unreadable or of another dimension."""
        import faiss

        path = Path(path)
        handle = None
        try:
            meta = json.loads(_meta_path(path).read_text())
            if meta.get("kind") == IVF and os.path.isdir("/proc/self/fd"):
                # Mapped through this process's handle on the file, so that _writable() reads the
                # same file even if another process has replaced the one at ``path`` meanwhile.
                handle = open(path, "rb")
                raw = faiss.read_index(f"/proc/self/fd/{handle.fileno()}", faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
            else:
                raw = faiss.read_index(str(path))
        except (OSError, ValueError, RuntimeError):
            if handle is not None:
                handle.close()
            return None
        if meta.get("dim") != dim or raw.d != dim or int(meta["signature"][0]) != raw.ntotal:
            if handle is not None:
                handle.close()
            return None
        index = cls(dim)
        index.kind = meta.get("kind", FLAT)
        index._index = raw
        index._mapped_from = handle
        if index.kind == IVF:
            _set_probes(raw)
        index._count = int(meta["signature"][0])
        index.max_id = meta.get("max_id")
        index.removals, index.complete_to = meta.get("removals"), meta.get("complete_to")
        return index

    @classmethod
    def build(cls, dim: int, batches: Iterable[tuple[list[int], np.ndarray]], count: int = 0) -> "VectorIndex":
        """An index of every batch; ``count`` (the expected total) picks the type."""
        kind = kind_for(count)
        if kind == FLAT:
            index = cls(dim)
            for ids, vectors in batches:
                index.add(ids, vectors)
            return index
        # Train on the first vectors (regions in id order: an even sample of a scanned library is
        # not needed for coarse lists), then stream everything in.
        need = ivf_lists(count) * TRAIN_PER_LIST
        held: list[tuple[list[int], np.ndarray]] = []
        index: VectorIndex | None = None
        for ids, vectors in batches:
            if index is None:
                held.append((ids, vectors))
                if sum(len(i) for i, _ in held) < need:
                    continue
                index = cls._trained(dim, held, ivf_lists(count))
                for held_ids, held_vectors in held:
                    index.add(held_ids, held_vectors)
                held = []
            else:
                index.add(ids, vectors)
        if index is None:  # fewer vectors than the training needs: exact is right anyway
            index = cls(dim)
            for ids, vectors in held:
                index.add(ids, vectors)
        return index

    @classmethod
    def _trained(cls, dim: int, held: list[tuple[list[int], np.ndarray]], nlist: int) -> "VectorIndex":
        sample = np.concatenate([v.reshape(-1, dim) for _, v in held])
        need = nlist * TRAIN_PER_LIST
        step = max(1, len(sample) // need)
        return cls(dim, IVF, training=sample[::step][:need], nlist=nlist)


def load_consistent(
    path: Path,
    dim: int,
    db_signature: Signature,
    batches: Callable[[], Iterable[tuple[list[int], np.ndarray]]],
    removals: int | None = None,
) -> tuple[VectorIndex, bool]:
    """The index at ``path`` if it matches the database (its signature and, where the database
    counts them, its region removals), else one rebuilt from ``batches()``.

    Returns the index and whether it was rebuilt (and saved).
    """
    index = VectorIndex.load(path, dim)
    if (
        index is not None
        and index.signature == tuple(db_signature)
        and (removals is None or index.removals == removals)
        and kind_for(len(index), index.kind) == index.kind
    ):
        index.complete_to = index.max_id
        return index, False
    index = VectorIndex.build(dim, batches(), count=int(db_signature[0]))
    index.removals, index.complete_to = removals, index.max_id
    index.save(path)
    return index, True


def _set_probes(raw) -> None:
    """An IVF index's nprobe, which its file does not keep."""
    import faiss

    ivf = faiss.extract_index_ivf(raw)
    ivf.nprobe = ivf_probes(ivf.nlist)


def _meta_path(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".json")


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
