"""How the face engine's two detectors frame a face: MTCNN's box (forehead to chin) and the
square HOG box dlib's 5-point shape model was trained on, each made from the other."""

from __future__ import annotations

# An MTCNN box (forehead to chin) as the square HOG box the 5-point shape model was trained on:
# medians over the 343 faces both detectors found in ../shared/data (IQR ~0.1 of the box).
_HOG_SIDE_PER_WIDTH = 1.10
_HOG_SIDE_PER_HEIGHT = 0.817
_HOG_CENTRE_DROP = 0.071  # HOG's centre sits this fraction of the MTCNN height lower
NEW_FACE_MAX_IOU = 0.3  # a face of the second detector overlapping a first one more is the same face


def hog_like_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    side = (_HOG_SIDE_PER_WIDTH * w + _HOG_SIDE_PER_HEIGHT * h) / 2
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 + _HOG_CENTRE_DROP * h
    return round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)


def mtcnn_like_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The square MTCNN-framed box that ``hog_like_box`` turns into this (HOG-framed) box."""
    x1, y1, x2, y2 = (float(v) for v in box)
    side = (x2 - x1) / ((_HOG_SIDE_PER_WIDTH + _HOG_SIDE_PER_HEIGHT) / 2)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 - _HOG_CENTRE_DROP * side
    return cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2


