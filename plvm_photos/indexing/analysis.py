"""The unit of work of an analysis worker: decode one photo and run the engine's analyzer on it."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from plvm_photos.engines.base import Analysis, Analyzer
from plvm_photos.imaging import DecodedImage, ImageError, decode, decode_bytes
from plvm_photos.indexing.facts import StoredFacts, read_facts


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
    image: DecodedImage | None = None  # the decoded pixels, kept only by in-process analyzers
    facts: StoredFacts | None = None  # when and where it was taken (None: not read, left for a scan)

    def without_image(self) -> "AnalysisResult":
        return replace(self, image=None)


def analyze_file(analyzer: Analyzer, job: AnalysisJob, data: bytes | None = None) -> AnalysisResult:
    """``data``: the file's content, read by the caller (for a worker that does not see the file;
    the caller then reads the photo's facts too)."""
    start = time.perf_counter()
    try:
        image = decode(job.path, max_side=analyzer.max_side) if data is None else decode_bytes(data, analyzer.max_side)
        analysis = analyzer.analyze(image)
    except ImageError as exc:
        return AnalysisResult(job, None, str(exc), time.perf_counter() - start)
    except FileNotFoundError:
        return AnalysisResult(job, None, "file disappeared before it could be read", time.perf_counter() - start, True)
    except (MemoryError, RuntimeError) as exc:  # dlib raises RuntimeError on odd pixel data
        return AnalysisResult(job, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    kept = image if analyzer.in_process else None
    facts = read_facts(job.path) if data is None else None
    return AnalysisResult(job, analysis, None, time.perf_counter() - start, image=kept, facts=facts)
