"""Camera RAW through LibRaw (``rawpy``): the pixels a detector needs, and the EXIF data.

A RAW file carries a JPEG preview the camera rendered; where it is at least as large as the
detector's input it is used as it is (what PhotoPrism does: a fraction of the cost of
demosaicing), turned upright by the RAW's orientation. Otherwise the sensor data is demosaiced
at half size (each 2x2 Bayer cell one pixel) where that is still large enough, else at full size.
rawpy is imported only here, when a RAW file is met.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from plvm_photos.errors import ImageError

_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
# LibRaw's flip (from the RAW's orientation) as the PIL transpose that turns the image upright.
_FLIP_TRANSPOSE = {3: "ROTATE_180", 5: "ROTATE_90", 6: "ROTATE_270"}


@dataclass(frozen=True)
class RawPixels:
    image: object  # a PIL image, RGB, upright
    full_width: int  # the developed photo's size, upright
    full_height: int
    from_preview: bool  # the camera's embedded JPEG, not demosaiced


def _open(source):
    import rawpy

    try:
        return rawpy.imread(source)
    except rawpy.LibRawError as exc:
        raise ImageError(f"not a readable camera RAW ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


def decode_raw(source, max_side: int | None, max_pixels: int) -> RawPixels:
    """``source``: a path (str) or a binary file object. Raises ImageError for a file LibRaw
    cannot read (damaged, truncated, an unsupported camera) or one too large."""
    import rawpy
    from PIL import Image

    with _open(source) as raw:
        sizes = raw.sizes
        if sizes.width * sizes.height > max_pixels:
            raise ImageError(f"image too large: {sizes.width}x{sizes.height} pixels (limit {max_pixels // 10**6} MP)")
        if not sizes.width or not sizes.height:
            raise ImageError("not a readable camera RAW (no image size)")
        upright = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
        needed = min(max_side or max(upright), max(upright))
        preview = _preview(raw, sizes, needed)
        if preview is not None:
            return RawPixels(preview, upright[0], upright[1], True)
        try:
            half = max(upright) // 2 >= needed
            pixels = raw.postprocess(half_size=half, use_camera_wb=True, output_bps=8)
        except (rawpy.LibRawError, MemoryError) as exc:
            raise ImageError(f"not a readable camera RAW ({_why(exc)})") from None
        return RawPixels(Image.fromarray(pixels), upright[0], upright[1], False)


def _preview(raw, sizes, needed: int):
    """The embedded preview as an upright PIL image, when its long side is at least ``needed``."""
    import rawpy
    from PIL import Image

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawError, MemoryError):  # none, unsupported, or damaged: demosaic instead
        return None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            image = Image.open(io.BytesIO(thumb.data))
            if max(image.size) < needed:
                return None
            ratio = needed / max(image.size)
            if ratio < 1:
                image.draft("RGB", (max(1, int(image.width * ratio)), max(1, int(image.height * ratio))))
            image.load()
        else:
            image = Image.fromarray(thumb.data)
            if max(image.size) < needed:
                return None
    except (OSError, ValueError, SyntaxError):
        return None
    image = image.convert("RGB")
    # Previews are stored as the sensor saw them; one already turned (its aspect that of the
    # upright photo where the sensor's differs) is left as it is.
    turned = sizes.flip in (5, 6) and (image.width > image.height) != (sizes.width > sizes.height)
    if sizes.flip in _FLIP_TRANSPOSE and not turned:
        image = image.transpose(getattr(Image.Transpose, _FLIP_TRANSPOSE[sizes.flip]))
    return image


def raw_exif(path) -> tuple[dict, dict, dict] | None:
    """(IFD0, Exif IFD, GPS IFD) of a RAW file: read from its own TIFF structure (CR2, NEF, ARW,
    DNG, PEF, SRW...), else from the EXIF of its embedded JPEG preview (RAF, CR3...); None when
    neither has any."""
    from PIL import Image

    found = None
    with open(path, "rb") as fh:
        if fh.read(4) in _TIFF_MAGIC:
            fh.seek(0)
            try:
                with warnings.catch_warnings():  # Pillow warns of a damaged tag: it is skipped
                    warnings.simplefilter("ignore")
                    exif = Image.Exif()
                    exif.load_from_fp(fh)
                    found = _ifds(exif)
            except Exception:  # noqa: BLE001 - a damaged header: try the preview
                found = None
    if found is None or not (found[0] or found[1]):
        found = _preview_exif(path) or found
    return found


def _preview_exif(path) -> tuple[dict, dict, dict] | None:
    import rawpy
    from PIL import Image

    try:
        with rawpy.imread(str(path)) as raw:
            thumb = raw.extract_thumb()
        if thumb.format != rawpy.ThumbFormat.JPEG:
            return None
        with Image.open(io.BytesIO(thumb.data)) as image:
            ifd0, exif, gps = _ifds(image.getexif())
    except Exception:  # noqa: BLE001 - no preview, or one without EXIF
        return None
    # Where the preview has no EXIF of its own, LibRaw writes one from what it parsed, and its
    # GPS references come out garbled: a position without a valid N/S and E/W is dropped.
    if str(gps.get(1, "")).strip("\0 ") not in ("N", "S") or str(gps.get(3, "")).strip("\0 ") not in ("E", "W"):
        gps = {}
    return ifd0, exif, gps


def _ifds(exif) -> tuple[dict, dict, dict]:
    def ifd(tag: int) -> dict:
        try:
            return dict(exif.get_ifd(tag))
        except Exception:  # noqa: BLE001
            return {}

    return dict(exif), ifd(0x8769), ifd(0x8825)
