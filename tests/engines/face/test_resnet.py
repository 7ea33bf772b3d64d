"""The numpy reimplementation of dlib's face descriptor network (``engines/face/resnet.py``).

Equality with dlib's own ``compute_face_descriptor`` (max |ours - dlib| < 1e-4 per component,
no jitter) on packaged photos (anywhere) and on a handful of the library's photos
(../shared/data), the reader of dlib's ``.dat`` format, and the seeded jitter: dlib's geometry,
bit-identical results across calls and processes, and a jittered mean as far from the plain
descriptor as dlib's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import dlib
import numpy as np
import pytest

from plvm_photos.engines.face.dlib_format import face_resnet_layers, load_face_resnet
from plvm_photos.engines.face.engine import dlib_models, dlib_descriptor_model
from plvm_photos.engines.face.jitter import (
    extract_rotated_chip,
    jitter_chip,
    jitter_geometry,
    jitter_uniforms,
)
from plvm_photos.engines.face.resnet import (
    ResNetDescriptor,
    default_model_path,
    face_chips,
)
from plvm_photos.imaging import decode

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def net() -> ResNetDescriptor:
    return ResNetDescriptor.load()


def _dlib_descriptors(pixels: np.ndarray, shapes, jitters: int = 0) -> np.ndarray:
    describer = dlib_descriptor_model()
    return np.array([describer.compute_face_descriptor(pixels, s, jitters) for s in shapes], dtype=np.float32)


def _faces(pixels: np.ndarray, upsample: int = 1) -> list:
    detector, shaper = dlib_models()
    return [shaper(pixels, r) for r in detector(pixels, upsample)]


@pytest.fixture(scope="module")
def packaged_faces() -> list[tuple[np.ndarray, list]]:
    """(pixels, 5-point shapes) of the packaged public-domain portraits (astronaut, Grace Hopper)."""
    from plvm_photos.demo.photos import _astronaut, _hopper

    out = []
    for picture in (_astronaut(), _hopper()):
        pixels = np.ascontiguousarray(np.asarray(picture))
        shapes = _faces(pixels)
        assert len(shapes) == 1
        out.append((pixels, shapes))
    return out


# --- the .dat reader -----------------------------------------------------------------------------
def test_reader_reads_the_whole_shipped_file_quickly():
    start = time.perf_counter()
    layers = load_face_resnet(default_model_path())  # raises unless every byte is accounted for
    seconds = time.perf_counter() - start
    assert seconds < 1.0
    kinds = [layer.kind for layer in layers]
    assert [k for k in kinds if k in ("con", "affine", "relu", "fc")].count("con") == 29
    assert kinds.count("affine") == 29 and kinds.count("add_prev") == 14 and kinds.count("avg_pool") == 5
    assert [layer.kind for layer in face_resnet_layers()] == kinds
    assert layers[-1].params["mean_rgb"] == pytest.approx((122.782, 117.001, 104.298), abs=1e-4)
    stem = layers[-2]
    assert stem.params["weight"].shape == (32, 3, 7, 7) and stem.params["weight"].dtype == np.float32
    assert layers[1].params["weight"].shape == (256, 128)  # fc_no_bias 128
    assert layers[0].params["margin"] == pytest.approx(0.04)


# --- equality with dlib ---------------------------------------------------------------------------
def test_generated_chips_match_dlib(net):
    """Any 150x150 chip (here noise and a smooth gradient) through dlib's aligned-chip overload."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(0, 255, 150)
    chips = np.stack(
        [
            rng.integers(0, 256, (150, 150, 3), dtype=np.uint8),
            np.stack([ramp[None, :].repeat(150, 0), ramp[:, None].repeat(150, 1), 255 - ramp[None, :].repeat(150, 0)], axis=2).astype(np.uint8),
        ]
    )
    describer = dlib_descriptor_model()
    theirs = np.array([describer.compute_face_descriptor(c, 0) for c in chips], dtype=np.float32)
    ours = net.describe(chips)
    assert ours.shape == (2, 128) and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < TOLERANCE


def test_packaged_faces_match_dlib(net, packaged_faces):
    for pixels, shapes in packaged_faces:
        chips = face_chips(pixels, shapes)
        assert chips.shape == (len(shapes), 150, 150, 3) and chips.dtype == np.uint8
        theirs = _dlib_descriptors(pixels, shapes)
        # the chip is exactly what dlib describes: its aligned-chip overload gives the same bits
        describer = dlib_descriptor_model()
        assert np.array_equal(theirs, np.array([describer.compute_face_descriptor(c, 0) for c in chips], dtype=np.float32))
        ours = net.describe(chips)
        assert np.abs(ours - theirs).max() < TOLERANCE
        # not L2-normalised, as dlib's loss_metric leaves it
        assert 1.0 < float(np.linalg.norm(ours[0])) < 2.0


LIBRARY_PHOTOS = 6  # spread over the manifest: single portraits and group photos


