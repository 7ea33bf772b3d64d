"""Finding the photo a question names by its file name or a tail of its path: through the file
name index (migration 0006), in either ASCII case on SQLite, for names that are not UTF-8 too."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from plvm_photos.ask.photo_ref import FILE_NAME_KEY, resolve_photo
from plvm_photos.ask.reader import Reader
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library


@pytest.fixture
def named_files(tmp_path, demo_set):
    """A scanned library whose photos are named to trip a suffix match: the same name in two
    folders, names differing in case only in ASCII, a '%' and a '_', and a name that is not UTF-8."""
    refs, _ = demo_set
    photos = tmp_path / "photos"
    names = {
        "a/IMG_0001.JPG": refs["eileen"],
        "b/IMG_0001.JPG": refs["grace"],
        "b/x_1.jpg": refs["eileen"],
        "c/100%.jpg": refs["grace"],
    }
    ids = {}
    for name, source in names.items():
        (photos / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, photos / name)
    raw = os.fsencode(photos / "c") + b"/caf\xe9.jpg"  # Latin-1: not UTF-8
    with open(raw, "wb") as out, open(refs["eileen"], "rb") as src:
        out.write(src.read() + b"\0")  # other content: another photo
    root = tmp_path / "lib"
    with Library(root) as library:
        library.scan([photos], workers=1, progress=False)
        with library.session() as s:
            from sqlalchemy import select

            from plvm_photos.db.models import File

            for path, photo_id in s.execute(select(File.path, File.photo_id)):
                ids[path] = photo_id
    return root, photos, ids


def _reader(root) -> Reader:
    return Reader(sqlite3.connect(root / "library.db"))


def test_names_and_tails_find_their_photo(named_files):
    root, photos, ids = named_files
    db = _reader(root)
    assert resolve_photo(db, "a/IMG_0001.JPG") == ids[str(photos / "a/IMG_0001.JPG")]
    assert resolve_photo(db, "b/img_0001.jpg") == ids[str(photos / "b/IMG_0001.JPG")]  # ASCII case, as LIKE did
    assert resolve_photo(db, "x_1.jpg") == ids[str(photos / "b/x_1.jpg")]  # '_' is a letter, not a wildcard
    assert resolve_photo(db, "100%.jpg") == ids[str(photos / "c/100%.jpg")]
    with pytest.raises(LibraryError, match="several photos are named 'IMG_0001.JPG'"):
        resolve_photo(db, "IMG_0001.JPG")
    with pytest.raises(LibraryError, match="no photo 'x.jpg'"):
        resolve_photo(db, "x.jpg")  # not a suffix of x_1.jpg's name
    with pytest.raises(LibraryError, match="no photo '00%.jpg'"):
        resolve_photo(db, "00%.jpg")  # a tail must start at a folder boundary
    not_utf8 = os.fsdecode(b"caf\xe9.jpg")
    [stored] = [p for p in ids if os.fsencode(p).endswith(b"/caf\xe9.jpg")]
    assert resolve_photo(db, not_utf8) == ids[stored]
    assert resolve_photo(db, "c/" + not_utf8) == ids[stored]


def test_a_file_name_is_found_through_the_index_not_by_reading_every_path(named_files):
    root, _, _ = named_files
    db = sqlite3.connect(root / "library.db")
    plan = db.execute(f"EXPLAIN QUERY PLAN SELECT photo_id, path, missing FROM files "
                      f"WHERE {FILE_NAME_KEY['sqlite']} IN (lower(?), lower(?))", ["a", "b"]).fetchall()
    assert any("ix_files_name" in row[-1] for row in plan), plan
