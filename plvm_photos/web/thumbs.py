"""Thumbnails, made once per (content, size) and kept in the library's ``thumbnails/`` folder.

Files are named by the photo's content hash, so a moved or copied photo reuses its thumbnail and
an edited one (new hash) gets a new one. Boxes stay in full-size pixel coordinates; the HTML
scales them with an SVG viewBox of the photo's full size.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from plvm_photos.imaging import ImageError, decode

THUMB_DIR = "thumbnails"
SIZES = {"small": 360, "large": 1400}
_lock = threading.Lock()
_making: dict[Path, threading.Lock] = {}


def thumbnail_path(library_root: Path, sha256: str, size: str) -> Path:
    return Path(library_root) / THUMB_DIR / size / sha256[:2] / f"{sha256}.jpg"


def thumbnail(library_root: Path, sha256: str, source: str | Path, size: str = "small") -> Path:
    """The cached JPEG thumbnail of ``source`` (made now if missing). Raises ImageError."""
    from PIL import Image

    target = thumbnail_path(library_root, sha256, size)
    if target.exists():
        return target
    with _lock:  # one thread makes a given thumbnail; others wait for it
        lock = _making.setdefault(target, threading.Lock())
    with lock:
        if target.exists():
            return target
        try:
            decoded = decode(source, max_side=SIZES[size])
        except FileNotFoundError:
            raise ImageError(f"photo file is gone: {source}") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        Image.fromarray(decoded.pixels).save(tmp, "JPEG", quality=85, optimize=True)
        os.replace(tmp, target)
    with _lock:
        _making.pop(target, None)
    return target


def face_crop(source: str | Path, box: tuple[int, int, int, int], side: int = 160, margin: float = 0.35):
    """A square PIL image around ``box`` (full-size coordinates) with some margin."""
    from PIL import Image

    decoded = decode(source, max_side=1600)
    s = decoded.scale
    left, top, right, bottom = box
    cx, cy = (left + right) / 2 * s, (top + bottom) / 2 * s
    half = max(right - left, bottom - top) * s * (0.5 + margin)
    h, w = decoded.pixels.shape[:2]
    x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
    x1, y1 = min(w, int(cx + half)), min(h, int(cy + half))
    crop = Image.fromarray(decoded.pixels[y0:y1, x0:x1])
    crop.thumbnail((side, side))
    return crop


def face_thumbnail(library_root: Path, key: str, source: str | Path, box: tuple[int, int, int, int]) -> Path:
    """A cached face crop (e.g. a person's reference face); ``key`` must change with the face."""
    target = Path(library_root) / THUMB_DIR / "faces" / f"{key}.jpg"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        crop = face_crop(source, box)
    except FileNotFoundError:
        raise ImageError(f"reference image is gone: {source}") from None
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    crop.save(tmp, "JPEG", quality=88)
    os.replace(tmp, target)
    return target
