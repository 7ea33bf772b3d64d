"""HOG at the scale MTCNN's faces call for: upsampled (4x the work) only where a face is small,
and then only around the small faces unless one is small enough that faces MTCNN cannot see
(under its 40 px floor) are likely beside it."""

import json

import pytest

from plvm_photos.engines.face.engine import FaceAnalyzer
from plvm_photos.imaging import decode
from plvm_photos.positions import iou


def _hog_calls(monkeypatch, analyzer: FaceAnalyzer) -> list[tuple[int, int, int]]:
    """(height, width, upsample) of every HOG pass the analyzer makes."""
    calls = []
    run = analyzer._hog_boxes

    def recorded(pixels, upsample):
        calls.append((*pixels.shape[:2], upsample))
        return run(pixels, upsample)

    monkeypatch.setattr(analyzer, "_hog_boxes", recorded)
    return calls


@pytest.mark.parametrize("photo", ["_group/test/facerec__test_obama_and_biden.jpg",
                                   "_group/test/yollava__demo_selfie.jpeg",
                                   "yollava_thao/test/yollava__demo_thao-neurips.jpg"])
def test_only_the_regions_around_small_faces_are_upsampled_and_every_face_is_still_found(monkeypatch, library_data, photo):
    analyzer = FaceAnalyzer()
    pixels = decode(library_data / photo, max_side=analyzer.max_side).pixels
    seen = analyzer.mtcnn_faces(pixels)
    widths = [box[2] - box[0] for box, _ in seen]
    assert analyzer.config.upsample_whole_below <= min(widths) < analyzer.config.upsample_below
    whole = analyzer._hog_boxes(pixels, analyzer.config.upsample)

    calls = _hog_calls(monkeypatch, analyzer)
    guided = analyzer._hog_boxes_guided(pixels, seen)

    height, width = pixels.shape[:2]
    upsampled = sum(h * w for h, w, upsample in calls if upsample)
    assert (height, width, 0) in calls and 0 < upsampled <= height * width / 2
    assert all(any(iou(box, other) >= 0.5 for other, _ in guided) for box, _ in whole)


def test_a_photo_with_a_face_near_mtcnns_floor_is_upsampled_whole_and_keeps_its_smallest_face(monkeypatch, library_data):
    """The hand-labelled 36 px face of this photo is below MTCNN's 40 px floor: only HOG on the
    whole photo upsampled finds it (around MTCNN's 44 and 52 px faces is not enough)."""
    photo = "_negatives/test/dlib__2008_002079.jpg"
    labelled = next(im for im in json.loads((library_data / "manifest.json").read_text())["images"] if im["path"] == photo)
    analyzer = FaceAnalyzer()
    pixels = decode(library_data / photo, max_side=analyzer.max_side).pixels
    calls = _hog_calls(monkeypatch, analyzer)
    regions = analyzer.analyze(decode(library_data / photo, max_side=analyzer.max_side)).regions

    assert calls == [(*pixels.shape[:2], analyzer.config.upsample)]
    boxes = [face["box"] for face in labelled["faces"]]
    assert min(b[2] - b[0] for b in boxes) < 40
    assert all(any(iou(box, r.box) >= 0.5 for r in regions) for box in boxes)
