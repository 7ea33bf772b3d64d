"""The one place an engine is chosen and configured from a library's settings."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine
    from plvm_photos.store.library_store import LibraryStore


def open_engine(store: LibraryStore) -> Engine:
    """The engine the library's settings name, configured from them."""
    values = store.settings.all()
    face_config = face_config_of(values)
    name = values["engine"]
    if name == "face":
        from plvm_photos.engines.face.engine import FaceEngine

        return FaceEngine(face_config)
    if name == "vlm":
        from plvm_photos.engines.vlm.engine import VlmEngine
        from plvm_photos.engines.vlm.weights import VlmOptions

        return VlmEngine(VlmOptions.from_settings(values), face_config)
    from plvm_photos.engines.plvm.engine import PlvmLibraryEngine
    from plvm_photos.engines.plvm.weights import PlvmOptions

    return PlvmLibraryEngine(store, PlvmOptions.from_settings(values), face_config, hybrid=name == "hybrid")


def face_config_of(values: dict[str, str]):
    from plvm_photos.engines.face.engine import FaceEngineConfig

    return FaceEngineConfig(second_detector=values["face.second_detector"] == "on", pose=pose_stage_on(values))


POSE_AUTO_ENV = "PLVM_FACE_POSE"  # auto | on | off: what ``face.pose auto`` means in this process and its children


def pose_stage_on(values: dict[str, str]) -> bool:
    """Whether the people-pose stage runs: ``face.pose`` on (its packages must then be
    installed: ``PoseStageMissing`` says what to install), or auto where they are. Where the
    library leaves it at auto, $PLVM_FACE_POSE may say on or off instead (the test suite sets it
    off: only the pose tests pay for the stage)."""
    from plvm_photos.engines.face import landmark_models
    from plvm_photos.errors import LibraryError

    setting = values.get("face.pose", "auto")
    if setting == "auto":
        setting = os.environ.get(POSE_AUTO_ENV, "auto") or "auto"
        if setting not in ("auto", "on", "off"):
            raise LibraryError(f"{POSE_AUTO_ENV}={setting!r}: use auto, on or off")
    if setting == "on":
        landmark_models.check()
    return setting == "on" or (setting == "auto" and landmark_models.available())


def check_weights(values: dict[str, str]) -> None:
    """Raise the ``MissingWeightsError`` of the engine ``values`` name when its weights are not on
    this machine (the face engine's always are); nothing is loaded."""
    name = values["engine"]
    if name == "vlm":
        from plvm_photos.engines.vlm.weights import VlmOptions
        from plvm_photos.engines.vlm.weights import check_weights as check_vlm

        check_vlm(VlmOptions.from_settings(values))
    elif name != "face":
        from plvm_photos.engines.plvm.weights import PlvmOptions
        from plvm_photos.engines.plvm.weights import check_weights as check_plvm

        check_plvm(PlvmOptions.from_settings(values))
