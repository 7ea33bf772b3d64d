"""Contact sheets: one cell per photo of the person, their box drawn in each."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from plvm_photos.library import LibraryError
from plvm_photos.curation.sheet import BOX_COLOUR, GAP, LABEL_HEIGHT, contact_sheet


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
