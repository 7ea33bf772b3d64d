"""When and where a photo was taken, from its EXIF data (Pillow; HEIC/HEIF via pillow-heif; a
camera RAW's own EXIF or its preview's, ``media.raw``; a video's container, ``media.video``).

``photo_facts(path)`` never fails on a photo's metadata: missing, broken or nonsensical EXIF
gives ``None`` fields, never an exception (a file that does not exist still raises OSError).

- ``taken``: the camera's local time, naive, as recorded: ``DateTimeOriginal``, else
  ``DateTimeDigitized``, else IFD0 ``DateTime``, with its sub-seconds where given. Dates such as
  "0000:00:00 00:00:00" or out of range count as missing. Without any, the file's modification
  time as local time, and ``taken_source`` is "file" instead of "exif".
- ``utc_offset_minutes``: from the offset tag that belongs to the date used
  (``OffsetTimeOriginal`` / ``OffsetTimeDigitized``), else ``OffsetTime``; None without one.
- ``lat`` / ``lon``: decimal degrees from the GPS IFD (degrees, minutes, seconds as rationals
  or numbers; S and W negative). A position outside [-90, 90] x [-180, 180], or exactly 0, 0
  (what cameras write without a fix), counts as missing.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import datetime

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME = 0x0132  # IFD0
DATE_TIME_ORIGINAL, DATE_TIME_DIGITIZED = 0x9003, 0x9004
OFFSET_TIME, OFFSET_TIME_ORIGINAL, OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
SUBSEC_TIME, SUBSEC_TIME_ORIGINAL, SUBSEC_TIME_DIGITIZED = 0x9290, 0x9291, 0x9292
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
_DATE = re.compile(r"^\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})[ T]+(\d{1,2}):(\d{1,2}):(\d{1,2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


@dataclass(frozen=True)
class PhotoFacts:
    """When and where a photo was taken (see the module docstring for the rules)."""

    taken: datetime | None
    utc_offset_minutes: int | None
    taken_source: str  # "exif" | "file"
    lat: float | None
    lon: float | None


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else None


def parse_exif_date(value, subseconds=None) -> datetime | None:
    """"2021:07:14 16:05:09" (also with -, / or . between date parts) -> datetime, or None."""
    text = _text(value)
    match = _DATE.match(text) if text else None
    if match is None:
        return None
    try:
        taken = datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    digits = _text(subseconds)
    if digits and digits.isdigit():
        taken = taken.replace(microsecond=int(digits[:6].ljust(6, "0")))
    return taken


def parse_offset(value) -> int | None:
    """"+02:00" / "-0530" -> minutes east of UTC, or None."""
    text = _text(value)
    match = _OFFSET.match(text) if text else None
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes)
    return (-total if sign == "-" else total) if total <= 14 * 60 and int(minutes) < 60 else None


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value) -> float | None:
    """Degrees from (d, m, s) rationals or numbers, or from a single number."""
    if isinstance(value, (tuple, list)):
        parts = [_number(part) for part in value[:3]]
        if not parts or any(part is None or part < 0 for part in parts):
            return None
        return sum(part / 60**i for i, part in enumerate(parts))
    return _number(value)


def gps_position(gps: dict) -> tuple[float | None, float | None]:
    """(lat, lon) in decimal degrees from a GPS IFD, or (None, None)."""
    lat, lon = _degrees(gps.get(GPS_LATITUDE)), _degrees(gps.get(GPS_LONGITUDE))
    if lat is None or lon is None:
        return None, None
    lat_ref, lon_ref = (_text(gps.get(tag)) or "" for tag in (GPS_LATITUDE_REF, GPS_LONGITUDE_REF))
    lat = -abs(lat) if lat_ref.upper().startswith("S") else lat
    lon = -abs(lon) if lon_ref.upper().startswith("W") else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return lat, lon


def _taken_from_exif(ifd0: dict, exif: dict) -> tuple[datetime | None, int | None]:
    """The first usable date (original, digitized, IFD0) and its UTC offset."""
    candidates = (
        (exif.get(DATE_TIME_ORIGINAL), exif.get(SUBSEC_TIME_ORIGINAL), exif.get(OFFSET_TIME_ORIGINAL)),
        (exif.get(DATE_TIME_DIGITIZED), exif.get(SUBSEC_TIME_DIGITIZED), exif.get(OFFSET_TIME_DIGITIZED)),
        (ifd0.get(DATE_TIME), exif.get(SUBSEC_TIME), None),
    )
    for value, subseconds, offset in candidates:
        taken = parse_exif_date(value, subseconds)
        if taken is not None:
            minutes = parse_offset(offset)
            return taken, minutes if minutes is not None else parse_offset(exif.get(OFFSET_TIME))
    return None, None


def read_exif(path) -> tuple[dict, dict, dict]:
    """(IFD0, Exif IFD, GPS IFD) of the image at ``path``; empty dicts where unreadable."""
    from PIL import Image

    from plvm_photos.imaging import register_heif
    from plvm_photos.media.kinds import RAW, media_kind

    if media_kind(str(path)) == RAW:
        from plvm_photos.media.raw import raw_exif

        try:
            return raw_exif(path) or ({}, {}, {})
        except FileNotFoundError:
            raise
        except Exception:  # noqa: BLE001 - an unreadable RAW has no EXIF here (its decode says why)
            return {}, {}, {}
    register_heif()
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            return dict(exif), _safe_ifd(exif, EXIF_IFD), _safe_ifd(exif, GPS_IFD)
    except FileNotFoundError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable image or EXIF block means "no EXIF"
        return {}, {}, {}


def _safe_ifd(exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # noqa: BLE001 - a broken IFD is a missing one
        return {}


def _file_time(path) -> datetime:
    return datetime.fromtimestamp(os.stat(path).st_mtime)


def photo_facts(path) -> PhotoFacts:
    """When (camera local time) and where (GPS) the photo or video at ``path`` was taken."""
    from plvm_photos.media.kinds import VIDEO, media_kind

    if media_kind(str(path)) == VIDEO:
        return video_facts(path)
    ifd0, exif, gps = read_exif(path)
    taken, offset = _taken_from_exif(ifd0, exif)
    lat, lon = gps_position(gps)
    if taken is None:
        return PhotoFacts(_file_time(path), None, "file", lat, lon)
    return PhotoFacts(taken, offset, "exif", lat, lon)


def video_facts(path) -> PhotoFacts:
    """A video's recording time and place from its container: a phone's local time and offset
    (Apple's creation date), else the container's UTC creation time (offset 0); its ISO 6709
    location. A clip that cannot be read has only its file's time (its analysis says why)."""
    from plvm_photos.errors import ImageError
    from plvm_photos.media.video import probe

    try:
        info = probe(str(path))
    except ImageError:
        return PhotoFacts(_file_time(path), None, "file", None, None)
    if info.taken is None:
        return PhotoFacts(_file_time(path), None, "file", info.lat, info.lon)
    return PhotoFacts(info.taken, info.offset_minutes, "exif", info.lat, info.lon)
