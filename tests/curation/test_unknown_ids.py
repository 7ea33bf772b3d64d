"""The unknown faces' ids kept in the gallery's process (``curation.unknown_ids``): after every kind
of write that can make a face known or unknown, from this process or another connection, they are
exactly what reading them all gives, and only the photos written are read again. Where the log
cannot say what changed (entries dropped, too many photos, PostgreSQL) everything is read again."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from plvm_photos.curation import unknown_ids
from plvm_photos.curation.clusters import unknown_region_ids
from plvm_photos.curation.unknown_ids import UnknownIds
from tests.curation.face_vectors import add_faces, blobs, vector_library


@pytest.fixture
def faces(tmp_path):
    library, ids = vector_library(tmp_path / "lib", blobs())
    with library.transaction() as s:
        s.execute(text("INSERT INTO concepts (name, display, kind, created_at, hidden) "
                       "VALUES ('mike', 'mike', 'person', '2026-01-01', 0)"))
    kept = UnknownIds(library.db_url)
    assert kept.ids(library) == ids == unknown_region_ids(library) and kept.photos_read_again == -1  # read whole once
    yield library, ids, kept
    kept.close()
    library.close()


def photo_of(library, region_id: int) -> int:
    with library.session() as s:
        return s.execute(text("SELECT photo_id FROM regions WHERE id = :r"), {"r": region_id}).scalar_one()


def write(library, sql: str, **params) -> None:
    with library.transaction() as s:
        s.execute(text(sql), params)


def test_every_write_that_makes_a_face_known_or_unknown_is_followed(faces):
    library, ids, kept = faces
    a, b, c = ids[0], ids[1], ids[2]
    pa, pb, pc = (photo_of(library, r) for r in (a, b, c))
    steps = [
        ("a present verdict claims a face", "INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, "
         "engine) VALUES (:p, 1, :r, 1, 0.9, 'face')", {"p": pa, "r": a}, 1),
        ("the verdict says absent", "UPDATE verdicts SET present = 0 WHERE region_id = :r", {"r": a}, 1),
        ("present again", "UPDATE verdicts SET present = 1 WHERE region_id = :r", {"r": a}, 1),
        ("the verdict is deleted", "DELETE FROM verdicts WHERE region_id = :r", {"r": a}, 1),
        ("an absent verdict claims nothing", "INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, "
         "engine) VALUES (:p, 1, :r, 0, 0.1, 'face')", {"p": pb, "r": b}, 0),
        ("a face is marked", "INSERT INTO face_marks (region_id, photo_id, mark, created_at) "
         "VALUES (:r, :p, 'hidden', '2026-01-01')", {"r": b, "p": pb}, 1),
        ("the mark is taken back", "DELETE FROM face_marks WHERE region_id = :r", {"r": b}, 1),
        ("a photo fails", "UPDATE photos SET error = 'unreadable' WHERE id = :p", {"p": pc}, 1),
        ("it is read again", "UPDATE photos SET error = NULL WHERE id = :p", {"p": pc}, 1),
        ("its file goes missing", "UPDATE files SET missing = 1 WHERE photo_id = :p", {"p": pc}, 1),
        ("it is back", "UPDATE files SET missing = 0 WHERE photo_id = :p", {"p": pc}, 1),
        ("its file row is deleted", "DELETE FROM files WHERE photo_id = :p", {"p": pc}, 1),
        ("a face region is deleted", "DELETE FROM regions WHERE id = :r", {"r": b}, 1),
        ("a photo is deleted", "DELETE FROM photos WHERE id = :p", {"p": pa}, 1),
        ("a caption changes: no face does", "UPDATE photos SET caption = 'x' WHERE id = :p", {"p": pb}, 0),
    ]
    for what, sql, params, photos in steps:
        before = list(kept.ids(library))
        write(library, sql, **params)
        assert kept.ids(library) == unknown_region_ids(library), what
        assert kept.photos_read_again == photos, what
        assert kept.ids(library) != before or photos == 0 or what in ("the verdict says absent", "its file row is deleted"), what
    new = add_faces(library, blobs(sizes=(), lone=2, seed=9))
    assert kept.ids(library) == unknown_region_ids(library) and set(new) <= set(kept.ids(library))
    assert kept.photos_read_again == 2


def test_the_gallery_actions_and_their_undo_are_followed(faces):
    library, ids, kept = faces
    library.name_faces(ids[:3], "<ann>")
    assert kept.ids(library) == unknown_region_ids(library) and not set(ids[:3]) & set(kept.ids(library))
    assert 0 < kept.photos_read_again < len(ids)
    library.mark_faces(ids[3:5], "not_a_face")
    assert kept.ids(library) == unknown_region_ids(library) and not set(ids[3:5]) & set(kept.ids(library))
    library.undo()
    library.undo()
    assert kept.ids(library) == unknown_region_ids(library) == ids


def test_a_write_from_another_connection_is_followed(faces):
    library, ids, kept = faces
    other = sqlite3.connect(library.root / "library.db")  # another process's connection, as a CLI command's
    with other:
        other.execute("INSERT INTO face_marks (region_id, photo_id, mark, created_at) "
                      "SELECT id, photo_id, 'hidden', '2026-01-01' FROM regions WHERE id = ?", (ids[-1],))
    other.close()
    assert kept.ids(library) == unknown_region_ids(library) == ids[:-1] and kept.photos_read_again == 1


def test_changes_the_log_no_longer_holds_are_read_whole(faces):
    library, ids, kept = faces
    write(library, "DELETE FROM regions WHERE id = :r", r=ids[0])
    write(library, "DELETE FROM face_changes")  # dropped before this reader saw them, as the oldest are
    write(library, "DELETE FROM regions WHERE id = :r", r=ids[1])
    assert kept.ids(library) == unknown_region_ids(library) == ids[2:] and kept.photos_read_again == -1


def test_many_photos_changed_are_read_whole(faces, monkeypatch):
    library, ids, kept = faces
    monkeypatch.setattr(unknown_ids, "READ_ALL_ABOVE", 1)
    write(library, "DELETE FROM regions WHERE id IN (:a, :b)", a=ids[0], b=ids[1])
    assert kept.ids(library) == unknown_region_ids(library) == ids[2:] and kept.photos_read_again == -1


def test_the_log_keeps_its_newest_entries_only(faces):
    library, ids, kept = faces
    keep = 200_000  # migrations/versions/0012_face_changes.py
    conn = sqlite3.connect(library.root / "library.db")
    with conn:
        conn.executemany("INSERT INTO face_changes (photo_id) VALUES (?)", ((1,) for _ in range(keep + 2500)))
    count, oldest, newest = conn.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM face_changes").fetchone()
    conn.close()
    assert keep <= count < keep + 1000 and newest - oldest + 1 == count  # the newest, without gaps
    assert kept.ids(library) == unknown_region_ids(library) == ids and kept.photos_read_again == -1  # its last entry dropped


def test_postgresql_reads_them_whole_every_time(tmp_path, pg_url):
    from plvm_photos.library import Library

    with Library(tmp_path / "lib", db_url=pg_url) as library:
        ids = add_faces(library, blobs(sizes=(2,), lone=1))
        kept = UnknownIds(library.db_url)
        assert kept.ids(library) == ids
        library.mark_faces(ids[:1], "hidden")
        assert kept.ids(library) == ids[1:] and kept.photos_read_again == -1


def test_a_library_closed_and_opened_again_reads_through_the_new_one(tmp_path):
    from plvm_photos.library import Library

    library, ids = vector_library(tmp_path / "lib", blobs())
    assert library.unknown_face_ids() == ids
    library.close()
    with Library(tmp_path / "lib") as again:
        again.mark_faces(ids[:1], "hidden")
        assert again.unknown_face_ids() == ids[1:]
