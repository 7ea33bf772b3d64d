"""The NumPy MTCNN and how the face engine uses it beside HOG."""

import numpy as np
import pytest
from PIL import Image

from plvm_photos.engines.face import mtcnn
from plvm_photos.engines.face.entry import face_config
from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngineConfig, hog_like_box, iou
from plvm_model.evaluation import ConceptImage

from plvm_photos.evaluation.engine_bench import LibraryBench
from plvm_photos.imaging import from_pil


def _naive_conv(x, kernel, bias):
    kh, kw, _, o = kernel.shape
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, o), dtype=np.float64)
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            out[:, i, j] = np.einsum("nabc,abco->no", x[:, i:i + kh, j:j + kw], kernel)
    return out + bias


def test_conv_matches_a_direct_loop():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7, 9, 3)).astype(np.float32)
    for shape in [(3, 3, 3, 5), (2, 2, 3, 4), (1, 1, 3, 2)]:
        kernel = rng.normal(size=shape).astype(np.float32)
        bias = rng.normal(size=shape[-1]).astype(np.float32)
        np.testing.assert_allclose(mtcnn.conv(x, kernel, bias), _naive_conv(x, kernel, bias), rtol=1e-4, atol=1e-4)


def test_max_pool_same_and_valid_follow_keras():
    x = np.arange(1 * 5 * 5 * 1, dtype=np.float32).reshape(1, 5, 5, 1)
    # 'same', 2x2 stride 2 on 5 -> 3 outputs, the last window cut by the border
    same = mtcnn.max_pool(x, 2, 2, same=True)[0, :, :, 0]
    assert same.tolist() == [[6, 8, 9], [16, 18, 19], [21, 23, 24]]
    # 'valid', 3x3 stride 2 on 5 -> 2 outputs
    valid = mtcnn.max_pool(x, 3, 2, same=False)[0, :, :, 0]
    assert valid.tolist() == [[12, 14], [22, 24]]
    # 'same', 3x3 stride 2 on 5 -> 3 outputs, padded by one on each side
    assert mtcnn.max_pool(x, 3, 2, same=True)[0, :, :, 0].tolist() == [[6, 8, 9], [16, 18, 19], [21, 23, 24]]


@pytest.mark.parametrize("shape", [(1, 7, 9, 10), (1, 8, 8, 3), (2, 5, 4, 2), (1, 1, 1, 1), (1, 2, 3, 1)])
def test_max_pool_2x2_same_is_the_max_of_each_window_cut_by_the_border(shape):
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32) - 5
    _, h, w, _ = shape
    expected = np.stack([np.stack([x[:, i:i + 2, j:j + 2].max(axis=(1, 2)) for j in range(0, w, 2)], axis=1)
                         for i in range(0, h, 2)], axis=1)
    assert np.array_equal(mtcnn.max_pool(x, 2, 2, same=True), expected)


def test_prelu_and_nms():
    x = np.array([[-2.0, 3.0]], dtype=np.float32)
    assert mtcnn.prelu(x.copy(), np.array([0.5, 0.5], dtype=np.float32)).tolist() == [[-1.0, 3.0]]
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    kept = mtcnn.nms(boxes, np.array([0.9, 0.95, 0.5]), 0.5)
    assert kept.tolist() == [1, 2]


def test_finds_the_faces_hog_finds_on_real_photos(library_data):
    """Both detectors agree where both find a face: MTCNN boxes, made HOG-like, overlap HOG's."""
    engine = FaceAnalyzer(FaceEngineConfig(second_detector=False))
    photos = [library_data / "barack_obama" / "ref.jpg", library_data / "angelina_jolie" / "ref.jpg",
              *sorted((library_data / "_group" / "test").iterdir())[:3]]
    matched = 0
    for path in photos:
        image = from_pil(Image.open(path), 1024)
        hog = engine._hog_boxes(image.pixels, 1)
        found = mtcnn.MtcnnDetector(min_face=40).detect(image.pixels)
        assert all(0.0 <= d.score <= 1.0 and d.landmarks.shape == (5, 2) for d in found)
        for box, _ in hog:
            best = max((iou(box, hog_like_box(d.box)) for d in found), default=0.0)
            matched += best >= 0.5
    assert matched >= 5


