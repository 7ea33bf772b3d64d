import numpy as np

from plvm_photos.store.vector_index import VectorIndex, load_consistent


def _data(n=50, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return list(range(1, n + 1)), rng.normal(size=(n, dim)).astype(np.float32)


def test_within_and_nearest_match_brute_force():
    ids, vectors = _data()
    index = VectorIndex(8)
    index.add(ids, vectors)
    query = vectors[3] + 0.01
    dist = np.linalg.norm(vectors - query, axis=1)
    expected = {ids[i] for i in np.flatnonzero(dist < 2.5)}
    assert {n.region_id for n in index.within(query, 2.5)} == expected
    assert index.nearest(query, 1)[0].region_id == 4


def test_save_load_and_rebuild_on_disagreement(tmp_path):
    ids, vectors = _data()
    path = tmp_path / "index.faiss"
    built = {"n": 0}

    def batches():
        built["n"] += 1
        yield ids, vectors

    index, rebuilt = load_consistent(path, 8, (len(ids), max(ids)), batches)
    assert rebuilt and built["n"] == 1 and len(index) == 50
    again, rebuilt = load_consistent(path, 8, (len(ids), max(ids)), batches)
    assert not rebuilt and built["n"] == 1 and again.signature == index.signature
    # The database moved on (a crash after a commit): the cache is rebuilt.
    _, rebuilt = load_consistent(path, 8, (len(ids) + 1, 51), batches)
    assert rebuilt and built["n"] == 2


def test_remove_keeps_the_signature_exact():
    ids, vectors = _data()
    index = VectorIndex(8)
    index.add(ids, vectors)
    index.remove([2, 3, 999])
    assert index.signature == (48, max(ids))  # count, and the highest id ever added
    assert all(n.region_id not in (2, 3) for n in index.within(vectors[1], 0.001))
