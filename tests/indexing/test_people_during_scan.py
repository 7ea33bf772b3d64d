"""People added, removed or renamed while a scan runs in another process.

Every photo is committed with the people registered at commit time, so a person added during a
scan is decided on every photo the scan commits afterwards, one removed does not crash it, and
captions carry the names current at commit time.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from plvm_photos.library import Library
from tests.watch.helpers import PLVM, REPO, db_rows, variant

PHOTOS = 36


@pytest.fixture
def grace_photos(tmp_path, demo_set) -> Path:
    """Many distinct photos that show Grace Hopper (and a few that show Eileen too)."""
    _, photos = demo_set
    folder = tmp_path / "photos"
    sources = [photos / "2023-trip" / "grace-mirror.jpg", photos / "2024-party" / "grace-and-eileen.jpg"]
    for k in range(PHOTOS):
        variant(sources[k % 2], folder / f"g{k:03d}.jpg", k)
    return folder


def _start_scan(library: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([*PLVM, "--library", str(library), "scan", str(folder), "--workers", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _wait_for_photos(library: Path, at_least: int, scan: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = (db_rows(library, "SELECT count(*) FROM photos") or [(0,)])[0][0]
        if count >= at_least:
            return count
        assert scan.poll() is None, scan.communicate()
        time.sleep(0.05)
    raise AssertionError("the scan did not get going")


def _finish(scan: subprocess.Popen) -> None:
    out, err = scan.communicate(timeout=300)
    assert scan.returncode == 0, err


def test_a_person_added_during_a_scan_is_decided_on_every_photo_committed_afterwards(tmp_path, demo_set, grace_photos):
    refs, _ = demo_set
    library = tmp_path / "lib"
    with Library(library) as lib:
        lib.add_person("eileen", [refs["eileen"]])
    scan = _start_scan(library, grace_photos)
    before = _wait_for_photos(library, 4, scan)
    with Library(library) as lib:
        lib.add_person("grace", [refs["grace"]])
    _finish(scan)
    assert before < PHOTOS  # the person really was added while photos were still coming
    missing = db_rows(library, "SELECT f.path FROM files f WHERE f.photo_id NOT IN (SELECT v.photo_id FROM verdicts v "
                               "JOIN concepts c ON c.id = v.concept_id WHERE c.name = 'grace' AND v.present = 1)")
    assert missing == []  # every photo shows her, and every one says so
    captions = [c for (c,) in db_rows(library, "SELECT caption FROM photos")]
    assert len(captions) == PHOTOS and all("<grace>" in c for c in captions)


def test_removing_or_renaming_people_during_a_scan_neither_crashes_it_nor_leaves_old_names(tmp_path, demo_set, grace_photos):
    refs, _ = demo_set
    library = tmp_path / "lib"
    with Library(library) as lib:
        lib.add_person("eileen", [refs["eileen"]])
        lib.add_person("grace", [refs["grace"]])
    scan = _start_scan(library, grace_photos)
    _wait_for_photos(library, 4, scan)
    with Library(library) as lib:
        lib.remove_person("eileen")
    _wait_for_photos(library, 12, scan)
    with Library(library) as lib:
        lib.rename_person("grace", "hopper")
    _finish(scan)
    assert db_rows(library, "SELECT count(*) FROM photos WHERE error IS NULL") == [(PHOTOS,)]
    assert db_rows(library, "SELECT name FROM concepts") == [("hopper",)]
    assert db_rows(library, "PRAGMA foreign_key_check") == []
    captions = [c for (c,) in db_rows(library, "SELECT caption FROM photos")]
    assert all("<hopper>" in c and "<grace>" not in c and "<eileen>" not in c for c in captions), captions


def test_a_match_rejected_while_its_photo_is_analysed_again_stays_rejected(demo_library_dir, copy_library, demo_set,
                                                                         monkeypatch):
    """The engine decides a photo before the write transaction; a rejection the user makes in
    between (the gallery, another process) must make the commit decide again, as a new person does."""
    from plvm_photos.curation.clusters import reject_match
    from plvm_photos.engines.face.engine import FaceEngine

    _, photos = demo_set
    photo = photos / "2023-trip" / "eileen-mirror.jpg"
    root = copy_library(demo_library_dir)
    original = FaceEngine.decide
    rejected = []

    def decide_then_user_rejects(self, *args, **kwargs):
        decision = original(self, *args, **kwargs)
        if not rejected:
            rejected.append(True)
            with Library(root) as other:
                reject_match(other, str(photo), "eileen")
        return decision

    with Library(root) as library:
        assert any(v["person"] == "eileen" and v["present"] for v in library.verdicts() if v["path"] == str(photo))
        monkeypatch.setattr(FaceEngine, "decide", decide_then_user_rejects)
        assert library.scan([photo], workers=1, progress=False, reanalyze=True).analysed == 1
        assert rejected
        assert not any(v["person"] == "eileen" and v["present"] for v in library.verdicts() if v["path"] == str(photo))