def test_second_detector_finds_a_turned_face_and_it_is_recognised(bench_data):
    """Andrew sits turned towards the camera in a 9-face dinner photo: HOG misses him, MTCNN does not."""
    photo = Image.open(bench_data / "Andrew" / "query_img4.jpg")
    hog_only = LibraryBench({"face.second_detector": "off"})
    both = LibraryBench()
    try:
        for engine in (hog_only, both):
            engine.register(ANDREW(bench_data))
        assert hog_only.recognize(photo, [ANDREW(bench_data)])[0] < 0.5
        decision = both.decide(photo)
        assert decision.scores["andrew"] > 0.5
        added = [r for r in decision.analysis.regions if r.score <= 0]  # MTCNN's faces score p - 1
        assert decision.boxes["andrew"] in [r.box for r in added]
        assert len(decision.analysis.regions) > len(hog_only.decide(photo).analysis.regions)
    finally:
        hog_only.close()
        both.close()


def ANDREW(bench_data) -> ConceptImage:
    return ConceptImage("<Andrew>", bench_data / "Andrew" / "ref_img.jpg")


def test_missing_weights_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(mtcnn.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(mtcnn.MtcnnUnavailable, match="pip install mtcnn"):
        mtcnn.weights_dir()


def test_the_library_setting_turns_the_second_detector_off_for_scans(tmp_path, bench_data):
    import shutil

    from plvm_photos.library import Library

    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(bench_data / "Andrew" / "query_img4.jpg", folder / "dinner.jpg")
    faces = {}
    for setting in ("on", "off"):
        with Library(tmp_path / f"lib-{setting}") as library:
            library.settings.set("face.second_detector", setting)
            assert face_config(library.settings.all()).second_detector is (setting == "on")
            library.add_person("andrew", [bench_data / "Andrew" / "ref_img.jpg"])
            faces[setting] = library.scan([folder], workers=1, progress=False).faces
            present = [v["person"] for v in library.verdicts() if v["present"]]
            assert present == (["andrew"] if setting == "on" else [])
    assert faces["on"] > faces["off"] == 9  # HOG alone finds the nine faces facing the camera


def _weights_in_fresh_process(cache_home, out):
    import os
    import subprocess
    import sys

    script = ("import sys, numpy as np\n"
              "from plvm_photos.engines.face import mtcnn\n"
              "w = mtcnn.net_weights()\n"
              "np.savez(sys.argv[1], **{f'{k}_{i}': a for k, v in w.items() for i, a in enumerate(v)})\n"
              "print('joblib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script, str(out)], env={**os.environ, "XDG_CACHE_HOME": str(cache_home)},
                          capture_output=True, text=True, check=True)
    with np.load(out) as saved:
        return {k: saved[k] for k in saved.files}, done.stdout.strip() == "True"


def _package_weights():
    import joblib

    return {f"{name}_{i}": np.asarray(a, dtype=np.float32) for name in mtcnn.NETS
            for i, a in enumerate(joblib.load(mtcnn.weights_dir() / f"{name}.lz4"))}


def test_weights_are_kept_in_the_cache_folder_and_read_back_the_same(tmp_path):
    """The first process reads the package's joblib files and leaves a plain copy; the next one
    reads only that copy (joblib, ~0.2 s of each add-person and fork server, is not imported),
    and both get exactly the package's arrays."""
    expected = _package_weights()
    first, first_used_joblib = _weights_in_fresh_process(tmp_path, tmp_path / "out.npz")
    [copy] = (tmp_path / "plvm-photos").glob("mtcnn-weights-*.npz")
    second, second_used_joblib = _weights_in_fresh_process(tmp_path, tmp_path / "out.npz")
    assert first_used_joblib and not second_used_joblib
    for weights in (first, second):
        assert weights.keys() == expected.keys()
        for key, array in expected.items():
            assert weights[key].dtype == np.float32 and np.array_equal(weights[key], array), key

    copy.write_bytes(copy.read_bytes()[:1000])  # a damaged copy is read from the package again, and replaced
    third, third_used_joblib = _weights_in_fresh_process(tmp_path, tmp_path / "out.npz")
    assert third_used_joblib and all(np.array_equal(third[k], a) for k, a in expected.items())
    assert copy.stat().st_size > 1000


def test_weights_load_where_the_cache_folder_cannot_be_written(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    weights, used_joblib = _weights_in_fresh_process(blocked, tmp_path / "out.npz")
    assert used_joblib and all(np.array_equal(weights[k], a) for k, a in _package_weights().items())
