"""The periodic rescan alone (no file-system events, as on a network share) keeps the library
right: new photos analysed, renames recorded without analysis, deletes marked missing and kept
as history, and ``ask`` stops showing deleted photos."""

from __future__ import annotations

import json
import os

from tests.watch.helpers import analysed, cli, db_rows, file_row, variant


def test_rescan_without_events(tmp_path, sample_photos, watchers):
    from plvm_photos.library import Library

    library, photos = tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    with Library(library) as lib:
        lib.add_person("eileen", [sample_photos["astronaut"]])
    first = variant(sample_photos["astronaut"], photos / "a.jpg", 1)
    w = watchers(library, [photos], rescan=1.0, extra=("--poll-only",))
    w.wait_for(lambda: analysed(library, first), what="the catch-up scan")
    assert not w.status()["roots"][0]["events"]

    second = variant(sample_photos["astronaut"], photos / "sub" / "b.jpg", 2)
    w.wait_for(lambda: analysed(library, second), timeout=30, what="a rescan to find the new photo")
    before = file_row(library, second)
    renamed = photos / "sub" / "b-renamed.jpg"
    os.rename(second, renamed)
    w.wait_for(lambda: file_row(library, renamed) and file_row(library, second)["missing"], timeout=30, what="the rename")
    assert file_row(library, renamed)["analyzed_at"] == before["analyzed_at"]  # not analysed again

    first.unlink()
    w.wait_for(lambda: file_row(library, first)["missing"], timeout=30, what="the delete")

    # A disk unmounted under its mount point leaves an empty folder there: not a mass delete.
    away = tmp_path / "photos-away"
    os.rename(photos, away)
    photos.mkdir()
    rescans = w.status()["rescans"]
    w.wait_for(lambda: w.status().get("rescans", 0) >= rescans + 2, timeout=30, what="rescans of the empty root")
    assert not file_row(library, renamed)["missing"]
    assert "is empty but the library has" in w.stderr
    photos.rmdir()
    os.rename(away, photos)
    assert w.stop() == 0
    answer = json.loads(cli(library, "ask", "where is <eileen>?", "--json").stdout)
    assert [p["path"] for p in answer["photos"]] == [str(renamed)]
    history = json.loads(cli(library, "verdicts", "--json").stdout)
    assert {r["path"] for r in history if r["present"]} == {str(first), str(renamed)}  # history kept
    assert db_rows(library, "SELECT count(*) FROM photos") == [(2,)]
