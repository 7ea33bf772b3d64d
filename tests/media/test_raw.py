"""Camera RAW: the preview where it is large enough, demosaicing where not, turned upright, the
EXIF date and position read, a bad RAW an error."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plvm_photos.imaging import ImageError, decode
from plvm_photos.media.raw import decode_raw
from plvm_photos.photo_facts import photo_facts
from tests.media.dng import write_dng

BUDGET = 178_000_000


@pytest.fixture(scope="module")
def portrait(library_data) -> Image.Image:
    return Image.open(library_data / "angelina_jolie" / "test" / "deepface__img4.jpg").convert("RGB")


def test_a_large_preview_is_used_and_turned_upright(tmp_path, portrait):
    path = write_dng(tmp_path / "a.dng", portrait, 1200, orientation=6)
    raw = decode_raw(str(path), 1024, BUDGET)
    assert raw.from_preview
    w, h = portrait.width // 2 * 2, portrait.height // 2 * 2
    assert (raw.full_width, raw.full_height) == (h, w)  # orientation 6: shown turned a quarter
    decoded = decode(path, 1024)
    assert max(decoded.pixels.shape[:2]) == min(1024, max(w, h))
    assert (decoded.pixels.shape[1] > decoded.pixels.shape[0]) == (h > w)  # a portrait sensor image shown on its side


def test_a_small_preview_means_the_sensor_data_is_demosaiced(tmp_path, portrait):
    path = write_dng(tmp_path / "b.dng", portrait, None)
    raw = decode_raw(str(path), 1024, BUDGET)
    assert not raw.from_preview
    decoded = np.asarray(raw.image.resize(portrait.size), dtype=np.float32)
    # the demosaiced picture is the photo (colours and all), not a thumbnail blown up
    assert np.abs(decoded - np.asarray(portrait, dtype=np.float32)).mean() < 25


def test_the_date_and_position_come_from_the_raw(tmp_path, portrait):
    path = write_dng(tmp_path / "c.dng", portrait, 1200, taken="2021:07:14 16:05:09", gps=(-33.8568, 151.2153))
    facts = photo_facts(path)
    assert facts.taken_source == "exif" and facts.taken.isoformat() == "2021-07-14T16:05:09"
    assert facts.lat == pytest.approx(-33.8568, abs=1e-4) and facts.lon == pytest.approx(151.2153, abs=1e-4)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_bad_raw_is_an_image_error(tmp_path, portrait, damage):
    path = tmp_path / "bad.nef"
    if damage == "garbage":
        path.write_bytes(os.urandom(50_000))
    else:
        good = write_dng(tmp_path / "good.dng", portrait, None).read_bytes()
        path = tmp_path / "bad.dng"
        path.write_bytes(good[:2000])
    with pytest.raises(ImageError, match="camera RAW"):
        decode(path, 1024)


REAL_RAW = os.environ.get("PLVM_TEST_RAW")


@pytest.mark.skipif(not REAL_RAW, reason="no real camera RAW: none ships in a PyPI, Debian or npm package we found "
                    "(rawpy's sdist has none, its test NEF/CR2 come from rawsamples.ch under a non-commercial "
                    "licence); set PLVM_TEST_RAW to a camera's .NEF/.CR2/.ARW/.RAF file to run this")
def test_a_real_camera_raw():
    decoded = decode(Path(REAL_RAW), 1024)
    assert max(decoded.pixels.shape[:2]) == 1024 and decoded.full_width > 1024
    assert photo_facts(REAL_RAW).taken_source == "exif"
