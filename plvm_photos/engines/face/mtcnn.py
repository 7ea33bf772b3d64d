"""MTCNN face detection (Zhang et al., 2016) in NumPy, with the weights the ``mtcnn`` package ships.

The face engine's second detector: dlib's HOG detector misses faces turned ~30 degrees or more, and
partly hidden ones; MTCNN's three cascaded nets (P-Net proposals over an image pyramid, R-Net and
O-Net refinement on 24 and 48 px crops) find most of them. The ``mtcnn`` package (MIT) carries the
original nets' weights as Keras-ordered arrays (``assets/weights/{p,r,o}net.lz4``); its own code
needs TensorFlow, so only the weight files are used and the nets run here on NumPy, keeping the
face engine free of any deep-learning framework.
"""

from __future__ import annotations

import importlib.util
import os
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image


class MtcnnUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in the input image's pixels
    score: float  # O-Net's face probability
    landmarks: np.ndarray  # (5, 2) x, y: eyes, nose, mouth corners


def weights_dir() -> Path:
    # Located without importing the package: its __init__ imports TensorFlow.
    spec = importlib.util.find_spec("mtcnn")
    if spec is None or not spec.submodule_search_locations:
        raise MtcnnUnavailable("the mtcnn package (which carries the MTCNN weights) is not installed: pip install mtcnn")
    return Path(spec.submodule_search_locations[0]) / "assets" / "weights"


NETS = ("pnet", "rnet", "onet")


