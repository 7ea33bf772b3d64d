"""A reader for dlib's serialised DNN files, as ``dlib::deserialize(file) >> net`` reads them.

Only what ``dlib_face_recognition_resnet_model_v1.dat`` holds is supported: the ``anet_type`` of
dlib's ``examples/dnn_face_recognition_ex.cpp`` (also ``tools/python/src/face_recognition.cpp``).
Everything here follows dlib 20.0.1's sources:

* ``dlib/serialize.h``: integers are one control byte (low nibble: byte count; bit 0x80: the
  sign, for signed types) and then that many little-endian bytes; ``bool`` is the ASCII byte
  '0' or '1'; ``std::string`` is its length (an unsigned integer) and then its bytes; float and
  double are dlib's portable ``float_details``: a signed 64-bit mantissa and a signed 16-bit
  exponent, each as an integer above, worth ``mantissa * 2**exponent`` (exponents 32000-32002
  mean +inf, -inf and NaN).
* ``dlib/cuda/tensor.h``: a tensor is ``int`` version 2, four ``long long`` sizes (num_samples,
  k, nr, nc) and then raw little-endian IEEE float32 values; an ``alias_tensor`` is ``int``
  version 1 and the four sizes only.
* ``dlib/dnn/core.h``: ``add_loss_layer`` writes its version, the loss, then the network;
  ``add_layer`` writes its version, then *its sub-network*, then its layer, then bookkeeping
  (three bools, ``x_grad``, ``cached_output`` and, from version 2, ``params_grad``); the
  innermost ``add_layer`` (the one over the input layer) writes version 2/3, the input layer,
  its layer, three bools, ``x_grad``, ``cached_output``, ``grad_final`` and, from version 3,
  ``_sample_expansion_factor``; tag and skip layers write a version and their sub-network. So
  the file starts with the loss and a run of version numbers, outermost layer first, and the
  layers themselves follow innermost (the input) first.
* ``dlib/dnn/layers.h``, ``input.h``, ``loss.h``: each layer's ``serialize``.

The reader is driven by the network's definition (``face_resnet_layers``, a transcription of the
C++ templates) and checks every layer name, shape, stride and padding it reads against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class DlibFormatError(ValueError):
    pass


@dataclass
class Layer:
    """One layer of a dlib network; ``kind`` is one of input, con, affine, relu, max_pool,
    avg_pool, fc, tag, skip, add_prev, loss_metric."""

    kind: str
    args: dict = field(default_factory=dict)  # what the C++ type fixes (filters, sizes, tag id)
    params: dict = field(default_factory=dict)  # what the file holds (numpy arrays, numbers)


# --- the network, as dlib's C++ templates define it (outermost layer first) ----------------------
def _con(n: int, k: int, stride: int) -> Layer:
    # con_'s default padding: stride != 1 ? 0 : k/2
    pad = 0 if stride != 1 else k // 2
    return Layer("con", {"filters": n, "nr": k, "nc": k, "stride": stride, "padding": pad})


def _block(n: int, stride: int, sub: list[Layer]) -> list[Layer]:
    # block<N,BN,stride,SUBNET> = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>
    return [Layer("affine"), _con(n, 3, 1), Layer("relu"), Layer("affine"), _con(n, 3, stride)] + sub


def _ares(n: int, sub: list[Layer]) -> list[Layer]:
    # relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>
    return [Layer("relu"), Layer("add_prev", {"tag": 1})] + _block(n, 1, [Layer("tag", {"tag": 1})] + sub)


def _ares_down(n: int, sub: list[Layer]) -> list[Layer]:
    # relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>
    pool = Layer("avg_pool", {"nr": 2, "nc": 2, "stride": 2, "padding": 0})
    return [
        Layer("relu"),
        Layer("add_prev", {"tag": 2}),
        pool,
        Layer("skip", {"tag": 1}),
        Layer("tag", {"tag": 2}),
    ] + _block(n, 2, [Layer("tag", {"tag": 1})] + sub)


def face_resnet_layers() -> list[Layer]:
    """dlib's ``anet_type`` for face recognition, outermost (the loss) first."""
    stem = [
        Layer("max_pool", {"nr": 3, "nc": 3, "stride": 2, "padding": 0}),
        Layer("relu"),
        Layer("affine"),
        _con(32, 7, 2),
        Layer("input", {"nr": 150, "nc": 150}),
    ]
    net = _ares(32, _ares(32, _ares(32, stem)))  # alevel4
    net = _ares(64, _ares(64, _ares(64, _ares_down(64, net))))  # alevel3
    net = _ares(128, _ares(128, _ares_down(128, net)))  # alevel2
    net = _ares(256, _ares(256, _ares_down(256, net)))  # alevel1
    net = _ares_down(256, net)  # alevel0
    head = [
        Layer("loss_metric"),
        Layer("fc", {"outputs": 128, "bias": False}),
        Layer("avg_pool", {"nr": 0, "nc": 0, "stride": 1, "padding": 0}),  # avg_pool_everything
    ]
    return head + net


