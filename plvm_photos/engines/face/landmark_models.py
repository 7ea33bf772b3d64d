"""The people-pose stage's models: MediaPipe's face mesh, iris and body landmark networks, run by
the LiteRT interpreter (the ``[pose]`` extra; ``docs/interactions.md`` says why these).

The ``.tflite`` files come from the ``mediapipe`` 0.10.21 wheel (``mediapipe/modules/``), the last
release that ships them. That package is never imported: it pins ``numpy<2`` and needs protobuf
< 5, jax and OpenCV, none of which these files need, so it is installed without its dependencies
(``pip install --no-deps mediapipe==0.10.21``) and only its folder is located, as
``weights.py`` locates dlib's models. ``ai-edge-litert`` runs them.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from plvm_photos.errors import LibraryError

# name -> the file under mediapipe/modules/
MODEL_FILES = {
    "face_mesh": "face_landmark/face_landmark.tflite",  # 468 points; the "attention" variant needs MediaPipe's own ops
    "iris": "iris_landmark/iris_landmark.tflite",  # 71 eye-contour + 5 iris points of one eye
    "detector": "pose_detection/pose_detection.tflite",  # BlazePose's person detector (by the face)
    "body": "pose_landmark/pose_landmark_full.tflite",  # BlazePose: 33 body points (+ 2 for its crop)
}
INSTALL_HINT = "pip install 'plvm-photos[pose]' && pip install --no-deps mediapipe==0.10.21"


class PoseStageMissing(LibraryError):
    """The people-pose stage was asked for where its packages are not installed."""


def _modules_dir() -> Path | None:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0]) / "modules"


def missing() -> str | None:
    """Why the pose stage cannot run here (one line), or None where it can."""
    if importlib.util.find_spec("ai_edge_litert") is None:
        return f"the people-pose stage needs the LiteRT runtime ({INSTALL_HINT})"
    folder = _modules_dir()
    if folder is None:
        return f"the people-pose stage needs MediaPipe's landmark models ({INSTALL_HINT})"
    absent = [name for name in MODEL_FILES.values() if not (folder / name).is_file()]
    if absent:
        return f"MediaPipe's landmark models are missing from {folder}: {', '.join(absent)} ({INSTALL_HINT})"
    return None


def available() -> bool:
    return missing() is None


def check() -> None:
    reason = missing()
    if reason is not None:
        raise PoseStageMissing(reason)


@lru_cache(maxsize=None)
def interpreter(name: str):
    """The loaded model ``name`` (one per process, one thread: two analysis workers share two
    cores)."""
    check()
    from ai_edge_litert.interpreter import Interpreter

    model = Interpreter(model_path=str(_modules_dir() / MODEL_FILES[name]), num_threads=1)
    model.allocate_tensors()
    return model


def run(name: str, batch) -> list:
    """The model's outputs, in the order the model lists them, for one input tensor."""
    model = interpreter(name)
    model.set_tensor(model.get_input_details()[0]["index"], batch)
    model.invoke()
    return [model.get_tensor(d["index"]).copy() for d in model.get_output_details()]


def warm_up() -> None:
    for name in MODEL_FILES:
        interpreter(name)
