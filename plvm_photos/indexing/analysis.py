"""The unit of work of an analysis worker: decode one photo and run the engine's analyzer on it;
or, for a video, run it on the clip's sampled frames and follow the faces through the clip."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from plvm_photos.engines.base import Analysis, Analyzer, Region
from plvm_photos.imaging import DecodedImage, ImageError, decode, decode_bytes
from plvm_photos.indexing.facts import StoredFacts, read_facts
from plvm_photos.media.video import VideoSampling

PHOTO, VIDEO = "photo", "video"  # photos.kind: a still (a camera RAW too) or a video


@dataclass(frozen=True)
class AnalysisJob:
    path: str
    sha256: str
    video: VideoSampling | None = None  # a video: how its frames are sampled and its faces tracked


@dataclass(frozen=True)
class AnalysisResult:
    job: AnalysisJob
    analysis: Analysis | None
    error: str | None  # why the content is not a usable image
    seconds: float
    vanished: bool = False  # the file was gone before it could be decoded
    image: DecodedImage | None = None  # the decoded pixels, kept only by in-process analyzers
    facts: StoredFacts | None = None  # when and where it was taken (None: not read, left for a scan)
    kind: str = PHOTO
    duration: float | None = None  # a video's length in seconds
    # a video: for each region (one per face followed through the clip), the (start, end)
    # seconds of the sampled frames it is seen in
    segments: tuple[tuple[tuple[float, float], ...], ...] | None = None

    def without_image(self) -> "AnalysisResult":
        return replace(self, image=None)


def analyze_file(analyzer: Analyzer, job: AnalysisJob, data: bytes | None = None) -> AnalysisResult:
    """``data``: the file's content, read by the caller (for a worker that does not see the file;
    the caller then reads the photo's facts too)."""
    start = time.perf_counter()
    kind = VIDEO if job.video is not None else PHOTO
    try:
        if job.video is not None:
            analysis, segments, duration = _analyze_video(analyzer, job, data)
            image = None
        else:
            image = decode(job.path, max_side=analyzer.max_side) if data is None else \
                decode_bytes(data, analyzer.max_side, job.path)
            analysis, segments, duration = analyzer.analyze(image), None, None
    except ImageError as exc:
        return AnalysisResult(job, None, str(exc), time.perf_counter() - start, kind=kind)
    except FileNotFoundError:
        return AnalysisResult(job, None, "file disappeared before it could be read", time.perf_counter() - start, True,
                              kind=kind)
    except (MemoryError, RuntimeError) as exc:  # dlib raises RuntimeError on odd pixel data
        return AnalysisResult(job, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start, kind=kind)
    kept = image if analyzer.in_process else None
    facts = read_facts(job.path) if data is None else None
    return AnalysisResult(job, analysis, None, time.perf_counter() - start, image=kept, facts=facts, kind=kind,
                          duration=duration, segments=segments)


def _analyze_video(analyzer: Analyzer, job: AnalysisJob, data: bytes | None):
    """(one region per face followed through the clip, their segments, the clip's duration)."""
    import io

    import numpy as np

    from plvm_photos.media.tracks import Sighting, track_faces
    from plvm_photos.media.video import Sampler

    frames = []
    with Sampler(job.path if data is None else io.BytesIO(data), job.video, analyzer.max_side) as sampler:
        for frame in sampler.frames():
            found = analyzer.analyze(DecodedImage(frame.pixels, sampler.info.width, sampler.info.height))
            frames.append((frame.time, [Sighting(frame.time, r.box, r.score, np.asarray(r.vector, dtype=np.float32), r.kind)
                                        for r in found.regions]))
        info = sampler.info
    tracks = track_faces(frames, job.video.same_face)
    regions = []
    for track in tracks:
        face = track.medoid()
        regions.append(Region(face.box, max(s.score for s in track.sightings), face.vector, face.kind))
    segments = tuple(tuple(track.segments(info.interval)) for track in tracks)
    return Analysis(info.width, info.height, regions), segments, info.duration


def segments_json(result: AnalysisResult, index: int) -> str | None:
    """The ``regions.segments`` text of region ``index`` of a video's analysis (None in a photo)."""
    if result.segments is None:
        return None
    import json

    return json.dumps([list(run) for run in result.segments[index]])
