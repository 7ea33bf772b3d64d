"""The face engine as the engines' table (``engines/catalog.py``) lists it: the settings it reads,
with their defaults, and how it is opened from them. Imports nothing heavy (the catalog, and so
``ask``'s fast path, imports it); the engine itself is imported when it is opened."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

from plvm_photos.store.setting_types import ON_OFF, SettingSpec, ValueKind, choice, options_from

if TYPE_CHECKING:
    from plvm_photos.engines.face.engine import FaceEngine, FaceEngineConfig

POSE_AUTO_ENV = "PLVM_FACE_POSE"  # auto | on | off: what ``face.pose auto`` means in this process and its children


def pose_stage_on_for(stored: str) -> bool:
    """Whether the people-pose stage runs for a stored ``face.pose``: on (its packages must then
    be installed: ``PoseStageMissing`` says what to install), or auto where they are. Where the
    library leaves it at auto, $PLVM_FACE_POSE may say on or off instead (the test suite sets it
    off: only the pose tests pay for the stage)."""
    from plvm_photos.engines.face import landmark_models
    from plvm_photos.errors import LibraryError

    setting = stored
    if setting == "auto":
        setting = os.environ.get(POSE_AUTO_ENV, "auto") or "auto"
        if setting not in ("auto", "on", "off"):
            raise LibraryError(f"{POSE_AUTO_ENV}={setting!r}: use auto, on or off")
    if setting == "on":
        landmark_models.check()
    return setting == "on" or (setting == "auto" and landmark_models.available())


SETTINGS = (
    SettingSpec("face.second_detector", "on", "on | off: MTCNN beside HOG finds turned and half-hidden "
                "faces (about 0.08 CPU s more a photo); takes effect for photos analysed from now on "
                "(scan --reanalyze redoes the others)", ON_OFF),
    SettingSpec("face.pose", "auto", "auto | on | off: the people-pose stage (face mesh, gaze, smile, upper body; "
                "pip install 'plvm-photos[pose]') for what people do and show: talking, smiling, looking at the "
                "camera, ...; auto = on where installed; for photos analysed from now on (scan --pose fills in the "
                "others)", ValueKind(choice(("auto", "on", "off")).parse, pose_stage_on_for)),
)


def face_config(values: Mapping[str, str]) -> FaceEngineConfig:
    """The face analyzer's configuration: every engine that finds faces uses it."""
    from plvm_photos.engines.face.engine import FaceEngineConfig

    return options_from(FaceEngineConfig, SETTINGS, values)


def pose_stage_on(values: Mapping[str, str]) -> bool:
    return pose_stage_on_for(values.get("face.pose", "auto"))


def open_face(store, values: Mapping[str, str]) -> FaceEngine:
    from plvm_photos.engines.face.engine import FaceEngine

    return FaceEngine(face_config(values))


def no_weights_to_check(values: Mapping[str, str]) -> None:
    """The face engine's weights come with its packages: nothing can be missing."""
