"""kill -9 of the watcher in the middle of a batch, then a restart: every photo ends analysed
exactly once, no duplicate rows, the database passes integrity_check, FAISS matches it."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

from tests.watch.helpers import analysis_workers, children, cli, db_rows


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill9_mid_batch_then_restart(tmp_path, library_data, manifest, watchers):
    from plvm_photos.library import Library
    from plvm_photos.store.vector_index import VectorIndex

    singles = [im for im in manifest["images"] if im["kind"] == "single"]
    chosen = singles[:8]
    late = singles[8:10]  # added while the watcher is down
    people = sorted({im["identities"][0] for im in chosen})[:2]
    library, photos = tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    with Library(library) as lib:
        for name in people:
            lib.add_person(name, [library_data / manifest["identities"][name]["ref"]])
    for im in chosen:
        shutil.copy(library_data / im["path"], photos / im["path"].replace("/", "__"))

    w = watchers(library, [photos])
    w.wait_for(lambda: db_rows(library, "SELECT count(*) FROM photos")[0:1] >= [(3,)], timeout=90, what="3 photos committed")
    workers = [*children(w.proc.pid), *analysis_workers(w.proc.pid)]  # fork server, workers, resource tracker
    w.kill()  # SIGKILL: no cleanup at all
    assert w.proc.returncode == -signal.SIGKILL
    committed = dict(db_rows(library, "SELECT sha256, analyzed_at FROM photos"))
    status = json.loads(cli(library, "status", "--json").stdout)
    assert not status["running"] and status["state"] == "died"
    assert 3 <= len(committed) < len(chosen), "the kill must land in the middle of the batch"
    # The analysis processes notice their parent is gone and exit rather than linger.
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers and not any(_alive(p) for p in workers)

    for im in late:
        shutil.copy(library_data / im["path"], photos / im["path"].replace("/", "__"))
    expected = {im["sha256"] for im in chosen + late}

    w2 = watchers(library, [photos])
    w2.wait_for(lambda: {s for (s,) in db_rows(library, "SELECT sha256 FROM photos")} >= expected, timeout=120, what="all photos")
    w2.wait_idle()
    assert w2.stop() == 0

    # Exactly once: one photo per content, one file per path, the ones committed before the kill untouched.
    rows = dict(db_rows(library, "SELECT sha256, analyzed_at FROM photos"))
    assert set(rows) == expected
    assert all(rows[sha] == at for sha, at in committed.items())
    assert db_rows(library, "SELECT count(*), count(DISTINCT path), sum(missing), sum(photo_id IS NULL) FROM files") == [(10, 10, 0, 0)]
    assert db_rows(library, "SELECT photo_id, left, top FROM regions GROUP BY photo_id, left, top, right, bottom HAVING count(*) > 1") == []
    assert db_rows(library, "SELECT photo_id, concept_id FROM verdicts GROUP BY photo_id, concept_id HAVING count(*) > 1") == []
    assert db_rows(library, "PRAGMA integrity_check") == [("ok",)]
    assert db_rows(library, "PRAGMA foreign_key_check") == []
    # Every photo's verdicts were decided (a registered person present in at least one photo).
    assert db_rows(library, "SELECT count(DISTINCT photo_id) FROM verdicts WHERE present = 1")[0][0] >= 2

    # The FAISS cache the watcher left holds exactly the database's regions.
    index = VectorIndex.load(library / "index.faiss", 128)
    region_ids = [i for (i,) in db_rows(library, "SELECT id FROM regions")]
    assert index is not None and index.signature == (len(region_ids), max(region_ids))
    assert all(index.contains(i) for i in region_ids)
