"""The FAISS index type follows the library's size and keeps answering correctly when it switches."""

from __future__ import annotations

import numpy as np
import pytest

from plvm_photos.store import vector_index as vi


def _clustered(n: int, dim: int = 16, seed: int = 0) -> tuple[list[int], np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 20, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.15 * rng.normal(size=(n, dim)).astype(np.float32)
    return list(range(1, n + 1)), vectors.astype(np.float32)


def _batches(ids, vectors, size=700):
    for start in range(0, len(ids), size):
        yield ids[start : start + size], vectors[start : start + size]


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(vi, "IVF_MIN_REGIONS", 3000)
    monkeypatch.setattr(vi, "FLAT_BELOW_REGIONS", 1500)
    monkeypatch.setattr(vi, "TRAIN_PER_LIST", 39)


def _exact_within(vectors, ids, query, radius):
    dist = np.linalg.norm(vectors - query, axis=1)
    return {ids[i] for i in np.flatnonzero(dist < radius)}


def test_kind_follows_size_with_hysteresis(small_thresholds):
    assert vi.kind_for(2999) == vi.FLAT and vi.kind_for(3000) == vi.IVF
    assert vi.kind_for(2000, vi.IVF) == vi.IVF  # inside the band an IVF index stays
    assert vi.kind_for(1499, vi.IVF) == vi.FLAT
    assert vi.kind_for(2000, vi.FLAT) == vi.FLAT


def test_ivf_finds_what_exact_search_finds(small_thresholds):
    ids, vectors = _clustered(6000)
    flat = vi.VectorIndex.build(16, _batches(ids, vectors), count=len(ids) - 4000)
    ivf = vi.VectorIndex.build(16, _batches(ids, vectors), count=len(ids))
    assert flat.kind == vi.FLAT and ivf.kind == vi.IVF
    assert len(ivf) == len(flat) == 6000 and ivf.signature == flat.signature
    rng = np.random.default_rng(1)
    found = expected = 0
    for row in rng.integers(0, len(ids), 40):
        query = vectors[row]
        exact = _exact_within(vectors, ids, query, 0.6)
        assert {n.region_id for n in flat.within(query, 0.6)} == exact
        approx = {n.region_id for n in ivf.within(query, 0.6)}
        assert approx <= exact  # never a region outside the radius
        found, expected = found + len(approx), expected + len(exact)
        assert ivf.nearest(query, 1)[0].region_id == ids[row]
    assert found / expected >= 0.95


def test_ivf_survives_save_load_and_remove(small_thresholds, tmp_path):
    ids, vectors = _clustered(4000, seed=2)
    path = tmp_path / "index.faiss"
    index, rebuilt = vi.load_consistent(path, 16, (len(ids), max(ids)), lambda: _batches(ids, vectors))
    assert rebuilt and index.kind == vi.IVF
    loaded, rebuilt = vi.load_consistent(path, 16, (len(ids), max(ids)), lambda: _batches(ids, vectors))
    assert not rebuilt and loaded.kind == vi.IVF
    query = vectors[10]
    assert [n.region_id for n in loaded.within(query, 0.5)] == [n.region_id for n in index.within(query, 0.5)]
    loaded.remove([11, 12, 99999])
    assert loaded.signature == (3998, max(ids))
    assert not {11, 12} & {n.region_id for n in loaded.within(query, 10.0)}
    loaded.add([5000], vectors[10:11])
    assert loaded.nearest(query, 2)[0].distance == pytest.approx(0.0, abs=1e-5)


def test_a_saved_ivf_index_is_mapped_and_read_from_its_own_file_when_it_changes(small_thresholds, tmp_path):
    ids, vectors = _clustered(4000, seed=3)
    path = tmp_path / "index.faiss"
    vi.load_consistent(path, 16, (len(ids), max(ids)), lambda: _batches(ids, vectors))
    mapped = vi.VectorIndex.load(path, 16)
    assert mapped._mapped_from is not None  # memory-mapped, read-only
    query = vectors[7]
    before = [n.region_id for n in mapped.within(query, 0.5)]
    assert ids[7] in before
    # Another process replaces the file with an index of other regions...
    other_ids, other_vectors = [i + 10_000 for i in ids], vectors[::-1].copy()
    vi.VectorIndex.build(16, _batches(other_ids, other_vectors), count=len(other_ids)).save(path)
    # ...the mapped index still answers from the file it mapped, and its first change reads that one.
    assert [n.region_id for n in mapped.within(query, 0.5)] == before
    mapped.add([9000], query[None])
    assert mapped._mapped_from is None and len(mapped) == len(ids) + 1
    assert {n.region_id for n in mapped.within(query, 0.5)} == {*before, 9000}
    # Saving a mapped index writes its data, not a reference to the file it maps.
    again = vi.VectorIndex.load(path, 16)
    again.save(tmp_path / "copy.faiss")
    copy = vi.VectorIndex.load(tmp_path / "copy.faiss", 16)
    path.unlink()
    assert [n.region_id for n in copy.within(other_vectors[5], 0.5)] == [n.region_id for n in again.within(other_vectors[5], 0.5)]
    assert other_ids[5] in {n.region_id for n in copy.within(other_vectors[5], 0.5)}


def test_a_flat_cache_is_rebuilt_as_ivf_when_the_library_has_grown(small_thresholds, tmp_path):
    ids, vectors = _clustered(3500, seed=3)
    path = tmp_path / "index.faiss"
    small = vi.VectorIndex.build(16, _batches(ids[:2000], vectors[:2000]), count=2000)
    small.add(ids[2000:], vectors[2000:])  # grown by scans past the threshold, saved flat
    small.save(path)
    assert vi.VectorIndex.load(path, 16).kind == vi.FLAT
    index, rebuilt = vi.load_consistent(path, 16, small.signature, lambda: _batches(ids, vectors))
    assert rebuilt and index.kind == vi.IVF and index.signature == small.signature
