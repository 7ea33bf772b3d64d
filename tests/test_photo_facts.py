"""EXIF date and GPS of photo files, written here with Pillow (and pillow-heif for HEIC)."""

import os
from datetime import datetime

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from plvm_photos.photo_facts import (
    PhotoFacts,
    gps_position,
    parse_exif_date,
    parse_offset,
    photo_facts,
)

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def dms(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 1000))


def exif_with(original=None, digitized=None, ifd0_date=None, offset_original=None, offset=None, subsec=None, gps=None) -> Image.Exif:
    exif = Image.Exif()
    if ifd0_date is not None:
        exif[0x0132] = ifd0_date
    sub = exif.get_ifd(EXIF_IFD)
    for tag, value in ((0x9003, original), (0x9004, digitized), (0x9011, offset_original), (0x9010, offset), (0x9291, subsec)):
        if value is not None:
            sub[tag] = value
    if gps is not None:
        exif.get_ifd(GPS_IFD).update(gps)
    return exif


def gps_tags(lat: float, lon: float) -> dict:
    return {1: "N" if lat >= 0 else "S", 2: dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: dms(abs(lon))}


def write_jpeg(path, exif: Image.Exif | None = None, mtime: float | None = None):
    Image.new("RGB", (32, 24), (200, 120, 40)).save(path, **({"exif": exif} if exif is not None else {}))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_date_offset_and_gps_from_a_jpeg(tmp_path):
    exif = exif_with(original="2021:07:14 16:05:09", offset_original="+02:00", subsec="25", gps=gps_tags(48.8584, 2.2945))
    facts = photo_facts(write_jpeg(tmp_path / "paris.jpg", exif))
    assert facts.taken == datetime(2021, 7, 14, 16, 5, 9, 250000)
    assert (facts.utc_offset_minutes, facts.taken_source) == (120, "exif")
    assert facts.lat == pytest.approx(48.8584, abs=1e-6) and facts.lon == pytest.approx(2.2945, abs=1e-6)


def test_southern_and_western_references_are_negative(tmp_path):
    facts = photo_facts(write_jpeg(tmp_path / "rio.jpg", exif_with(original="2020:01:02 03:04:05", gps=gps_tags(-22.9519, -43.2105))))
    assert facts.lat == pytest.approx(-22.9519, abs=1e-6) and facts.lon == pytest.approx(-43.2105, abs=1e-6)


def test_fallbacks_digitized_then_ifd0_and_offset_time(tmp_path):
    facts = photo_facts(write_jpeg(tmp_path / "d.jpg", exif_with(digitized="2019:05:06 07:08:09", offset="-05:30")))
    assert (facts.taken, facts.utc_offset_minutes) == (datetime(2019, 5, 6, 7, 8, 9), -330)
    facts = photo_facts(write_jpeg(tmp_path / "i.jpg", exif_with(ifd0_date="2018-01-02 03:04:05")))
    assert (facts.taken, facts.utc_offset_minutes, facts.taken_source) == (datetime(2018, 1, 2, 3, 4, 5), None, "exif")
    facts = photo_facts(write_jpeg(tmp_path / "o.jpg", exif_with(original="0000:00:00 00:00:00", digitized="2017:03:04 05:06:07")))
    assert facts.taken == datetime(2017, 3, 4, 5, 6, 7)


def test_no_exif_falls_back_to_the_file_time_flagged(tmp_path):
    mtime = datetime(2022, 3, 4, 5, 6, 7).timestamp()
    facts = photo_facts(write_jpeg(tmp_path / "plain.jpg", mtime=mtime))
    assert facts == PhotoFacts(datetime(2022, 3, 4, 5, 6, 7), None, "file", None, None)


def test_a_png_and_a_file_that_is_not_an_image(tmp_path):
    png = tmp_path / "x.png"
    Image.new("RGB", (8, 8)).save(png)
    assert photo_facts(png).taken_source == "file"
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    facts = photo_facts(text)
    assert (facts.taken_source, facts.lat, facts.lon) == ("file", None, None)


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        photo_facts(tmp_path / "gone.jpg")


