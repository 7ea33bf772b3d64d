"""One watcher through a day in a photo folder: catch-up, new photos, a copy in progress, moves,
deletes and returns, a person added while it runs, a second watcher, a vanished root, SIGTERM."""

from __future__ import annotations

import json
import os
import shutil
import time

from tests.watch.helpers import analysed, cli, db_rows, file_row, present_people, variant


def test_watch_lifecycle(tmp_path, sample_photos, watchers):
    library, photos = tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    from plvm_photos.library import Library

    with Library(library) as lib:
        lib.add_person("eileen", [sample_photos["astronaut"]])
    before = variant(sample_photos["astronaut"], photos / "old" / "eileen-1.jpg", 1)
    coffee = variant(sample_photos["coffee"], photos / "old" / "coffee.jpg", 2)

    w = watchers(library, [photos])
    # Catch-up: photos added while no watcher ran.
    w.wait_for(lambda: analysed(library, before) and analysed(library, coffee), what="catch-up")
    assert present_people(library, before) == {"eileen"}

    # A second watcher on the same library refuses, clearly.
    second = cli(library, "watch", str(photos), timeout=60)
    assert second.returncode == 2 and "already running" in second.stderr and str(w.proc.pid) in second.stderr
    status = json.loads(cli(library, "status", "--json").stdout)
    assert status["running"] and status["pid"] == w.proc.pid

    # A copy in progress: half a JPEG, a pause longer than the settle time, then the rest.
    data = variant(sample_photos["hopper"], tmp_path / "staging" / "grace.jpg", 3).read_bytes()
    copying = photos / "new" / "grace.jpg"
    copying.parent.mkdir()
    with open(copying, "wb") as fh:
        fh.write(data[: len(data) // 2])
    w.wait_for(lambda: (file_row(library, copying) or {}).get("photo_error"), timeout=30, what="the truncated file's error")
    with open(copying, "ab") as fh:
        fh.write(data[len(data) // 2 :])
    w.wait_for(lambda: analysed(library, copying), what="the completed copy to be analysed")
    assert w.of("error") and any("grace.jpg" in e["path"] for e in w.of("error"))

    # A person added while the watcher runs is used for the next photo, without a restart.
    added = cli(library, "add-person", "grace", str(sample_photos["hopper"]))
    assert added.returncode == 0, added.stderr
    later = variant(sample_photos["hopper"], photos / "new" / "grace-2.jpg", 4)
    w.wait_for(lambda: analysed(library, later), what="a photo after add-person")
    assert present_people(library, later) == {"grace"}

    # A rename is a path update, not a second analysis.
    first = file_row(library, before)
    renamed = before.with_name("eileen-renamed.jpg")
    os.rename(before, renamed)
    w.wait_for(lambda: file_row(library, renamed), what="the rename")
    moved = file_row(library, renamed)
    assert moved["photo_id"] == first["photo_id"] and moved["analyzed_at"] == first["analyzed_at"]
    assert file_row(library, before) is None

    # A folder moved inside the watched tree: its files follow.
    os.rename(photos / "new", photos / "renamed-folder")
    w.wait_for(lambda: file_row(library, photos / "renamed-folder" / "grace-2.jpg"), what="the folder move")
    assert file_row(library, later) is None

    # A delete marks the file missing (history stays), and the photo coming back restores it.
    coffee_first = file_row(library, coffee)
    kept = tmp_path / "kept-coffee.jpg"
    shutil.copy2(coffee, kept)
    coffee.unlink()
    w.wait_for(lambda: file_row(library, coffee)["missing"], what="the delete")
    shutil.copy2(kept, coffee)
    w.wait_for(lambda: not file_row(library, coffee)["missing"], what="the return")
    assert file_row(library, coffee)["analyzed_at"] == coffee_first["analyzed_at"]
    assert w.of("restored")

    # ask while the watcher works through a small burst never fails (no "database is locked").
    for i in range(6):
        variant(sample_photos["astronaut"], photos / "burst" / f"e{i}.jpg", 100 + i, size=200)
    for _ in range(2):
        answer = cli(library, "ask", "where is <eileen>?", "--json")
        assert answer.returncode in (0, 3), answer.stderr
        assert "locked" not in answer.stderr
    w.wait_idle()
    analysed_before = len(w.of("analysed"))

    # The root vanishing (unmounted, renamed away) is not a mass delete.
    away = tmp_path / "photos-away"
    os.rename(photos, away)
    w.wait_for(lambda: w.of("root-offline"), timeout=15, what="the root to be seen offline")
    time.sleep(1.0)
    assert db_rows(library, "SELECT count(*) FROM files WHERE missing = 1") == [(0,)]
    os.rename(away, photos)
    w.wait_for(lambda: w.of("root-online"), timeout=15, what="the root to come back")
    w.wait_idle()
    assert db_rows(library, "SELECT count(*) FROM files WHERE missing = 1") == [(0,)]
    assert len(w.of("analysed")) == analysed_before  # nothing analysed twice

    assert w.stop() == 0
    assert w.of("stopped")
    status = json.loads(cli(library, "status", "--json").stdout)
    assert not status["running"] and status["state"] == "stopped"
    assert "analysed" in (library / "watch.log").read_text()
    # every photo analysed once: as many photos as distinct contents, one file row per path
    assert db_rows(library, "SELECT count(*) FROM photos WHERE error IS NULL")[0][0] == 1 + 1 + 1 + 1 + 6
