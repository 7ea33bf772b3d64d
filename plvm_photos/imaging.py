"""Decoding photos the way a photo library must: orientation, reduced scale, formats.

Large JPEGs are decoded with ``Image.draft`` at 1/2-1/8 scale (nearly free in libjpeg) instead
of decoding 12 MP and shrinking; everything else is resized after decoding. Boxes found on the
reduced image are mapped back to full-size coordinates with ``DecodedImage.to_full``.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plvm_photos.errors import ImageError  # noqa: F401 (callers catch it from here too)
from plvm_photos.media.kinds import IMAGE_SUFFIXES, RAW, VIDEO, media_kind

# A photo declaring more pixels than this is refused from its header (Pillow refuses above
# ~179 MP itself); a 100 MP medium-format JPEG is a real photo and must pass.
MAX_PIXELS = 178_000_000
# Pixels actually decoded at once (~150 MB as RGB): JPEGs decode at 1/2..1/8 scale first, other
# formats cannot, so a 257 KB PNG declaring 9400x9400 is refused instead of costing a gigabyte.
DECODE_BUDGET_PIXELS = 50_000_000


@dataclass(frozen=True)
class DecodedImage:
    pixels: np.ndarray  # uint8 RGB, HxWx3, C-contiguous, possibly reduced
    full_width: int  # displayed size at full resolution (after EXIF orientation)
    full_height: int

    @property
    def scale(self) -> float:
        """Decoded pixels per full-size pixel (<= 1)."""
        return self.pixels.shape[1] / self.full_width

    def to_full(self, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """Map a box on the decoded pixels to full-size pixel coordinates, clipped to the photo."""
        s = self.scale
        left, top, right, bottom = (v / s for v in box)
        return (
            max(0, int(round(left))),
            max(0, int(round(top))),
            min(self.full_width, int(round(right))),
            min(self.full_height, int(round(bottom))),
        )


_heif_registered = False


def register_heif() -> None:
    """Let Pillow open HEIC/HEIF photos (once per process)."""
    global _heif_registered
    if not _heif_registered:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:  # pragma: no cover - pillow-heif is a dependency
            pass
        _heif_registered = True


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def _oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def decode(path: str | Path, max_side: int | None = 1600, kind: str | None = None) -> DecodedImage:
    """Decode ``path`` to RGB pixels, EXIF-oriented, with its long side at most ``max_side``: a
    photo, a camera RAW (``media.raw``: its preview where large enough) or a video's poster frame
    (``media.video``), by the file's name.

    Raises ``ImageError`` for anything that is not a complete, sane image. ``kind``: what the
    file is ("image", "raw", "video"), where its name does not say (``/proc/self/fd/N``).
    """
    return _decode(Path(path), max_side, kind or media_kind(str(path)))


def decode_bytes(data: bytes, max_side: int | None = 1600, name: str = "") -> DecodedImage:
    """``decode`` of a file's content, read elsewhere (a worker that does not see the file);
    ``name``: the file's name, which tells a RAW or a video."""
    import io

    return _decode(io.BytesIO(data), max_side, media_kind(name))


def _decode(path, max_side: int | None, kind: str | None = None) -> DecodedImage:
    """``path``: a ``Path`` or a binary file object."""
    if kind == RAW:
        return _decode_raw(path, max_side)
    if kind == VIDEO:
        return _decode_poster(path, max_side)
    return _decode_still(path, max_side)


def _decode_raw(path, max_side: int | None) -> DecodedImage:
    from plvm_photos.media.raw import decode_raw

    try:
        raw = decode_raw(str(path) if isinstance(path, Path) else path, max_side, MAX_PIXELS)
    except (FileNotFoundError, ImageError):
        raise
    except PermissionError as exc:
        raise ImageError(f"permission denied: {exc.filename or path}") from None
    except (OSError, ValueError, MemoryError) as exc:
        raise ImageError(f"not a readable camera RAW ({exc})") from None
    return _reduced(raw.image, max_side, raw.full_width, raw.full_height)


def _decode_poster(path, max_side: int | None) -> DecodedImage:
    from plvm_photos.media.video import poster

    try:
        pixels, width, height = poster(str(path) if isinstance(path, Path) else path, max_side)
    except (FileNotFoundError, ImageError):
        raise
    except (OSError, ValueError, MemoryError) as exc:
        raise ImageError(f"not a readable video ({exc})") from None
    return DecodedImage(pixels, width, height)


def _decode_still(path, max_side: int | None) -> DecodedImage:
    from PIL import Image, ImageOps

    register_heif()
    try:
        with warnings.catch_warnings():
            # Pillow warns from ~89 MP; the limits that matter are checked here, from the header.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise ImageError(f"image too large: {im.width}x{im.height} pixels (limit {MAX_PIXELS // 10**6} MP)")
                try:
                    orientation = int(im.getexif().get(0x0112, 1) or 1)
                except Exception:  # a broken EXIF block must not lose the photo
                    orientation = 1
                full_w, full_h = _oriented_size(im.width, im.height, orientation)
                if max_side and im.format == "JPEG" and max(im.size) > max_side:
                    # libjpeg picks the largest 1/2^k scale still >= the requested size.
                    ratio = max_side / max(im.size)
                    im.draft("RGB", (max(1, int(im.width * ratio)), max(1, int(im.height * ratio))))
                if im.width * im.height > DECODE_BUDGET_PIXELS:  # after draft: what will really be decoded
                    raise ImageError(
                        f"too large to decode: {im.width}x{im.height} pixels of {im.format or 'this format'}, "
                        f"over the {DECODE_BUDGET_PIXELS // 10**6} MP memory budget (a JPEG of it would be reduced)"
                    )
                im.load()
                try:
                    im = ImageOps.exif_transpose(im)
                except Exception:
                    pass
                im = im.convert("RGB")
                if max_side and max(im.size) > max_side:
                    ratio = max_side / max(im.size)
                    im = im.resize((max(1, round(im.width * ratio)), max(1, round(im.height * ratio))), Image.BILINEAR)
                pixels = np.ascontiguousarray(np.asarray(im, dtype=np.uint8))
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image too large: {exc}") from None
    except FileNotFoundError:
        raise
    except PermissionError as exc:
        raise ImageError(f"permission denied: {exc.filename or path}") from None
    except IsADirectoryError:
        raise ImageError("is a directory, not an image file") from None
    except (OSError, ValueError, SyntaxError, Image.UnidentifiedImageError) as exc:
        msg = str(exc) or type(exc).__name__
        if "cannot identify image file" in msg:
            msg = "not an image file (unrecognised format)"
        raise ImageError(msg) from None
    if pixels.ndim != 3 or pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ImageError("empty image")
    return DecodedImage(pixels=pixels, full_width=full_w, full_height=full_h)


def from_pil(image, max_side: int | None) -> DecodedImage:
    """An already open image (upright, e.g. from ``ImageOps.exif_transpose``) as ``decode`` would
    give it: RGB, its long side reduced to ``max_side``."""
    return _reduced(image, max_side, *image.size)


def _reduced(image, max_side: int | None, full_w: int, full_h: int) -> DecodedImage:
    """An upright PIL image as RGB pixels with the long side at most ``max_side``."""
    from PIL import Image

    image = image.convert("RGB")
    if max_side and max(image.size) > max_side:
        ratio = max_side / max(image.size)
        image = image.resize((max(1, round(image.width * ratio)), max(1, round(image.height * ratio))), Image.BILINEAR)
    return DecodedImage(np.ascontiguousarray(np.asarray(image, dtype=np.uint8)), full_w, full_h)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