@pytest.mark.parametrize(
    "gps",
    [
        {1: "N", 2: (IFDRational(1, 0), IFDRational(0, 1), IFDRational(0, 1)), 3: "E", 4: dms(2.0)},  # x/0
        {1: "N", 2: dms(48.0)},  # no longitude
        {1: "N", 2: (IFDRational(95, 1), IFDRational(0, 1), IFDRational(0, 1)), 3: "E", 4: dms(2.0)},  # lat 95
        {1: "N", 2: dms(0.0), 3: "E", 4: dms(0.0)},  # 0, 0: no fix
    ],
)
def test_broken_gps_is_missing_not_an_error(tmp_path, gps):
    facts = photo_facts(write_jpeg(tmp_path / "g.jpg", exif_with(original="2021:07:14 16:05:09", gps=gps)))
    assert (facts.lat, facts.lon, facts.taken) == (None, None, datetime(2021, 7, 14, 16, 5, 9))


def test_garbage_exif_block_does_not_raise(tmp_path):
    path = tmp_path / "garbage.jpg"
    Image.new("RGB", (8, 8)).save(path, exif=b"Exif\x00\x00" + os.urandom(200))
    facts = photo_facts(path)
    assert facts.taken_source in ("exif", "file")
    path = tmp_path / "truncated.jpg"
    path.write_bytes(write_jpeg(tmp_path / "full.jpg", exif_with(original="2021:07:14 16:05:09")).read_bytes()[:300])
    assert photo_facts(path).taken_source in ("exif", "file")


def test_heic_with_exif(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.heic"
    exif = exif_with(original="2023:08:09 10:11:12", offset_original="+09:00", gps=gps_tags(35.6812, 139.7671))
    try:
        Image.new("RGB", (64, 48), (10, 200, 30)).save(path, exif=exif.tobytes())
    except Exception as error:  # noqa: BLE001 - an encoder without HEIC support
        pytest.skip(f"pillow-heif cannot write HEIC here: {error}")
    facts = photo_facts(path)
    assert (facts.taken, facts.utc_offset_minutes, facts.taken_source) == (datetime(2023, 8, 9, 10, 11, 12), 540, "exif")
    assert facts.lat == pytest.approx(35.6812, abs=1e-6) and facts.lon == pytest.approx(139.7671, abs=1e-6)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021:07:14 16:05:09", datetime(2021, 7, 14, 16, 5, 9)),
        (b"2021:07:14 16:05:09\x00", datetime(2021, 7, 14, 16, 5, 9)),
        ("2021-07-14T16:05:09", datetime(2021, 7, 14, 16, 5, 9)),
        ("2021:13:14 16:05:09", None),
        ("    :  :     :  :  ", None),
        ("", None),
        (None, None),
        (12345, None),
    ],
)
def test_parse_exif_date(value, expected):
    assert parse_exif_date(value) == expected


@pytest.mark.parametrize("value, minutes", [("+02:00", 120), ("-05:30", -330), ("+0100", 60), ("Z", None), ("+25:00", None), (None, None)])
def test_parse_offset(value, minutes):
    assert parse_offset(value) == minutes


@pytest.mark.parametrize(
    "gps",
    [
        {1: "N", 2: "garbage", 3: "E", 4: "more garbage"},
        {1: "N", 2: (-5.0, 0, 0), 3: "E", 4: (2.0, 0, 0)},
        {1: "N", 2: (float("nan"), 0, 0), 3: "E", 4: (2.0, 0, 0)},
        {1: "N", 2: (), 3: "E", 4: (2.0, 0, 0)},
        {1: "N", 2: None, 3: "E", 4: None},
        {1: 5, 2: [object()], 3: b"\xff", 4: {"a": 1}},
    ],
)
def test_gps_position_of_garbage_is_missing(gps):
    assert gps_position(gps) == (None, None)


def test_gps_position_accepts_plain_numbers():
    assert gps_position({1: b"S", 2: 33.5, 3: b"W", 4: 70.25}) == (-33.5, -70.25)
    assert gps_position({}) == (None, None)


def test_real_photos_do_not_raise(library_data):
    photos = sorted(p for p in library_data.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic", ".webp"))[:40]
    assert photos
    for photo in photos:
        facts = photo_facts(photo)
        assert facts.taken is not None and facts.taken_source in ("exif", "file")
