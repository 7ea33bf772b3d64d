"""A burst of 500 files copied in at once is processed completely, with bounded memory."""

from __future__ import annotations

import shutil

import os
import signal

from tests.watch.helpers import analysis_workers, db_rows, variant

BURST = 500
WITH_FACES = 10  # face analysis costs ~0.3 s a photo here; the rest are small photos without faces


def test_burst_of_500(tmp_path, sample_photos, watchers):
    staging, library, photos = tmp_path / "staging", tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    sources = []
    for i in range(BURST):
        if i < WITH_FACES:
            base = sample_photos["astronaut" if i % 2 else "hopper"]
            sources.append(variant(base, staging / f"p{i:03d}.jpg", i, size=160))
        else:
            sources.append(variant(sample_photos["coffee"], staging / f"p{i:03d}.jpg", i, size=96 + i % 32))
    w = watchers(library, [photos])
    w.wait_for(lambda: (library / "watch-status.json").exists(), timeout=60, what="the watcher to start")
    for src in sources:  # all at once, into one folder
        shutil.copyfile(src, photos / src.name)

    done = lambda: db_rows(library, "SELECT count(*) FROM files WHERE photo_id IS NOT NULL")[0][0]  # noqa: E731
    w.wait_for(lambda: done() >= 50, timeout=60, what="50 photos done")
    # An analysis process dies mid-burst (OOM killer, a crash in native code): nothing is lost.
    workers = analysis_workers(w.proc.pid)
    os.kill(workers[0], signal.SIGKILL)
    w.wait_for(
        lambda: db_rows(library, "SELECT count(*) FROM files WHERE photo_id IS NOT NULL")[0:1] == [(BURST,)],
        timeout=150,
        what=f"all {BURST} files analysed",
    )
    status = w.wait_idle()
    peak_mb = w.peak_rss_mb()
    assert w.stop(signal.SIGINT) == 0  # Ctrl-C: a clean exit too

    assert db_rows(library, "SELECT count(*), sum(error IS NOT NULL) FROM photos") == [(BURST, 0)]
    assert db_rows(library, "SELECT count(*) FROM files") == [(BURST,)]
    assert db_rows(library, "SELECT count(DISTINCT photo_id) FROM regions")[0][0] >= WITH_FACES - 2
    # Bounded: never more photos in flight than the window, and the watcher itself stays small.
    assert status["queue"]["in_flight_max"] <= status["queue"]["window"] == 4
    assert status["counters"]["analysed"] == BURST
    assert status["counters"]["worker_crashes"] >= 1
    assert peak_mb < 600, f"watcher peak RSS {peak_mb:.0f} MB"
    print(f"burst of {BURST}: watcher peak RSS {peak_mb:.0f} MB, in flight at most {status['queue']['in_flight_max']}")