def test_library_faces_match_dlib(net, library_data, manifest):
    images = manifest["images"]
    group = [im for im in images if im["kind"] == "group"][:2]
    singles = [images[i] for i in range(0, len(images), len(images) // (LIBRARY_PHOTOS - len(group)))][: LIBRARY_PHOTOS - len(group)]
    chips, theirs, worst = [], [], []
    for image in singles + group:
        # the engine decodes to 1024 px; 640 keeps HOG (the test's main cost) at ~0.3 s a photo
        pixels = decode(library_data / image["path"], max_side=640).pixels
        shapes = _faces(pixels)
        if not shapes:
            continue
        found = face_chips(pixels, shapes)
        expected = _dlib_descriptors(pixels, shapes)
        worst.append(float(np.abs(net.describe(found) - expected).max()))
        chips.append(found)
        theirs.append(expected)
    assert sum(len(c) for c in chips) >= 8, "too few faces found in the chosen photos"
    # one batch across photos as well as photo by photo
    batched = net.describe(np.concatenate(chips))
    assert np.abs(batched - np.concatenate(theirs)).max() < TOLERANCE
    assert max(worst) < TOLERANCE


def test_face_chips_and_describe_edge_cases(net, packaged_faces):
    pixels, shapes = packaged_faces[0]
    assert face_chips(pixels, []).shape == (0, 150, 150, 3)
    assert net.describe(np.zeros((0, 150, 150, 3), np.uint8)).shape == (0, 128)
    chip = face_chips(pixels, shapes)
    assert np.array_equal(net.describe(chip, jitters=1), net.describe(chip, jitters=0))  # dlib: <= 1 is none
    with pytest.raises(ValueError):
        net.describe(chip.astype(np.float32))
    with pytest.raises(ValueError):
        net.describe(np.zeros((1, 100, 100, 3), np.uint8))
    assert ResNetDescriptor.load() is net  # parsed once per process


# --- jitter ----------------------------------------------------------------------------------------
def test_jitter_geometry_is_dlibs(packaged_faces):
    """Each jittered copy equals dlib's own extract_image_chip of the same rotated crop, mirrored
    as dlib mirrors it (up to rare off-by-one levels where dlib's pinv rounds differently)."""
    pixels, shapes = packaged_faces[1]
    chip = face_chips(pixels, shapes)[0]
    uniforms = jitter_uniforms(chip, 12)
    geometry = jitter_geometry(uniforms, 150)
    copies = jitter_chip(chip, 12)
    assert {mirrored for _, _, mirrored in geometry} == {False, True}
    for (rect, angle, mirrored), copy in zip(geometry, copies):
        left, top, right, bottom = rect
        assert 144 <= right - left + 1 <= 148 and right - left == bottom - top
        assert abs((left + right + 1) // 2 - 75) <= 3 and abs((top + bottom + 1) // 2 - 75) <= 3
        assert abs(angle) <= np.radians(3)
        details = dlib.chip_details(dlib.drectangle(*rect), dlib.chip_dims(150, 150), angle)
        theirs = np.asarray(dlib.extract_image_chip(chip, details))
        if mirrored:
            theirs = theirs[:, ::-1]
        diff = np.abs(copy.astype(int) - theirs.astype(int))
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-4
        crop = extract_rotated_chip(chip, rect, angle, 150, 150)
        assert np.array_equal(crop[:, ::-1] if mirrored else crop, copy)
    # copy j does not depend on how many copies are drawn
    assert np.array_equal(jitter_chip(chip, 5), copies[:5])


_CHILD = """
import sys, numpy as np
from plvm_photos.engines.face.resnet import ResNetDescriptor
chips = np.load(sys.argv[1])
net = ResNetDescriptor.load()
net.describe(chips[::-1], jitters=3)  # a different history before the descriptor that counts
sys.stdout.write(net.describe(chips[:1], jitters=10).tobytes().hex())
"""


def test_jittered_descriptor_is_a_pure_function_of_the_pixels(net, packaged_faces, tmp_path):
    chips = np.concatenate([face_chips(pixels, shapes) for pixels, shapes in packaged_faces])
    first = net.describe(chips[:1], jitters=10)
    net.describe(chips[1:], jitters=4)
    again = net.describe(chips, jitters=10)  # with another chip in the call, after other calls
    assert first.shape == (1, 128) and first.dtype == np.float32
    assert np.array_equal(first[0], again[0])
    assert not np.array_equal(again[0], again[1])
    np.save(tmp_path / "chips.npy", chips)
    # a fresh process, with another BLAS thread count and another history
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    child = [sys.executable, "-c", _CHILD, str(tmp_path / "chips.npy")]
    out = subprocess.run(child, capture_output=True, text=True, env=env, check=True, timeout=120)
    assert bytes.fromhex(out.stdout) == first.tobytes()


def test_jittered_mean_is_as_close_to_the_plain_descriptor_as_dlibs(net, packaged_faces):
    """dlib's jittered copies are zoomed in 1-4 %, so their mean sits ~0.1 from the plain
    descriptor (0.12 median over the library's faces, for dlib and for us alike)."""
    for pixels, shapes in packaged_faces:
        chips = face_chips(pixels, shapes)
        plain = net.describe(chips)[0]
        ours = net.describe(chips, jitters=10)[0]
        theirs = _dlib_descriptors(pixels, shapes, jitters=10)[0]
        ours_distance = float(np.linalg.norm(ours - plain))
        dlib_distance = float(np.linalg.norm(theirs - plain))
        assert 0.03 < ours_distance < 0.25 and 0.03 < dlib_distance < 0.25
        assert abs(ours_distance - dlib_distance) < 0.08
        assert float(np.linalg.norm(ours - theirs)) < 0.15  # two draws of the same jitter
