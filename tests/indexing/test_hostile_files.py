"""What a scan meets in real folders: FIFOs and device links named like photos, symlinked folders
(and loops of them), the library's own folder under the scanned tree, huge images."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from plvm_photos.imaging import decode
from plvm_photos.library import Library
from tests.watch.helpers import PLVM, REPO


def test_a_fifo_and_a_link_to_dev_zero_are_recorded_not_read(tmp_path, sample_photos):
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(sample_photos["astronaut"], photos / "good.jpg")
    os.mkfifo(photos / "x.jpg")  # opening it for reading would block forever
    os.symlink("/dev/zero", photos / "zero.jpg")  # reading it would never end
    # In a process of its own, so that a hang fails the test instead of hanging it.
    done = subprocess.run([*PLVM, "--library", str(tmp_path / "lib"), "scan", str(photos), "--json", "-j", "1"],
                          capture_output=True, text=True, timeout=90, cwd=REPO)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    errors = {Path(e["path"]).name: e["error"] for e in summary["error_files"]}
    assert errors["x.jpg"].startswith("not a regular file") and errors["zero.jpg"].startswith("not a regular file")
    assert summary["analysed"] == 1


def test_symlinked_folders_are_followed_once_and_loops_end(tmp_path, sample_photos):
    photos, elsewhere = tmp_path / "photos", tmp_path / "elsewhere"
    (photos / "a").mkdir(parents=True)
    elsewhere.mkdir()
    shutil.copy(sample_photos["astronaut"], photos / "a" / "one.jpg")
    shutil.copy(sample_photos["hopper"], elsewhere / "two.jpg")
    os.symlink(elsewhere, photos / "linked")  # a symlinked subfolder: followed
    os.symlink(photos, photos / "a" / "loop")  # a loop back up: not walked twice
    os.symlink(elsewhere, photos / "again")  # the same folder by another link: walked once
    with Library(tmp_path / "lib") as library:
        summary = library.scan([photos], workers=1, progress=False)
    assert summary.files == 2 and summary.analysed == 2 and summary.errors == 0


def test_the_librarys_own_folder_under_the_scanned_tree_is_not_indexed(tmp_path, sample_photos, demo_set):
    refs, _ = demo_set
    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    shutil.copy(sample_photos["hopper"], home / "Pictures" / "grace.jpg")
    library_dir = home / ".local" / "share" / "plvm-photos"  # the default library lives under ~
    with Library(library_dir) as library:
        library.add_person("grace", [refs["grace"]])  # puts references/grace-....jpg in the library
        (library_dir / "thumbnails").mkdir()
        shutil.copy(sample_photos["astronaut"], library_dir / "thumbnails" / "t.jpg")
        summary = library.scan([home], workers=1, progress=False)
        assert summary.files == 1
        assert [p.photos for p in library.people()] == [1]


def _png_claiming(path: Path, side: int) -> None:
    """A small PNG whose header declares side x side 1-bit pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress((b"\x00" + b"\x00" * (side // 8 + 1)) * side, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def test_a_png_declaring_9400_squared_is_refused_before_decoding(tmp_path):
    bomb = tmp_path / "bomb.png"
    _png_claiming(bomb, 9400)
    assert bomb.stat().st_size < 300_000
    with pytest.raises(Exception, match="too large to decode: 9400x9400"):
        decode(bomb, max_side=1024)


def test_a_108_megapixel_jpeg_is_analysed(tmp_path, sample_photos):
    """A medium-format camera's photo: Pillow alone would call it a decompression bomb."""
    big = Image.open(sample_photos["astronaut"]).convert("RGB").resize((12000, 9000), Image.NEAREST)
    path = tmp_path / "photos" / "medium-format.jpg"
    path.parent.mkdir()
    big.save(path, quality=70)
    del big
    decoded = decode(path, max_side=1024)
    assert (decoded.full_width, decoded.full_height) == (12000, 9000) and max(decoded.pixels.shape) <= 1024 * 2
    with Library(tmp_path / "lib") as library:
        summary = library.scan([path.parent], workers=1, progress=False)
    assert summary.analysed == 1 and summary.errors == 0 and summary.faces == 1
