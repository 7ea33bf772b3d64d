"""The watcher runs the plvm and hybrid engines too (a tiny random PLVM in the real on-disk format):
photos copied in get plvm verdicts and captions, kill -9 mid-batch loses nothing on restart, and
bad inputs are recorded while good photos around them are analysed."""

from __future__ import annotations

import signal

import pytest

from plvm_photos.library import Library
from plvm_photos.store.vector_index import VectorIndex
from tests.engines.plvm.helpers import LOOSE, configure
from tests.watch.helpers import analysed, db_rows, file_row, variant


def _library(tmp_path, tiny_models, sample_photos, engine: str):
    library = tmp_path / "lib"
    with Library(library) as lib:
        configure(lib, tiny_models, engine=engine, settings=LOOSE)
        lib.add_person("astro", [sample_photos["astronaut"]], force=True)
    return library


@pytest.mark.parametrize("engine", ["plvm", "hybrid"])
def test_watch_stores_the_engines_verdicts_for_photos_copied_in(tmp_path, tiny_models, sample_photos, watchers, engine):
    library = _library(tmp_path, tiny_models, sample_photos, engine)
    photos = tmp_path / "photos"
    photos.mkdir()
    w = watchers(library, [photos], workers=1)
    w.wait_for(lambda: any(e["event"] == "started" for e in w.events), timeout=90, what="start")
    copies = [variant(sample_photos["astronaut"], photos / f"a{k}.jpg", k) for k in range(3)]
    copies.append(variant(sample_photos["coffee"], photos / "cup.jpg", 9))
    w.wait_for(lambda: all(analysed(library, p) for p in copies), timeout=120, what="all photos analysed")
    assert w.stop() == 0
    assert db_rows(library, "SELECT DISTINCT engine FROM photos") == [(engine,)]
    verdicts = db_rows(library, "SELECT v.engine, v.present FROM verdicts v JOIN concepts c ON c.id = v.concept_id "
                                "WHERE c.name = 'astro'")
    assert len(verdicts) >= 3 and all(e == engine and present for e, present in verdicts)  # LOOSE: every verdict yes
    captions = db_rows(library, "SELECT p.caption FROM photos p JOIN verdicts v ON v.photo_id = p.id WHERE v.present = 1")
    assert len(captions) >= 3 and all("<astro>" in c for (c,) in captions)
    assert db_rows(library, "SELECT count(*) FROM regions WHERE kind LIKE 'plvm-%'")[0][0] >= 4 * 5


def test_kill9_mid_batch_with_the_plvm_engine_then_restart(tmp_path, tiny_models, sample_photos, watchers):
    library = _library(tmp_path, tiny_models, sample_photos, "plvm")
    photos = tmp_path / "photos"
    chosen = [variant(sample_photos[("astronaut", "hopper", "coffee")[k % 3]], photos / f"p{k}.jpg", k) for k in range(9)]
    w = watchers(library, [photos], workers=1)
    w.wait_for(lambda: db_rows(library, "SELECT count(*) FROM photos")[0:1] >= [(2,)], timeout=120, what="2 photos")
    w.kill()
    assert w.proc.returncode == -signal.SIGKILL
    assert db_rows(library, "SELECT count(*) FROM photos")[0][0] < len(chosen), "the kill must land mid-batch"

    w2 = watchers(library, [photos], workers=1)
    w2.wait_for(lambda: all(analysed(library, p) for p in chosen), timeout=180, what="all photos")
    assert w2.stop() == 0
    assert db_rows(library, "SELECT count(*), count(DISTINCT sha256) FROM photos") == [(len(chosen), len(chosen))]
    assert db_rows(library, "SELECT photo_id, concept_id FROM verdicts GROUP BY photo_id, concept_id HAVING count(*) > 1") == []
    assert db_rows(library, "PRAGMA integrity_check") == [("ok",)]
    # The plvm index the watcher left holds exactly the database's plvm regions.
    [index_file] = library.glob("index-plvm-*.faiss")
    index = VectorIndex.load(index_file, int(index_file.stem.rsplit("-", 1)[1]))
    ids = [i for (i,) in db_rows(library, "SELECT id FROM regions WHERE kind LIKE 'plvm-%'")]
    assert index is not None and index.signature == (len(ids), max(ids))


def test_bad_inputs_beside_good_photos_with_the_plvm_engine(tmp_path, tiny_models, sample_photos, watchers):
    library = _library(tmp_path, tiny_models, sample_photos, "plvm")
    photos = tmp_path / "photos"
    photos.mkdir()
    w = watchers(library, [photos], workers=1)
    w.wait_for(lambda: any(e["event"] == "started" for e in w.events), timeout=90, what="start")
    (photos / "notes.jpg").write_text("not an image at all")
    (photos / "empty.png").write_bytes(b"")
    truncated = variant(sample_photos["hopper"], tmp_path / "full.jpg", 3).read_bytes()
    (photos / "truncated.jpg").write_bytes(truncated[: len(truncated) // 3])
    good = variant(sample_photos["astronaut"], photos / "good.jpg", 5)
    bad = ["notes.jpg", "empty.png", "truncated.jpg"]
    w.wait_for(lambda: analysed(library, good) and all((file_row(library, photos / b) or {}).get("error")
                                                       or (file_row(library, photos / b) or {}).get("photo_error")
                                                       for b in bad), timeout=120, what="good analysed, bad recorded")
    assert w.proc.poll() is None  # still running
    assert w.stop() == 0
