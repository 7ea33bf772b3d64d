"""dlib's ``jitter_image``, with its randomness drawn from the chip's own bytes.

``compute_face_descriptor(img, shape, num_jitters)`` (num_jitters > 1) averages the network's
output over ``num_jitters`` calls of ``dlib::jitter_image(chip, rnd)``
(``dlib/image_transforms/interpolation.h``), where ``rnd`` is a ``dlib::rand`` member of the
``face_recognition_model_v1`` object: its state carries over from call to call, so the same
photo gets a different descriptor depending on what was described before it in the process.

Here each copy is made exactly as ``jitter_image`` makes it, from five uniform numbers in
[0, 1) drawn in dlib's order by a numpy ``Generator`` (PCG64) seeded with a BLAKE2b hash of the
chip's shape and bytes. For an N x N chip (N = 150):

* ``rect = shrink_rect(get_rect(img), 3)``: (3, 3)-(N-4, N-4), 144 px wide;
* translation ``point(dpoint(u(-0.02, 0.02) * 144, u(-0.02, 0.02) * 144))``: rounded to whole
  pixels, -3..3;
* ``scale = u(0.97, 0.99999)``; ``box = long(144 / scale)`` (truncated: 144..148 px);
* ``crop = centered_rect(center(rect) + translation, box, box)`` (integer centre (75, 75),
  left = x - box/2, right = left + box - 1);
* ``angle = u(-3, 3)`` degrees;
* ``extract_image_chip(img, chip_details(crop, chip_dims(N, N), angle))``: the chip's corners
  (0,0), (N-1,0), (0,N-1) map to the crop's corners rotated by ``angle`` about its centre
  ((l+r)/2, (t+b)/2); bilinear interpolation in double, truncated to uint8, black where the
  2x2 neighbourhood leaves the image (no image pyramid: the crop is never > 2x the chip);
* mirrored left to right when ``u(0, 1) > 0.5``.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

MAX_ROTATION_DEGREES = 3.0
MIN_OBJECT_HEIGHT = 0.97
MAX_OBJECT_HEIGHT = 0.99999
TRANSLATE_AMOUNT = 0.02
_SEED_TAG = b"plvm-photos jitter v1"


def chip_seed(chip: np.ndarray) -> int:
    """A 128-bit seed from the chip's shape and pixels."""
    chip = np.ascontiguousarray(chip, dtype=np.uint8)
    h = hashlib.blake2b(_SEED_TAG, digest_size=16)
    h.update(repr(chip.shape).encode())
    h.update(chip.tobytes())
    return int.from_bytes(h.digest(), "little")


def jitter_uniforms(chip: np.ndarray, count: int) -> np.ndarray:
    """(count, 5) uniforms in [0, 1), one row per copy; copy j's row does not depend on count."""
    rng = np.random.Generator(np.random.PCG64(chip_seed(chip)))
    return rng.random((count, 5))


def jitter_geometry(uniforms: np.ndarray, size: int) -> list[tuple[tuple[int, int, int, int], float, bool]]:
    """((left, top, right, bottom), angle in radians, mirrored) of each copy, as dlib's
    ``jitter_image`` computes them from its five random numbers."""
    left0, top0, right0, bottom0 = 3, 3, size - 4, size - 4  # shrink_rect(get_rect(img), 3)
    width, height = right0 - left0 + 1, bottom0 - top0 + 1
    cx, cy = (left0 + right0 + 1) // 2, (top0 + bottom0 + 1) // 2  # center(rectangle)
    out = []
    for ux, uy, us, ua, uf in uniforms:
        # point(dpoint(...)) rounds with floor(v + 0.5)
        tx = math.floor((-TRANSLATE_AMOUNT + 2 * TRANSLATE_AMOUNT * ux) * width + 0.5)
        ty = math.floor((-TRANSLATE_AMOUNT + 2 * TRANSLATE_AMOUNT * uy) * height + 0.5)
        scale = MIN_OBJECT_HEIGHT + (MAX_OBJECT_HEIGHT - MIN_OBJECT_HEIGHT) * us
        box = int(height / scale)  # const long box_size = rect.height()/rand_scale_perturb
        left, top = cx + tx - box // 2, cy + ty - box // 2  # centered_rect
        angle = (-MAX_ROTATION_DEGREES + 2 * MAX_ROTATION_DEGREES * ua) * math.pi / 180
        out.append(((left, top, left + box - 1, top + box - 1), angle, bool(uf > 0.5)))
    return out


