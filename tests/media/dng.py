"""A minimal Adobe DNG writer for tests: a photo as a camera sensor would record it (an RGGB
Bayer mosaic, 12 bits in 16), with a JPEG preview of a chosen size, the orientation, and the EXIF
date and GPS position in the DNG's own EXIF and GPS IFDs, which LibRaw reads as a camera's RAW.

Written by hand (a TIFF is a header and a few tables of tags) because tifffile cannot store an
already encoded JPEG preview without the imagecodecs package.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10
_SIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SRATIONAL: 8}
_FORMAT = {BYTE: "B", ASCII: "B", SHORT: "H", LONG: "I", UNDEFINED: "B"}
WHITE = 4095
# ColorMatrix1 (XYZ to the camera's RGB): the camera's RGB is linear sRGB, so LibRaw's colour
# conversion gives the photo's own colours back.
XYZ_TO_SRGB = [(round(v * 10000), 10000) for v in (3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570)]


def _pack(kind: int, values) -> bytes:
    if kind == ASCII:
        return values.encode("ascii") + b"\0"
    if kind in (RATIONAL, SRATIONAL):
        fmt = "<ii" if kind == SRATIONAL else "<II"
        return b"".join(struct.pack(fmt, n, d) for n, d in values)
    return struct.pack("<" + _FORMAT[kind] * len(values), *values)


class _Tiff:
    """Little-endian TIFF assembled in memory: blobs first, then IFDs that point at them."""

    def __init__(self):
        self.out = bytearray(b"II*\x00\x00\x00\x00\x00")

    def blob(self, data: bytes) -> int:
        if len(self.out) % 2:
            self.out += b"\0"
        offset = len(self.out)
        self.out += data
        return offset

    def ifd(self, entries: list[tuple[int, int, object]]) -> int:
        """``entries``: (tag, type, values); returns the IFD's offset."""
        packed = []
        for tag, kind, values in sorted(entries, key=lambda e: e[0]):
            data = _pack(kind, values)
            count = len(data) // _SIZE[kind]
            if len(data) <= 4:
                packed.append(struct.pack("<HHI", tag, kind, count) + data.ljust(4, b"\0"))
            else:
                packed.append(struct.pack("<HHII", tag, kind, count, self.blob(data)))
        offset = self.blob(struct.pack("<H", len(packed)) + b"".join(packed) + struct.pack("<I", 0))
        return offset

    def first(self, offset: int) -> bytes:
        self.out[4:8] = struct.pack("<I", offset)
        return bytes(self.out)


def _dms(value: float) -> list[tuple[int, int]]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 1000)
    return [(d, 1), (m, 1), (s, 1000)]


def mosaic(image: Image.Image) -> np.ndarray:
    """The RGGB Bayer mosaic a sensor would record of ``image`` (linear light, 12 bits)."""
    rgb = np.asarray(image.convert("RGB"))
    h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
    linear = (rgb[:h, :w].astype(np.float32) / 255.0) ** 2.2 * WHITE
    cfa = np.empty((h, w), dtype=np.uint16)
    cfa[0::2, 0::2] = linear[0::2, 0::2, 0]
    cfa[0::2, 1::2] = linear[0::2, 1::2, 1]
    cfa[1::2, 0::2] = linear[1::2, 0::2, 1]
    cfa[1::2, 1::2] = linear[1::2, 1::2, 2]
    return cfa


def write_dng(path: Path, image: Image.Image, preview_side: int | None = None, taken: str | None = None,
              gps: tuple[float, float] | None = None, orientation: int = 1, offset: str | None = None) -> Path:
    """``image`` is the sensor's view (unturned); ``orientation`` (EXIF values 1, 3, 6, 8) says how
    to show it. ``preview_side``: the long side of the embedded JPEG preview (None: a 160 px
    thumbnail, too small to find faces in, so the sensor data is demosaiced)."""
    cfa = mosaic(image)
    h, w = cfa.shape
    preview = image.convert("RGB")
    preview.thumbnail((preview_side or 160, preview_side or 160))
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=90)
    tiff = _Tiff()
    raw_at = tiff.blob(cfa.astype("<u2").tobytes())
    jpeg_at = tiff.blob(buffer.getvalue())
    preview_ifd = tiff.ifd([
        (254, LONG, [1]), (256, LONG, [preview.width]), (257, LONG, [preview.height]), (258, SHORT, [8, 8, 8]),
        (259, SHORT, [7]), (262, SHORT, [6]), (273, LONG, [jpeg_at]), (277, SHORT, [3]), (278, LONG, [preview.height]),
        (279, LONG, [len(buffer.getvalue())]), (284, SHORT, [1]),
    ])
    entries = [
        (254, LONG, [0]), (256, LONG, [w]), (257, LONG, [h]), (258, SHORT, [16]), (259, SHORT, [1]),
        (262, SHORT, [32803]), (271, ASCII, "PLVM"), (272, ASCII, "Test Camera"), (273, LONG, [raw_at]),
        (274, SHORT, [orientation]), (277, SHORT, [1]), (278, LONG, [h]), (279, LONG, [cfa.size * 2]),
        (284, SHORT, [1]), (330, LONG, [preview_ifd]),
        (33421, SHORT, [2, 2]), (33422, BYTE, [0, 1, 1, 2]),
        (50706, BYTE, [1, 4, 0, 0]), (50707, BYTE, [1, 1, 0, 0]), (50708, ASCII, "PLVM Test Camera"),
        (50714, SHORT, [0]), (50717, SHORT, [WHITE]),
        (50721, SRATIONAL, XYZ_TO_SRGB),
        (50728, RATIONAL, [(1, 1), (1, 1), (1, 1)]), (50778, SHORT, [21]),
    ]
    if taken:
        entries.append((306, ASCII, taken))
        exif = [(36867, ASCII, taken)] + ([(36881, ASCII, offset)] if offset else [])
        entries.append((34665, LONG, [tiff.ifd(exif)]))
    if gps:
        lat, lon = gps
        entries.append((34853, LONG, [tiff.ifd([
            (0, BYTE, [2, 3, 0, 0]), (1, ASCII, "N" if lat >= 0 else "S"), (2, RATIONAL, _dms(lat)),
            (3, ASCII, "E" if lon >= 0 else "W"), (4, RATIONAL, _dms(lon)),
        ])]))
    Path(path).write_bytes(tiff.first(tiff.ifd(entries)))
    return Path(path)