# --- the primitive encodings of dlib/serialize.h ---------------------------------------------------
class _Reader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.pos = 0

    def _take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise DlibFormatError(f"unexpected end of file at byte {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def int(self) -> int:
        """A signed integer (``ser_helper::unpack_int`` for signed types)."""
        ctrl = self._take(1)[0]
        size = ctrl & 0x0F
        if not 1 <= size <= 8:
            raise DlibFormatError(f"bad integer control byte {ctrl:#x} at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if ctrl & 0x80 else value

    def uint(self) -> int:
        """An unsigned integer (the 3 reserved bits 0x70 are masked out, as dlib does)."""
        ctrl = self._take(1)[0]
        size = ctrl & 0x8F
        if not 1 <= size <= 8:
            raise DlibFormatError(f"bad unsigned control byte {ctrl:#x} at byte {self.pos - 1}")
        return int.from_bytes(self._take(size), "little")

    def float(self) -> float:
        """float/double as ``float_details`` (the older ASCII format is not supported)."""
        if self.data[self.pos] & 0x70:
            raise DlibFormatError(f"ASCII-encoded float at byte {self.pos} (pre-2013 dlib format) is not supported")
        mantissa = self.int()
        exponent = self.int()
        if exponent == 32000:
            return math.inf
        if exponent == 32001:
            return -math.inf
        if exponent == 32002:
            return math.nan
        return math.ldexp(float(mantissa), exponent)

    def bool(self) -> bool:
        ch = self._take(1)[0]
        if ch not in (0x30, 0x31):
            raise DlibFormatError(f"bad bool byte {ch:#x} at byte {self.pos - 1}")
        return ch == 0x31

    def string(self) -> str:
        n = self.uint()
        return bytes(self._take(n)).decode("latin-1")

    def tensor(self) -> np.ndarray:
        if (version := self.int()) != 2:
            raise DlibFormatError(f"tensor version {version} at byte {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        count = math.prod(shape)
        raw = self._take(4 * count)
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)

    def alias_tensor(self) -> tuple[int, int, int, int]:
        if (version := self.int()) != 1:
            raise DlibFormatError(f"alias_tensor version {version} at byte {self.pos}")
        return tuple(self.int() for _ in range(4))

    def expect(self, what: str, *names: str) -> str:
        name = self.string()
        if name not in names:
            raise DlibFormatError(f"expected {what} ({' or '.join(names)}), found {name!r} at byte {self.pos}")
        return name


def _check(layer: Layer, key: str, found, wanted) -> None:
    if found != wanted:
        raise DlibFormatError(f"{layer.kind}: {key} is {found} in the file, the network wants {wanted}")


def _split(params: np.ndarray, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    flat = params.reshape(-1)
    out, start = [], 0
    for shape in shapes:
        n = math.prod(shape)
        out.append(flat[start : start + n].reshape(shape))
        start += n
    if start != flat.size:
        raise DlibFormatError(f"parameter tensor holds {flat.size} values, the layer uses {start}")
    return out


# --- layer details (each layer type's serialize in dlib/dnn) ----------------------------------------
def _read_input(r: _Reader, layer: Layer) -> None:
    name = r.expect("input layer", "input_rgb_image_sized", "input_rgb_image")
    layer.params["mean_rgb"] = (r.float(), r.float(), r.float())  # avg_red, avg_green, avg_blue
    if name == "input_rgb_image_sized":
        _check(layer, "rows", r.uint(), layer.args["nr"])
        _check(layer, "columns", r.uint(), layer.args["nc"])


def _check_window(r: _Reader, layer: Layer) -> None:
    """A convolution's or pooling's window as serialised: rows, columns, strides, paddings."""
    a = layer.args
    for what, expected in (("nr", a["nr"]), ("nc", a["nc"]), ("stride_y", a["stride"]), ("stride_x", a["stride"]),
                            ("padding_y", a["padding"]), ("padding_x", a["padding"])):
        _check(layer, what, r.int(), expected)


def _read_con(r: _Reader, layer: Layer) -> None:
    version = r.expect("con_", "con_4", "con_5", "con_6")
    params = r.tensor()
    a = layer.args
    _check(layer, "num_filters", r.int(), a["filters"])
    _check_window(r, layer)
    filters = r.alias_tensor()  # (num_filters, k, nr, nc)
    r.alias_tensor()  # biases: (1, num_filters, 1, 1), after the filters in params
    for _ in range(4):  # learning-rate and weight-decay multipliers
        r.float()
    use_bias = r.bool() if version in ("con_5", "con_6") else True
    use_relu = r.bool() if version == "con_6" else False
    if use_relu:
        raise DlibFormatError("con_ with a fused relu is not supported")
    _check(layer, "filter shape", filters[0], a["filters"])
    if use_bias:
        w, b = _split(params, filters, (a["filters"],))
    else:
        (w,) = _split(params, filters)
        b = np.zeros(a["filters"], np.float32)
    layer.params.update(weight=w, bias=b)  # weight: (filters, channels, nr, nc), a correlation


def _read_affine(r: _Reader, layer: Layer) -> None:
    version = r.expect("affine_ or bn_con2", "affine_", "affine_2", "bn_con2")
    if version == "bn_con2":  # affine_'s deserialize converts a batch-norm layer in place
        params = r.tensor()
        gamma_shape, beta_shape = r.alias_tensor(), r.alias_tensor()
        for _ in range(2):  # means, invstds (of the last training batch)
            r.tensor()
        running_means, running_variances = r.tensor(), r.tensor()
        r.uint()  # num_updates
        r.uint()  # running_stats_window_size
        for _ in range(4):
            r.float()
        eps = np.float32(r.float())
        g, b = _split(params, gamma_shape, beta_shape)
        scale = (g.reshape(-1) / np.sqrt(running_variances.reshape(-1) + eps)).astype(np.float32)
        layer.params.update(gamma=scale, beta=(b.reshape(-1) - scale * running_means.reshape(-1)).astype(np.float32))
        return
    params = r.tensor()
    gamma_shape, beta_shape = r.alias_tensor(), r.alias_tensor()
    mode = r.int()
    disabled = r.bool() if version == "affine_2" else False
    if mode != 0:
        raise DlibFormatError(f"affine_ in mode {mode}; the network's affine layers are per channel (CONV_MODE)")
    if disabled:
        raise DlibFormatError("disabled affine_ layers are not supported")
    g, b = _split(params, gamma_shape, beta_shape)
    layer.params.update(gamma=g.reshape(-1), beta=b.reshape(-1))  # y = x * gamma[k] + beta[k]


def _read_relu(r: _Reader, layer: Layer) -> None:
    if r.expect("relu_", "relu_", "relu_2") == "relu_2" and r.bool():
        raise DlibFormatError("disabled relu_ layers are not supported")


def _read_pool(name: str):
    def read(r: _Reader, layer: Layer) -> None:
        r.expect(name, name)
        _check_window(r, layer)

    return read


def _read_add_prev(r: _Reader, layer: Layer) -> None:
    r.expect("add_prev_", "add_prev_")


def _read_fc(r: _Reader, layer: Layer) -> None:
    version = r.expect("fc_", "fc_2", "fc_3")
    _check(layer, "num_outputs", r.uint(), layer.args["outputs"])
    num_inputs = r.uint()
    params = r.tensor()
    weights = r.alias_tensor()
    r.alias_tensor()  # biases (none: FC_NO_BIAS)
    _check(layer, "bias mode", r.int(), 1)  # FC_NO_BIAS
    for _ in range(4):
        r.float()
    if version == "fc_3":
        r.bool()  # use_bias
    _check(layer, "weights", weights[:2], (num_inputs, layer.args["outputs"]))
    (w,) = _split(params, weights)
    layer.params["weight"] = w.reshape(num_inputs, layer.args["outputs"])  # y = x @ weight


def _read_loss_metric(r: _Reader, layer: Layer) -> None:
    if r.expect("loss_metric_", "loss_metric_", "loss_metric_2") == "loss_metric_2":
        layer.params["margin"] = r.float()
        layer.params["distance_threshold"] = r.float()


_DETAILS = {
    "con": _read_con,
    "affine": _read_affine,
    "relu": _read_relu,
    "max_pool": _read_pool("max_pool_2"),
    "avg_pool": _read_pool("avg_pool_2"),
    "add_prev": _read_add_prev,
    "fc": _read_fc,
}


def _read_bookkeeping(r: _Reader, version: int, innermost: bool) -> None:
    for _ in range(3):  # this_layer_setup_called, gradient_input_is_stale, ..._disabled
        r.bool()
    r.tensor()  # x_grad
    r.tensor()  # cached_output
    if innermost:
        r.tensor()  # grad_final
        if version >= 3:
            r.uint()  # _sample_expansion_factor
    elif version >= 2:
        r.tensor()  # params_grad


def read_network(data: bytes, layers: list[Layer]) -> list[Layer]:
    """Fill ``layers`` (outermost first, as ``face_resnet_layers`` gives them) from the bytes of
    a dlib network file; returns them."""
    r = _Reader(data)
    loss, body = layers[0], layers[1:]
    if loss.kind != "loss_metric" or body[-1].kind != "input" or body[-2].kind not in _DETAILS:
        raise DlibFormatError("the network must be a loss_metric over layers over an input layer")
    if (version := r.int()) != 1:
        raise DlibFormatError(f"add_loss_layer version {version}")
    _read_loss_metric(r, loss)
    wrappers, innermost, input_layer = body[:-2], body[-2], body[-1]
    versions = []
    for layer in wrappers:  # the run of versions, outermost first
        version = r.int()
        allowed = (1, 2) if layer.kind in _DETAILS else (1,)
        if version not in allowed:
            raise DlibFormatError(f"{layer.kind}: version {version} at byte {r.pos}")
        versions.append(version)
    version = r.int()
    if version not in (2, 3):
        raise DlibFormatError(f"innermost add_layer version {version}")
    _read_input(r, input_layer)
    _DETAILS[innermost.kind](r, innermost)
    _read_bookkeeping(r, version, innermost=True)
    for layer, version in zip(reversed(wrappers), reversed(versions)):
        if layer.kind in _DETAILS:
            _DETAILS[layer.kind](r, layer)
            _read_bookkeeping(r, version, innermost=False)
    if r.pos != len(r.data):
        raise DlibFormatError(f"{len(r.data) - r.pos} bytes left after the network")
    return layers


def load_face_resnet(path: str | Path) -> list[Layer]:
    """The layers (outermost first) of ``dlib_face_recognition_resnet_model_v1.dat``."""
    return read_network(Path(path).read_bytes(), face_resnet_layers())


__all__ = ["DlibFormatError", "Layer", "face_resnet_layers", "load_face_resnet", "read_network"]
