"""Non-UTF-8 file names survive the database (stored reversibly, looked up as ordinary str)."""

from __future__ import annotations

import os

from plvm_photos.fsnames import from_db, printable, to_db


def test_round_trip_and_plain_paths_unchanged():
    odd = os.fsdecode(b"/photos/caf\xe9 100%/\xff.jpg")
    stored = to_db(odd)
    assert stored.startswith("fsbytes:/photos/caf%E9") and stored.encode("utf-8")
    assert from_db(stored) == odd and os.fsencode(from_db(stored)) == b"/photos/caf\xe9 100%/\xff.jpg"
    for plain in ("/photos/café 100%.jpg", "/a/fsbytes:b.jpg"):
        assert to_db(plain) == plain and from_db(plain) == plain
    assert printable(odd) == "/photos/caf\\xe9 100%/\\xff.jpg"


def test_orm_lookup_and_folder_listing(tmp_path):
    from plvm_photos.library import Library
    from plvm_photos.indexing.files import FileStat, files_under, move_folder, upsert_file

    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/in/caf\xe9.jpg")
    with Library(tmp_path / "lib") as lib:
        with lib.transaction() as s:
            upsert_file(s, FileStat(odd, 1, 2), None)
            upsert_file(s, FileStat(str(tmp_path / "in" / "plain.jpg"), 1, 2), None)
        with lib.transaction() as s:
            assert sorted(r.path for r in files_under(s, str(tmp_path / "in"))) == sorted([odd, str(tmp_path / "in" / "plain.jpg")])
            assert move_folder(s, str(tmp_path / "in"), str(tmp_path / "out")) == 2
        with lib.session() as s:
            moved = [r.path for r in files_under(s, str(tmp_path / "out"))]
    assert os.fsdecode(os.fsencode(str(tmp_path)) + b"/out/caf\xe9.jpg") in moved
