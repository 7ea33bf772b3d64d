"""The stored clustering of the unknown faces: used while its signature matches, filtered and
computed again in the background when stale on a large library (a low threshold stands in for
5000 faces), deterministic, written whole or not at all, and what ``faces --unknown`` printed
kept for ``--cluster ID``."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from plvm_photos.curation import cluster_store, clusters, unknown_groups
from plvm_photos.errors import LibraryError
from tests.curation.face_vectors import add_faces, blobs, vector_library


@pytest.fixture
def faces_lib(tmp_path, monkeypatch):
    monkeypatch.setattr(unknown_groups, "START_DELAY_S", 0)
    library, ids = vector_library(tmp_path / "lib", blobs())
    yield library, ids
    library.wait_for_grouping(10)
    library.close()


def no_dbscan(monkeypatch):
    def refuse(*_):
        raise AssertionError("clustered again")

    monkeypatch.setattr(clusters, "dbscan", refuse)


def test_the_stored_clustering_is_read_while_the_unknown_faces_are_the_same(faces_lib, monkeypatch):
    library, ids = faces_lib
    first = library.cluster_unknown()
    assert [len(c.faces) for c in first.clusters] == [4, 3, 2] and len(first.singles) == 2
    assert (library.root / "clusters.json").exists()
    no_dbscan(monkeypatch)
    again = library.cluster_unknown()
    assert again.as_dict() == first.as_dict()
    groups = library.unknown_groups()
    assert groups.clusters == [[f.region_id for f in c.faces] for c in first.clusters] and not groups.grouping
    assert groups.singles == [f.region_id for f in first.singles] and groups.not_grouped == []
    library.mark_faces([ids[0]], "hidden")  # the unknown faces change: computed again
    with pytest.raises(AssertionError, match="clustered again"):
        library.cluster_unknown()
    with pytest.raises(AssertionError, match="clustered again"):
        library.cluster_unknown(eps=0.4)  # other parameters, another signature


def test_same_faces_same_clusters_ids_and_order(tmp_path):
    vectors = blobs(sizes=(3, 3, 2, 2), lone=3, seed=4)
    a, _ = vector_library(tmp_path / "a", vectors)
    b, _ = vector_library(tmp_path / "b", vectors)
    try:
        one, two = a.cluster_unknown(), b.cluster_unknown()
        (b.root / "clusters.json").unlink()
        three = b.cluster_unknown()
        assert [c.id for c in one.clusters] == [1, 2, 3, 4]
        # Equal sizes are ordered by their smallest region id, whatever the order of discovery.
        assert [min(f.region_id for f in c.faces) for c in one.clusters] == [1, 4, 7, 9]
        assert one.as_dict() == two.as_dict() == three.as_dict() == a.cluster_unknown().as_dict()
        assert one.signature == three.signature
    finally:
        a.close()
        b.close()


def test_a_stale_clustering_on_a_large_library_is_filtered_and_computed_again_once(faces_lib, monkeypatch):
    library, ids = faces_lib
    # Nothing stored: no groups at once, every face "not grouped yet", one clustering started.
    found = library.unknown_groups(background_above=3)
    assert found.grouping and found.clusters == [] and found.not_grouped == ids and found.unknown_faces == 11
    assert library.wait_for_grouping(30)
    current = library.unknown_groups(background_above=3)
    assert not current.grouping and [len(c) for c in current.clusters] == [4, 3, 2]

    library.mark_faces([current.clusters[0][0], current.clusters[2][0]], "hidden")
    new = add_faces(library, blobs(sizes=(), lone=1, seed=9))
    release, calls = threading.Event(), []

    def slow_cluster(lib, eps, min_samples):
        calls.append(1)
        release.wait(10)
        return clusters.cluster_unknown(lib, eps, min_samples)

    monkeypatch.setattr(unknown_groups, "cluster_unknown", slow_cluster)
    stale = library.unknown_groups(background_above=3)
    again = library.unknown_groups(background_above=3)  # while the first runs: not a second one
    assert stale == again and stale.grouping
    assert stale.clusters == [current.clusters[0][1:], current.clusters[1]]  # the hidden face drops out
    assert stale.singles == sorted(current.singles + current.clusters[2][1:])  # a group of one is alone
    assert stale.not_grouped == new and stale.unknown_faces == 10
    release.set()
    assert library.wait_for_grouping(30) and calls == [1]
    done = library.unknown_groups(background_above=3)
    assert not done.grouping and [len(c) for c in done.clusters] == [3, 3] and new[0] in done.singles


def test_a_failed_background_clustering_is_logged_and_said(faces_lib, monkeypatch, caplog):
    library, _ = faces_lib

    def broken(*_):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(unknown_groups, "cluster_unknown", broken)
    with caplog.at_level(logging.ERROR, logger="plvm_photos.curation.unknown_groups"):
        library.unknown_groups(background_above=3)
        assert library.wait_for_grouping(10)
    assert "clustering the unknown faces" in caplog.text and "out of memory" in caplog.text
    found = library.unknown_groups(background_above=3)
    assert found.failed == "RuntimeError: out of memory" and len(found.not_grouped) == 11


def test_small_libraries_cluster_at_once(faces_lib):
    library, ids = faces_lib
    found = library.unknown_groups()  # 11 faces: under the threshold
    assert not found.grouping and [len(c) for c in found.clusters] == [4, 3, 2] and found.not_grouped == []


def test_a_write_cut_short_leaves_the_last_clustering_readable(faces_lib, monkeypatch):
    library, ids = faces_lib
    printed = library.cluster_unknown()
    library.save_clustering(printed)
    path = library.root / "clusters.json"
    before = path.read_text()
    # A kill between writing the temporary file and renaming it: the old file stays, whole.
    library.mark_faces([ids[0]], "hidden")

    def killed(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(cluster_store.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        library.cluster_unknown()
    monkeypatch.undo()
    assert path.read_text() == before
    # A torn temporary file left by a killed process is ignored; a torn store counts as none.
    (library.root / "clusters.json.999.1.tmp").write_text(before[: len(before) // 2])
    assert library.saved_cluster(1) == [f.region_id for f in printed.clusters[0].faces]
    path.write_text(before[: len(before) // 2])
    assert cluster_store.read(library.root) is None
    assert [len(c.faces) for c in library.cluster_unknown().clusters] == [3, 3, 2]
    assert cluster_store.read(library.root) is not None


def test_the_clusters_faces_unknown_printed_survive_a_gallery_clustering(faces_lib):
    library, ids = faces_lib
    printed = library.cluster_unknown()
    library.save_clustering(printed)  # what `faces --unknown` does after printing
    biggest = [f.region_id for f in printed.clusters[0].faces]
    library.mark_faces(biggest[:2], "hidden")
    library.unknown_groups(background_above=3)  # the gallery clusters again, in the background
    assert library.wait_for_grouping(30)
    stored = cluster_store.read(library.root)
    assert not stored.printed and [len(c.faces) for c in stored.clusters] == [3, 2, 2]
    assert library.saved_cluster(1) == biggest  # still what the terminal showed
    with pytest.raises(LibraryError, match="no cluster 4 in the last `faces --unknown` \\(3 cluster"):
        library.saved_cluster(4)
    library.save_clustering(library.cluster_unknown())  # printed again: the new ids
    assert library.saved_cluster(1) == [f.region_id for f in library.cluster_unknown().clusters[0].faces]


def test_a_clustering_the_cli_never_printed_is_not_a_cluster_id(faces_lib, tmp_path):
    library, _ = faces_lib
    library.cluster_unknown()  # stored by a page, never printed
    with pytest.raises(LibraryError, match="no clusters yet"):
        library.saved_cluster(1)
    # A clusters.json written before the cache (format 1) still names its clusters.
    (library.root / "clusters.json").write_text(json.dumps(
        {"clusters": [{"id": 1, "faces": [{"region_id": 5}, {"region_id": 6}]}]}))
    assert library.saved_cluster(1) == [5, 6]
    assert cluster_store.read(library.root) is None


def test_a_change_made_elsewhere_is_seen_at_the_next_load(faces_lib):
    """The unknown faces' ids are read again only when the database changed: a change made through
    another connection (another process: a scan, the CLI) is seen at once."""
    library, ids = faces_lib
    assert sum(map(len, library.unknown_groups().clusters)) == 9
    from plvm_photos.library import Library

    with Library(library.root) as other:
        other.mark_faces(ids[:2], "hidden")
    found = library.unknown_groups()
    assert found.unknown_faces == 9 and not {ids[0], ids[1]} & {r for c in found.clusters for r in c}
