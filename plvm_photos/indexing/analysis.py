"""The unit of work a pool worker does: decode one photo and run the engine on it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from plvm_photos.engines.base import Analysis
from plvm_photos.imaging import ImageError, decode

_engine = None


@dataclass(frozen=True)
class AnalysisJob:
    path: str
    sha256: str


@dataclass(frozen=True)
class AnalysisResult:
    job: AnalysisJob
    analysis: Analysis | None
    error: str | None  # why the content is not a usable image
    seconds: float
    vanished: bool = False  # the file was gone before it could be decoded


def _face_engine():
    if _engine is None:
        use_config(None)
    return _engine


def use_config(config) -> None:
    """The ``FaceEngineConfig`` this process analyses with (None: the defaults)."""
    global _engine
    from plvm_photos.engines.face.engine import FaceEngine, FaceEngineConfig

    config = config or FaceEngineConfig()
    if _engine is None or _engine.config != config:
        _engine = FaceEngine(config)


def warm_up(config=None) -> None:
    """Pool initializer: load the models once per worker, not once per photo."""
    from plvm_photos.engines.face.engine import _dlib_models

    use_config(config)
    _dlib_models()


def analyze(job: AnalysisJob) -> AnalysisResult:
    start = time.perf_counter()
    engine = _face_engine()
    try:
        image = decode(job.path, max_side=engine.config.max_side)
        analysis = engine.analyze(image)
        error = None
    except ImageError as exc:
        analysis, error = None, str(exc)
    except FileNotFoundError:
        return AnalysisResult(job, None, "file disappeared before it could be read", time.perf_counter() - start, True)
    except (MemoryError, RuntimeError) as exc:  # dlib raises RuntimeError on odd pixel data
        analysis, error = None, f"{type(exc).__name__}: {exc}"
    return AnalysisResult(job=job, analysis=analysis, error=error, seconds=time.perf_counter() - start)
