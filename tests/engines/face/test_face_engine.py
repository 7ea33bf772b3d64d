"""Face-engine details the evaluation relies on: reference retry, odd identity names."""

import numpy as np
import pytest
from PIL import Image

from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngine, FaceEngineConfig, NoFaceError
from plvm_photos.imaging import DecodedImage, decode


def _small(path, side):
    im = Image.open(path).convert("RGB")
    im.thumbnail((side, side))
    return DecodedImage(np.ascontiguousarray(np.asarray(im)), im.width, im.height)


def test_reference_with_a_tiny_face_gets_a_second_hog_pass(library_data):
    ref = library_data / "barack_obama" / "ref.jpg"
    tiny = _small(ref, 80)  # the face is ~22 px: below what HOG finds at upsample 1
    hog_only = FaceEngineConfig(second_detector=False)
    with pytest.raises(NoFaceError):
        FaceAnalyzer(FaceEngineConfig(reference_retry_upsample=0, second_detector=False)).reference_face(tiny)
    found = FaceAnalyzer(hog_only).reference_face(tiny)
    full = FaceAnalyzer().reference_face(decode(ref, max_side=1600))
    # the box is in the tiny image's coordinates and it is the same person (loosely: 22 px faces)
    assert found.box[2] <= tiny.full_width and found.box[3] <= tiny.full_height
    assert float(np.linalg.norm(found.vector - full.vector)) < 0.6
    # photos are not retried with more upsampling: HOG alone keeps a single pass
    assert FaceEngine(hog_only).analyze(tiny).regions == []


def test_eval_engine_accepts_any_identity_folder_name(bench_data):
    from plvm_model.evaluation import ConceptImage

    from plvm_photos.evaluation.engine_bench import LibraryBench

    ref = bench_data / "Obama" / "ref_img.jpg"
    with LibraryBench() as engine:
        a = engine.register(ConceptImage("<Thảo's friend>", ref))
        b = engine.register(ConceptImage("<thảo's friend!>", ref))
        c = engine.register(ConceptImage("<Obama>", ref))
        assert len({a, b, c}) == 3 and c == "obama"
        assert engine.unusable == {}
        photo = Image.open(bench_data / "Obama" / "query_img1.jpg")

        names = ["<Obama>", "<Thảo's friend>", "<thảo's friend!>"]
        scores = engine.recognize(photo, [ConceptImage(n, ref) for n in names])
        # three people with the same reference and one face: one face is at most one person
        assert sorted(s >= 0.5 for s in scores) == [False, False, True]