@lru_cache(maxsize=1)
def net_weights() -> dict[str, list[np.ndarray]]:
    """Each net's arrays, float32, in Keras order. The package's files are joblib pickles:
    importing joblib and reading them takes ~0.2 s, paid by every process that detects (each
    ``add-person``, the scan's fork server); the same arrays copied to a plain ``.npz`` in the
    user's cache folder load in a few milliseconds. The copy is named after the size and
    modification time of the files it was made from, as Python's own bytecode cache is."""
    from plvm_photos.user_cache import cache_dir, write_atomically

    sources = [weights_dir() / f"{name}.lz4" for name in NETS]
    stamp = zlib.crc32(repr([(st.st_size, st.st_mtime_ns) for st in map(os.stat, sources)]).encode())
    cached = cache_dir() / f"mtcnn-weights-{stamp:08x}.npz"
    try:
        with np.load(cached, allow_pickle=False) as stored:
            return {name: [stored[f"{name}_{i}"] for i in range(int(stored[f"{name}_count"]))] for name in NETS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # not there yet, or damaged: read from the package and (re)written below
    import joblib

    weights = {name: [np.asarray(a, dtype=np.float32) for a in joblib.load(path)] for name, path in zip(NETS, sources)}
    arrays = {f"{name}_{i}": a for name, layers in weights.items() for i, a in enumerate(layers)}
    arrays.update({f"{name}_count": np.int64(len(layers)) for name, layers in weights.items()})

    def save(temporary: str) -> None:
        with open(temporary, "wb") as out:
            np.savez(out, **arrays)

    try:
        write_atomically(cached, save)
    except OSError:
        pass  # no writable cache: every process reads the package's files
    return weights


# --- layers (NHWC, Keras weight layout) --------------------------------------------------------
def conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """'valid' convolution, stride 1. x: (N, H, W, C); kernel: (kh, kw, C, O).

    A sum of one small matrix product per kernel offset, on shifted views of ``x``: 2-3x faster
    here than building the im2col matrix, whose copies cost more than the products (C and O are
    3..128: the matrices are thin)."""
    kh, kw, c, o = kernel.shape
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.matmul(x[:, :h, :w], kernel[0, 0])
    for i in range(kh):
        for j in range(kw):
            if i or j:
                out += np.matmul(x[:, i:i + h, j:j + w], kernel[i, j])
    out += bias
    return out


def prelu(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    negative = np.minimum(x, 0)
    x -= negative
    negative *= alpha.reshape(-1)
    x += negative
    return x


def max_pool(x: np.ndarray, size: int, stride: int, same: bool) -> np.ndarray:
    """Keras MaxPooling2D: 'same' pads (mostly after) to ceil(n / stride) outputs, 'valid' does not pad."""
    if same and size == stride == 2:
        return _max_pool_2x2_same(x)
    if same:
        pads = []
        for n in x.shape[1:3]:
            total = max((-(-n // stride) - 1) * stride + size - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=-np.inf)
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    if size == stride:  # non-overlapping windows: one reshape
        return x[:, :oh * size, :ow * size].reshape(n, oh, size, ow, size, c).max(axis=(2, 4))
    out = x[:, 0:(oh - 1) * stride + 1:stride, 0:(ow - 1) * stride + 1:stride]
    for i in range(size):
        for j in range(size):
            if i or j:
                out = np.maximum(out, x[:, i:i + (oh - 1) * stride + 1:stride, j:j + (ow - 1) * stride + 1:stride])
    return out


def _max_pool_2x2_same(x: np.ndarray) -> np.ndarray:
    """``max_pool(x, 2, 2, same=True)`` without padding the input: a last odd row or column is its
    own window. P-Net's first layer output is the largest array MTCNN makes; this pass over it is
    ~3x faster than padding it and reducing over two axes."""
    h, w = x.shape[1:3]
    out = x[:, 0::2, 0::2].copy()
    below, right = out[:, :h // 2], out[:, :, :w // 2]
    np.maximum(below, x[:, 1::2, 0::2], out=below)
    np.maximum(right, x[:, 0::2, 1::2], out=right)
    corner = out[:, :h // 2, :w // 2]
    np.maximum(corner, x[:, 1::2, 1::2], out=corner)
    return out


def softmax_face(logits: np.ndarray) -> np.ndarray:
    """P(face) from the two-way softmax (index 1 = face)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e[..., 1] / e.sum(axis=-1)


def dense(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return x @ weight + bias


def flatten_wh(x: np.ndarray) -> np.ndarray:
    """Keras Permute((2, 1, 3)) then Flatten: the dense layers were trained on W, H, C order."""
    return x.transpose(0, 2, 1, 3).reshape(len(x), -1)


def pnet(x: np.ndarray, w: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    x = max_pool(prelu(conv(x, w[0], w[1]), w[2]), 2, 2, same=True)
    x = prelu(conv(x, w[3], w[4]), w[5])
    x = prelu(conv(x, w[6], w[7]), w[8])
    return conv(x, w[9], w[10]), softmax_face(conv(x, w[11], w[12]))


def rnet(x: np.ndarray, w: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    x = max_pool(prelu(conv(x, w[0], w[1]), w[2]), 3, 2, same=True)
    x = max_pool(prelu(conv(x, w[3], w[4]), w[5]), 3, 2, same=False)
    x = prelu(conv(x, w[6], w[7]), w[8])
    x = prelu(dense(flatten_wh(x), w[9], w[10]), w[11])
    return dense(x, w[12], w[13]), softmax_face(dense(x, w[14], w[15]))


def onet(x: np.ndarray, w: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = max_pool(prelu(conv(x, w[0], w[1]), w[2]), 3, 2, same=True)
    x = max_pool(prelu(conv(x, w[3], w[4]), w[5]), 3, 2, same=False)
    x = max_pool(prelu(conv(x, w[6], w[7]), w[8]), 2, 2, same=True)
    x = prelu(conv(x, w[9], w[10]), w[11])
    x = prelu(dense(flatten_wh(x), w[12], w[13]), w[14])
    return dense(x, w[15], w[16]), dense(x, w[17], w[18]), softmax_face(dense(x, w[19], w[20]))


# --- boxes -------------------------------------------------------------------------------------
def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, by_min: bool = False) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression (overlap over the union, or over the smaller box)."""
    order = np.argsort(-scores, kind="stable")
    area = (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0]) + 1, 0)
        h = np.maximum(np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1]) + 1, 0)
        inter = w * h
        denom = np.minimum(area[i], area[rest]) if by_min else area[i] + area[rest] - inter
        order = rest[inter / denom <= threshold]
    return np.asarray(keep, dtype=np.int64)


def regress(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Apply the nets' box regression (offsets in units of the box's width and height)."""
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    return boxes[:, :4] + offsets * np.stack([w, h, w, h], axis=1)


def square(boxes: np.ndarray) -> np.ndarray:
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    x1 = boxes[:, 0] + (w - side) / 2
    y1 = boxes[:, 1] + (h - side) / 2
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1)


def crops(image: Image.Image, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each box cut from the RGB image (black outside it: PIL's ``crop`` pads so), resized to
    size x size and normalised."""
    out = np.zeros((len(boxes), size, size, 3), dtype=np.uint8)
    width, height = image.size
    for n, (x1, y1, x2, y2) in enumerate(np.round(boxes).astype(int).tolist()):
        if x2 - x1 < 1 or y2 - y1 < 1 or x2 < 0 or y2 < 0 or x1 >= width or y1 >= height:
            continue
        out[n] = np.asarray(image.crop((x1, y1, x2 + 1, y2 + 1)).resize((size, size), Image.BILINEAR))
    return normalise(out)


def normalise(pixels: np.ndarray) -> np.ndarray:
    return (pixels.astype(np.float32) - 127.5) / 128.0


@dataclass
class MtcnnDetector:
    min_face: int = 20  # smallest face side searched for, in input pixels
    thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7)
    scale_factor: float = 0.709

    def scales(self, height: int, width: int) -> list[float]:
        scale = 12.0 / self.min_face
        shortest = min(height, width) * scale
        out = []
        while shortest >= 12:
            out.append(scale)
            scale *= self.scale_factor
            shortest *= self.scale_factor
        return out

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        """Faces in an RGB uint8 image (H, W, 3), best first."""
        from plvm_photos.engines.face.blas import one_blas_thread

        with one_blas_thread():
            return self._detect(pixels)

    def _detect(self, pixels: np.ndarray) -> list[Detection]:
        w = net_weights()
        height, width = pixels.shape[:2]
        image = Image.fromarray(pixels)
        boxes = self._propose(image, w["pnet"])
        if not len(boxes):
            return []
        offsets, p_face = rnet(crops(image, boxes, 24), w["rnet"])
        keep = p_face > self.thresholds[1]
        boxes, offsets, p_face = boxes[keep], offsets[keep], p_face[keep]
        keep = nms(boxes, p_face, 0.7)
        boxes = square(regress(boxes[keep], offsets[keep]))
        if not len(boxes):
            return []
        offsets, marks, p_face = onet(crops(image, boxes, 48), w["onet"])
        keep = p_face > self.thresholds[2]
        boxes, offsets, marks, p_face = boxes[keep], offsets[keep], marks[keep], p_face[keep]
        bw = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
        bh = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
        xs = boxes[:, :1] + bw * marks[:, :5] - 1
        ys = boxes[:, 1:2] + bh * marks[:, 5:] - 1
        boxes = regress(boxes, offsets)
        keep = nms(boxes, p_face, 0.7, by_min=True)
        result = []
        for i in keep:
            x1, y1, x2, y2 = boxes[i]
            box = (max(0.0, float(x1)), max(0.0, float(y1)), min(float(width), float(x2)), min(float(height), float(y2)))
            result.append(Detection(box, float(p_face[i]), np.stack([xs[i], ys[i]], axis=1)))
        return result

    def _propose(self, image: Image.Image, w: list[np.ndarray]) -> np.ndarray:
        """P-Net over the image pyramid: candidate squares (x1, y1, x2, y2) in input pixels."""
        width, height = image.size
        level = image
        found, found_scores = [], []
        for scale in self.scales(height, width):
            size = (max(1, int(np.ceil(width * scale))), max(1, int(np.ceil(height * scale))))
            level = level.resize(size, Image.BILINEAR)  # from the previous level: 6x cheaper than from the photo
            scaled = normalise(np.asarray(level))[None]
            offsets, p_face = pnet(scaled, w)
            ys, xs = np.nonzero(p_face[0] > self.thresholds[0])
            if not len(ys):
                continue
            cells = np.stack([xs * 2, ys * 2, xs * 2 + 11, ys * 2 + 11], axis=1).astype(np.float32)
            boxes = (cells + np.array([1, 1, 1, 1], dtype=np.float32)) / scale - 1  # cell -> input pixels
            boxes = regress(boxes, offsets[0, ys, xs])
            scores = p_face[0, ys, xs]
            keep = nms(boxes, scores, 0.5)
            found.append(boxes[keep])
            found_scores.append(scores[keep])
        if not found:
            return np.empty((0, 4), dtype=np.float32)
        boxes, scores = np.concatenate(found), np.concatenate(found_scores)
        keep = nms(boxes, scores, 0.7)
        return square(boxes[keep])
