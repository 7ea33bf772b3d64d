"""JPEG files with the EXIF date, offset and GPS position a test needs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def exif_bytes(taken: str | None = None, gps: tuple[float, float] | None = None, offset: str | None = None) -> bytes:
    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken
        exif.get_ifd(EXIF_IFD)[0x9003] = taken
        if offset:
            exif.get_ifd(EXIF_IFD)[0x9011] = offset
    if gps:
        def dms(value: float):
            value = abs(value)
            d, m = int(value), int((abs(value) - int(value)) * 60)
            return (Fraction(d), Fraction(m), Fraction(round(((value - d) * 60 - m) * 60 * 100), 100))

        ifd = exif.get_ifd(GPS_IFD)
        ifd[1], ifd[2] = ("N" if gps[0] >= 0 else "S"), dms(gps[0])
        ifd[3], ifd[4] = ("E" if gps[1] >= 0 else "W"), dms(gps[1])
    return exif.tobytes()


def write_jpeg(path: Path, image: Image.Image, taken: str | None = None, gps=None, offset: str | None = None) -> Path:
    image.convert("RGB").save(path, "JPEG", quality=90, exif=exif_bytes(taken, gps, offset))
    return Path(path)
