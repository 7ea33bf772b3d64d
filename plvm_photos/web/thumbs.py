"""Thumbnails, made once per (content, size) and kept in the library's ``thumbnails/`` folder.

Files are named by the photo's content hash (``photos.sha256``), never by its id, so a moved or
copied photo reuses its thumbnail and an edited one (new hash) gets a new one. A thumbnail is
only ever made from bytes that hash to that name: the file is hashed through the same open
handle that is decoded, so a photo file replaced on disk before a rescan is refused (rescan
first) instead of filing the new picture under the old content's name for good. Thumbnails of
content no longer in the library, and those of older cache layouts, are removed lazily
(``prune_stale``). Boxes stay in full-size pixel coordinates; the HTML scales them with an SVG
viewBox of the photo's full size.

Decoding is the expensive part (a small PNG can declare 9400x9400 pixels, ~1 GB to decode), so:
- at most ``MAX_CONCURRENT_DECODES`` decodes run at once, process-wide; a caller waits up to
  ``DECODE_WAIT_S`` for a slot, then gets ``Busy``;
- an image whose decode would exceed ``MAX_DECODE_PIXELS`` (after the JPEG draft reduction) is
  refused from its header, before any pixel is decoded (``ImageError``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from plvm_photos import safe_write
from plvm_photos.imaging import ImageError, decode, register_heif
from plvm_photos.media.kinds import RAW, VIDEO, media_kind

THUMB_DIR = "thumbnails"
CACHE_VERSION = "v2"  # v2: content verified before caching; earlier layouts are pruned
SIZES = {"small": 360, "large": 1400}
FACE_DECODE_SIDE = 1600
MAX_CONCURRENT_DECODES = 2
DECODE_WAIT_S = 30.0
MAX_DECODE_PIXELS = 40_000_000  # pixels one decode may produce (~0.5 GB at worst while decoding)

_decode_slots = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)
_lock = threading.Lock()
_making: dict[Path, threading.Lock] = {}
_FD_DIR = "/proc/self/fd"


class Busy(Exception):
    """Every decode slot stayed taken for DECODE_WAIT_S: try again shortly."""


def cache_root(library_root: Path) -> Path:
    return Path(library_root) / THUMB_DIR / CACHE_VERSION


def thumbnail_path(library_root: Path, sha256: str, size: str) -> Path:
    return cache_root(library_root) / size / sha256[:2] / f"{sha256}.jpg"


def face_path(library_root: Path, key: str) -> Path:
    return cache_root(library_root) / "faces" / f"{key}.jpg"


# --- decoding: bounded, budgeted, verified ----------------------------------------------------------
def decoded_pixels(source: str | Path, max_side: int | None) -> tuple[int, int, int]:
    """(width, height, pixels a decode at ``max_side`` produces), from the header only."""
    import warnings

    from PIL import Image

    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # judged below, by our budget
            with Image.open(source) as im:
                width, height, fmt = im.width, im.height, im.format
    except FileNotFoundError:
        raise
    except Image.DecompressionBombError:
        raise ImageError("image too large to preview (a decompression bomb)") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(str(exc) or type(exc).__name__) from None
    reduce = 1
    if fmt == "JPEG" and max_side and max(width, height) > max_side:
        # decode() asks libjpeg for a draft; it picks the largest 1/2^k (k <= 3) scale still >= max_side.
        while reduce < 8 and max(width, height) / (reduce * 2) >= max_side:
            reduce *= 2
    return width, height, -(-width // reduce) * -(-height // reduce)


def _bounded_decode(source: str | Path, max_side: int, kind: str | None = None):
    """``decode`` within the pixel budget; the caller holds a decode slot. A camera RAW (its
    preview, or a half-size demosaic) and a video (its poster frame) are bounded by their own
    decoders (``media.raw``, ``media.video``)."""
    if kind in (RAW, VIDEO):
        return decode(source, max_side=max_side, kind=kind)
    width, height, pixels = decoded_pixels(source, max_side)
    if pixels > MAX_DECODE_PIXELS:
        raise ImageError(
            f"image too large to preview: {width}x{height} pixels would need {pixels / 1e6:.0f} MP decoded "
            f"(the gallery's limit is {MAX_DECODE_PIXELS / 1e6:.0f} MP)"
        )
    return decode(source, max_side=max_side)


class _Slot:
    def __enter__(self):
        if not _decode_slots.acquire(timeout=DECODE_WAIT_S):
            raise Busy("the gallery is busy making other previews; try again in a moment")
        return self

    def __exit__(self, *exc) -> None:
        _decode_slots.release()


def _fingerprint(st: os.stat_result) -> tuple:
    # ctime cannot be set back by a program, so an in-place rewrite always shows here.
    return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def decode_verified(sources: Iterable[str | Path], sha256: str, max_side: int):
    """Decode the first of ``sources`` whose bytes hash to ``sha256`` (what the database says the
    photo is). Hashing and decoding read the same open file; a file changed meanwhile is refused.
    Raises ImageError (no matching file), Busy (no decode slot)."""
    with _Slot():
        changed = gone = 0
        for source in sources:
            try:  # never blocks: a FIFO put where the photo was would hold a decode slot for good
                fh = safe_write.open_regular(source)
            except FileNotFoundError:
                gone += 1
                continue
            except (safe_write.NotRegularFile, IsADirectoryError):
                changed += 1
                continue
            except OSError as exc:
                raise ImageError(f"cannot read the photo: {(exc.strerror or str(exc)).lower()}") from None
            with fh:
                fd = fh.fileno()
                before = os.fstat(fd)
                digest = hashlib.sha256()
                while block := fh.read(1 << 20):
                    digest.update(block)
                if digest.hexdigest() != sha256:
                    changed += 1
                    continue
                # Decode this very file (not whatever the name points to by now).
                opened = f"{_FD_DIR}/{fd}" if os.path.isdir(_FD_DIR) else source
                decoded = _bounded_decode(opened, max_side, media_kind(str(source)))
                if _fingerprint(os.fstat(fd)) != _fingerprint(before) or (
                    opened == source and _fingerprint(os.stat(source)) != _fingerprint(before)
                ):
                    raise ImageError("the photo file changed while it was being read; try again")
                return decoded
        if changed:
            raise ImageError("the photo file changed on disk since the last scan; rescan its folder to see it")
        raise ImageError("photo file is gone" if gone else "no file of this photo")


# --- the cache --------------------------------------------------------------------------------
def _save_jpeg(image, target: Path, **options) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with safe_write.atomic_writer(target) as fh:
        image.save(fh, "JPEG", **options)


def _cached(target: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(target).st_mode)
    except FileNotFoundError:
        return False


def _make_once(target: Path, make) -> Path:
    """Run ``make(target)`` unless the file exists; one thread makes a given file, others wait."""
    if _cached(target):
        return target
    with _lock:
        lock = _making.setdefault(target, threading.Lock())
    try:
        with lock:
            if not _cached(target):
                make(target)
    finally:
        with _lock:
            _making.pop(target, None)
    return target


def thumbnail(library_root: Path, sha256: str, source: str | Path | Sequence[str | Path], size: str = "small") -> Path:
    """The cached JPEG thumbnail of the content ``sha256`` (made now from the first of ``source``,
    one path or several, that holds that content). Raises ImageError, Busy."""
    from PIL import Image

    sources = [source] if isinstance(source, (str, Path)) else list(source)

    def make(target: Path) -> None:
        decoded = decode_verified(sources, sha256, SIZES[size])
        _save_jpeg(Image.fromarray(decoded.pixels), target, quality=85, optimize=True)

    return _make_once(thumbnail_path(library_root, sha256, size), make)


def face_crop(decoded, box: tuple[int, int, int, int], side: int = 160, margin: float = 0.35):
    """A square PIL image around ``box`` (full-size coordinates) with some margin."""
    from PIL import Image

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


def face_thumbnail(library_root: Path, key: str, source: str | Path | Sequence[str | Path],
                   box: tuple[int, int, int, int], sha256: str | None = None) -> Path:
    """A cached face crop; ``key`` must change with the face. With ``sha256`` the source's content
    is verified as for thumbnails (photos); without, it is a library-owned file (a reference copy).
    Raises ImageError, Busy."""
    sources = [source] if isinstance(source, (str, Path)) else list(source)

    def make(target: Path) -> None:
        if sha256 is not None:
            decoded = decode_verified(sources, sha256, FACE_DECODE_SIDE)
        else:
            with _Slot():
                try:
                    with safe_write.open_regular(sources[0]) as fh:
                        opened = f"{_FD_DIR}/{fh.fileno()}" if os.path.isdir(_FD_DIR) else sources[0]
                        decoded = _bounded_decode(opened, FACE_DECODE_SIDE)
                except FileNotFoundError:
                    raise ImageError("reference image is gone") from None
                except OSError as exc:
                    raise ImageError(f"cannot read the reference image: {(exc.strerror or str(exc)).lower()}") from None
        _save_jpeg(face_crop(decoded, box), target, quality=88)

    return _make_once(face_path(library_root, key), make)


# --- lazy cleaning ------------------------------------------------------------------------------
def prune_stale(library_root: Path, live_sha256: set[str]) -> int:
    """Remove thumbnails of content not in ``live_sha256`` and every older cache layout; returns
    the number of files removed. Safe to run while the gallery serves (a removed file is made again
    when asked for)."""
    top = Path(library_root) / THUMB_DIR
    removed = 0
    if not top.is_dir():
        return 0
    for entry in top.iterdir():
        if entry.name != CACHE_VERSION and not entry.is_symlink() and entry.is_dir():
            removed += sum(1 for p in entry.rglob("*") if p.is_file())
            shutil.rmtree(entry, ignore_errors=True)
    root = cache_root(library_root)
    prefixes = {sha[:16] for sha in live_sha256}
    for size in SIZES:
        for path in (root / size).glob("*/*.jpg"):
            if path.stem not in live_sha256:
                path.unlink(missing_ok=True)
                removed += 1
    for path in (root / "faces").glob("region-*.jpg"):
        if path.stem.split("-")[1] not in prefixes:
            path.unlink(missing_ok=True)
            removed += 1
    for path in root.rglob(".*.tmp"):  # left by a crash mid-write (an hour old: not one being written now)
        try:
            if time.time() - path.lstat().st_mtime > 3600:
                path.unlink()
        except OSError:
            pass
    return removed
