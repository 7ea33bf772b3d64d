"""Writing next to user files: links planted at the temporary name or at the target are never
followed (``plvm_photos.safe_write``), in the helper and in every writer that uses it."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from tests.web.helpers import synthetic_library

GROUP = "_group/test/facerec__two_people.jpg"
VICTIM_XMP = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:secret="https://example.invalid/secret/" secret:Value="the user's secret"/>
</rdf:RDF></x:xmpmeta>
"""


@pytest.fixture
def photo_folder(tmp_path, library_data):
    """A library with one photo (<barack_obama> in it) in a folder someone else can write to, and a
    file of the user's elsewhere (the victim)."""
    photos = tmp_path / "shared-folder"
    photos.mkdir()
    photo = photos / "party.jpg"
    shutil.copy(library_data / GROUP, photo)
    library, _ = synthetic_library(tmp_path / "lib", {str(photo): [("barack_obama", (120, 40, 220, 150))]},
                                   ["barack_obama"])
    victim = tmp_path / "home" / "important.xmp"
    victim.parent.mkdir()
    victim.write_text(VICTIM_XMP)
    yield library, photo, victim
    library.close()


def test_export_xmp_does_not_follow_a_link_planted_at_the_temporary_name(photo_folder):
    from plvm_photos.curation.xmp_read import parse_xmp, people_in
    from plvm_photos.curation.xmp_write import export

    library, photo, victim = photo_folder
    sidecar = photo.with_name(photo.name + ".xmp")
    os.symlink(victim, photo.with_name(f".{sidecar.name}.tmp"))  # the name the writer used to use
    summary = export(library, photo.parent, progress=False)
    assert victim.read_text() == VICTIM_XMP  # the user's file is untouched
    assert summary.written == 1 and not summary.errors
    assert sidecar.is_file() and not sidecar.is_symlink()
    assert people_in(parse_xmp(sidecar.read_bytes()).root).names == ["barack_obama"]
    assert [p.name for p in photo.parent.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()] == []


def test_export_xmp_refuses_a_sidecar_that_is_a_link(photo_folder):
    from plvm_photos.curation.xmp_write import export

    library, photo, victim = photo_folder
    sidecar = photo.with_name(photo.name + ".xmp")
    os.symlink(victim, sidecar)
    summary = export(library, photo.parent, progress=False)
    assert summary.written == 0 and len(summary.errors) == 1
    assert "symbolic link" in summary.errors[0] and str(sidecar) in summary.errors[0]
    assert sidecar.is_symlink() and os.readlink(sidecar) == str(victim)  # left alone ...
    assert victim.read_text() == VICTIM_XMP  # ... and not followed: neither read into a sidecar nor written


def test_export_xmp_does_not_hang_on_a_fifo_sidecar(photo_folder):
    from plvm_photos.curation.xmp_write import export

    library, photo, _ = photo_folder
    fifo = photo.with_name(photo.name + ".xmp")
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.update(summary=export(library, photo.parent, progress=False)),
                              daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # release the writer stuck in open() before failing
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail("export-xmp blocked on a FIFO planted at the sidecar name")
    summary = result["summary"]
    assert summary.written == 0 and "not a regular file" in summary.errors[0]


def test_contact_sheet_does_not_follow_a_link_at_the_output(photo_folder, tmp_path):
    from plvm_photos.web.sheet import contact_sheet
    from plvm_photos.errors import LibraryError

    library, _, victim = photo_folder
    out = tmp_path / "sheet.png"
    os.symlink(victim, out)
    with pytest.raises(LibraryError, match="symbolic link"):
        contact_sheet(library, "barack_obama", out, progress=False)
    assert victim.read_text() == VICTIM_XMP and out.is_symlink()


# --- the helper itself ------------------------------------------------------------------------------
def test_atomic_write_replaces_keeps_the_mode_and_leaves_nothing_behind(tmp_path):
    from plvm_photos import safe_write

    target = tmp_path / "a.xmp"
    safe_write.write_text(target, "one")
    assert target.read_text() == "one"
    os.chmod(target, 0o640)
    safe_write.write_text(target, "two")
    assert target.read_text() == "two" and (target.stat().st_mode & 0o777) == 0o640
    with pytest.raises(RuntimeError), safe_write.atomic_writer(target) as fh:  # a failure mid-write
        fh.write(b"half")
        raise RuntimeError("boom")
    assert target.read_text() == "two" and sorted(p.name for p in tmp_path.iterdir()) == ["a.xmp"]


@pytest.mark.parametrize("case", ["dir", "missing-folder", "link", "dangling-link", "fifo"])
def test_atomic_write_refuses_what_is_not_a_plain_file_in_an_existing_folder(tmp_path, case):
    from plvm_photos import safe_write

    victim = tmp_path / "victim"
    victim.write_text("keep")
    target = tmp_path / "t.xmp"
    if case == "dir":
        target.mkdir()
    elif case == "missing-folder":
        target = tmp_path / "no" / "such" / "t.xmp"
    elif case == "link":
        target.symlink_to(victim)
    elif case == "dangling-link":
        target.symlink_to(tmp_path / "would-be-created")
    else:
        os.mkfifo(target)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OSError) as info:
        safe_write.write_text(target, "x")
    reason = safe_write.describe(info.value)
    expected = {"dir": "is a directory", "missing-folder": "no such folder", "link": "symbolic link",
                "dangling-link": "symbolic link", "fifo": "not a regular file"}[case]
    assert expected in reason
    assert victim.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path(tmp_path / "would-be-created").exists() and not (tmp_path / "no").exists()