def _chip_coords(
    rect: tuple[float, float, float, float], angle: float, rows: int, cols: int
) -> tuple[np.ndarray, np.ndarray]:
    """Image coordinates (x, y), each (rows, cols), of the chip's pixels: dlib's affine map from
    the chip's corners (0,0), (cols-1,0), (0,rows-1) to the rectangle's corners rotated by
    ``angle`` about its centre (``extract_image_chips``)."""
    left, top, right, bottom = (float(v) for v in rect)
    if ((right - left + 1) / 2) * ((bottom - top + 1) / 2) > rows * cols:
        raise ValueError("the chip is more than 2x smaller than the rectangle; dlib would use an image pyramid")
    cx, cy = (left + right) / 2, (top + bottom) / 2
    cos_a, sin_a = math.cos(angle), math.sin(angle)

    def rotate(x: float, y: float) -> tuple[float, float]:  # rotate_point(center, p, angle)
        dx, dy = x - cx, y - cy
        return cos_a * dx - sin_a * dy + cx, sin_a * dx + cos_a * dy + cy

    (x0, y0), (x1, y1), (x2, y2) = rotate(left, top), rotate(right, top), rotate(left, bottom)
    c = np.arange(cols, dtype=np.float64)[None, :]
    r = np.arange(rows, dtype=np.float64)[:, None]
    sx, sy = max(cols - 1, 1), max(rows - 1, 1)
    return x0 + c * ((x1 - x0) / sx) + r * ((x2 - x0) / sy), y0 + c * ((y1 - y0) / sx) + r * ((y2 - y0) / sy)


def extract_rotated_chip(
    image: np.ndarray, rect: tuple[float, float, float, float], angle: float, rows: int, cols: int
) -> np.ndarray:
    """dlib's ``extract_image_chip(image, chip_details(drectangle(rect), chip_dims(rows, cols),
    angle))`` with bilinear interpolation, for a chip no smaller than half the rectangle (dlib
    uses an image pyramid beyond that; jitter never needs it)."""
    px, py = _chip_coords(rect, angle, rows, cols)
    return _bilinear(image, px, py)


def _bilinear(image: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """dlib's ``interpolate_bilinear`` at points (px, py) of any shape S: (*S, channels) uint8.
    Double arithmetic, truncation to the pixel type, and black (``transform_image``'s
    background) where the 2x2 neighbourhood leaves the image."""
    h, w = image.shape[:2]
    left, top = np.floor(px), np.floor(py)
    inside = (left >= 0) & (top >= 0) & (left + 1 < w) & (top + 1 < h)
    index = np.where(inside, top * w + left, 0).astype(np.intp)
    lr = (px - left)[..., None]
    tb = (py - top)[..., None]
    flat = image.reshape(h * w, -1).astype(np.float64)
    step = inside.astype(np.intp)  # outside: every corner reads pixel 0, then set to black
    tl = np.take(flat, index, axis=0)
    tr = np.take(flat, index + step, axis=0)
    bl = np.take(flat, index + step * w, axis=0)
    br = np.take(flat, index + step * (w + 1), axis=0)
    value = (1 - tb) * ((1 - lr) * tl + lr * tr) + tb * ((1 - lr) * bl + lr * br)
    out = value.astype(np.uint8)  # static_cast<unsigned char>: truncation (values are >= 0)
    out[~inside] = 0
    return out


def jitter_chip(chip: np.ndarray, count: int) -> np.ndarray:
    """(count, N, N, 3) uint8: ``count`` jittered copies of a square (N, N, 3) chip, a pure
    function of the chip's pixels."""
    chip = np.ascontiguousarray(chip, dtype=np.uint8)
    rows, cols = chip.shape[:2]
    if rows != cols:
        raise ValueError("jitter_image needs a square chip")
    geometry = jitter_geometry(jitter_uniforms(chip, count), rows)
    coords = [_chip_coords(rect, angle, rows, cols) for rect, angle, _ in geometry]
    for (px, py), (_, _, mirrored) in zip(coords, geometry):
        if mirrored:  # flip_image_left_right after the extraction
            px[:] = px[:, ::-1].copy()
            py[:] = py[:, ::-1].copy()
    px = np.stack([c[0] for c in coords])
    py = np.stack([c[1] for c in coords])
    return _bilinear(chip, px, py)


__all__ = ["chip_seed", "extract_rotated_chip", "jitter_chip", "jitter_geometry", "jitter_uniforms"]
