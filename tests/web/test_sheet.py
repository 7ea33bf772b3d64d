"""Contact sheets: one cell per photo of the person, their box drawn in each."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from plvm_photos.web.sheet import BOX_COLOUR, GAP, LABEL_HEIGHT, contact_sheet
from plvm_photos.errors import LibraryError


def test_sheet_has_a_boxed_cell_per_photo(gallery_library, tmp_path):
    people = {p.name: p.photos for p in gallery_library.people()}
    out = tmp_path / "sheet.png"
    result = contact_sheet(gallery_library, "<barack_obama>", out, columns=4, tile=160, progress=False)
    assert result.photos == result.total == people["barack_obama"] and not result.skipped
    rows = -(-result.photos // 4)
    with Image.open(out) as im:
        assert im.size == result.size == (4 * 160 + 5 * GAP, rows * (160 + LABEL_HEIGHT) + (rows + 1) * GAP)
        pixels = np.asarray(im.convert("RGB"))
    box = np.all(pixels == BOX_COLOUR, axis=2)
    for k in range(rows * 4):
        x0, y0 = GAP + (k % 4) * (160 + GAP), GAP + (k // 4) * (160 + LABEL_HEIGHT + GAP)
        drawn = box[y0 : y0 + 160, x0 : x0 + 160].sum()
        assert (drawn > 40) if k < result.photos else (drawn == 0), (k, drawn)


def test_sheet_errors(gallery_library, tmp_path):
    with pytest.raises(LibraryError, match="unknown person"):
        contact_sheet(gallery_library, "nobody", tmp_path / "x.png", progress=False)
    with pytest.raises(LibraryError, match=".png"):
        contact_sheet(gallery_library, "barack_obama", tmp_path / "x.txt", progress=False)


@pytest.fixture(scope="module")
def small_sheet_library(tmp_path_factory, library_data):
    """One photo with <barack_obama> in it, its rows written directly (no engine runs)."""
    import shutil

    from tests.web.helpers import synthetic_library

    root = tmp_path_factory.mktemp("sheet")
    photo = root / "photo.jpg"
    shutil.copy(library_data / "_group/test/facerec__two_people.jpg", photo)
    library, _ = synthetic_library(root / "lib", {str(photo): [("barack_obama", (120, 40, 220, 150))]}, ["barack_obama"])
    library.close()
    return root / "lib"


@pytest.mark.parametrize(
    "where, reason",
    [
        ("DIR", "is a directory"),
        ("DIR/also-a-dir.png", "is a directory"),
        ("DIR/no/such/folder/sheet.png", "no such folder"),
        ("/proc/x.png", "cannot write"),
        ("/sys/x.png", "cannot write"),
    ],
)
def test_sheet_cli_to_an_unwritable_output_is_one_line_and_exit_2(small_sheet_library, tmp_path, where, reason):
    import subprocess
    import sys

    from tests.web.helpers import REPO

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "also-a-dir.png").mkdir()
    output = where.replace("DIR", str(out_dir))
    before = sorted(p.relative_to(out_dir) for p in out_dir.rglob("*"))
    proc = subprocess.run(
        [sys.executable, "-c", "from plvm_photos.cli.app import main; main()", "-L", str(small_sheet_library),
         "sheet", "barack_obama", "-o", output],
        capture_output=True, text=True, timeout=300, cwd=REPO, check=False,
    )
    assert proc.returncode == 2, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.relative_to(out_dir) for p in out_dir.rglob("*")) == before  # nothing created


def test_sheet_cli_writes_a_sheet(small_sheet_library, tmp_path):
    import subprocess
    import sys

    from tests.web.helpers import REPO

    out = tmp_path / "sheet.jpg"
    proc = subprocess.run(
        [sys.executable, "-c", "from plvm_photos.cli.app import main; main()", "-L", str(small_sheet_library),
         "sheet", "barack_obama", "-o", str(out)],
        capture_output=True, text=True, timeout=300, cwd=REPO, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    with Image.open(out) as im:
        assert im.format == "JPEG"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.jpg"]
