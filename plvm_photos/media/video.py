"""Videos through FFmpeg (``av``, PyAV): what a clip is, and the frames a face detector sees.

Frames are sampled at a bounded rate (``VideoSampling.per_minute``, at most ``max_frames`` for a
whole clip, at least ``min_frames`` for a short one), at times spread evenly over the clip. Each
sample is a keyframe where one lies within half a sampling interval of its time (keyframes are
decoded on their own, the other frames are not decoded at all: a phone's clip has one every
second or two), else the frame at that time, decoded from the keyframe before it.

A clip that cannot be read, that has no duration (a live or broken stream), whose frames end
well before its declared duration (truncated), that declares frames larger than the memory
budget, or whose sampling runs past its time budget raises ``ImageError``: the caller records it
as the file's error, like any bad photo. Frames are reduced and turned upright (the rotation a
phone records) as they are decoded, one at a time.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

import numpy as np

from plvm_photos.errors import ImageError
from plvm_photos.media.kinds import VIDEO_EXTRA
from plvm_photos.media.times import clock

MAX_FRAME_PIXELS = 40_000_000  # an 8K frame is 33 MP


@dataclass(frozen=True)
class VideoSampling:
    """How a clip is sampled; picklable (it travels with each job to the analysis workers)."""

    per_minute: int = 12  # frames per minute of footage: one every 5 s
    min_frames: int = 4  # a short clip (a Live Photo's 3 s) still gets this many
    max_frames: int = 240  # a long clip is sampled more sparsely instead (20 min at 12 a minute)
    # long side of a sampled frame (the analyzer's own where smaller): a 720p clip as recorded, a
    # 1080p or 4K one reduced (a third less CPU than 1024 px: benchmarks/bench_media.py)
    max_side: int = 720
    seconds: float = 60.0  # time budget of one clip's sampling and analysis, beyond ...
    seconds_per_frame: float = 2.0  # ... this much per sampled frame
    same_face: float = 0.5  # region vectors closer than this in one clip are one face (``tracks``)

    def times(self, duration: float) -> tuple[float, list[float]]:
        """(sampling interval, the times to sample) for a clip of ``duration`` seconds: the middle
        of each of ``n`` equal parts of the clip."""
        n = max(self.min_frames, math.ceil(duration * self.per_minute / 60))
        n = max(1, min(n, self.max_frames))
        interval = duration / n
        return interval, [interval * (i + 0.5) for i in range(n)]

    def budget(self, frames: int) -> float:
        return self.seconds + self.seconds_per_frame * frames


@dataclass(frozen=True)
class VideoInfo:
    duration: float  # seconds
    width: int  # upright, at full size
    height: int
    rotation: int  # degrees the stored frames are turned to be upright (0, 90, 180, 270)
    interval: float  # seconds between sampled frames
    taken: datetime | None = None  # the camera's local time where recorded, else UTC
    offset_minutes: int | None = None  # east of UTC (0 for a container's UTC creation time)
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Frame:
    time: float  # seconds from the start
    pixels: np.ndarray  # uint8 RGB, upright, reduced
    keyframe: bool


def _av():
    """PyAV, or an error saying how to install it (a library indexed where it was, read where not)."""
    try:
        import av
    except ImportError:
        raise ImageError(f"video support is not installed ({VIDEO_EXTRA})") from None
    return av


def _av_errors():
    av = _av()
    return (av.error.FFmpegError, OSError, ValueError, IndexError)


def _open(source):
    av = _av()

    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except _av_errors() as exc:
        raise ImageError(f"not a readable video ({_why(exc)})") from None
    if not container.streams.video:
        container.close()
        raise ImageError("not a readable video (no video stream)")
    return container


def _why(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


def _duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return None


def _rotation(stream, frame=None) -> int:
    """Degrees (clockwise) to turn the stored frames to show them upright."""
    angle = None
    if frame is not None:
        try:
            angle = frame.rotation  # counter-clockwise, from the display matrix
        except (AttributeError, ValueError):
            angle = None
    if angle is None:
        try:
            angle = -int(stream.metadata.get("rotate", "0"))
        except ValueError:
            angle = 0
    return int(round(-angle / 90.0)) % 4 * 90


_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


def _position(text: str | None) -> tuple[float | None, float | None]:
    """"+48.8584+002.2945+035.000/" (ISO 6709, what phones write) -> (48.8584, 2.2945)."""
    match = _ISO6709.match(text.strip()) if text else None
    if match is None:
        return None, None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return lat, lon


def _moment(metadata: dict) -> tuple[datetime | None, int | None]:
    """The camera's local time and offset (Apple's creation date), else the container's UTC
    creation time with offset 0."""
    for key, utc in (("com.apple.quicktime.creationdate", False), ("creation_time", True)):
        text = metadata.get(key)
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.year < 1971:  # an unset QuickTime date (1904 or 1970)
            continue
        if moment.tzinfo is None:
            return moment, 0 if utc else None
        offset = moment.utcoffset() or timedelta(0)
        if utc:
            return moment.astimezone(timezone.utc).replace(tzinfo=None), 0
        return moment.replace(tzinfo=None), int(offset.total_seconds() // 60)
    return None, None


def _metadata(container, stream) -> dict:
    data = {}
    for source in (container.metadata, stream.metadata):
        for key, value in (source or {}).items():
            data.setdefault(key.lower(), value)
    return data


def probe(source, sampling: VideoSampling | None = None) -> VideoInfo:
    """What the clip is (duration, upright size, when and where), without decoding it."""
    sampling = sampling or VideoSampling()
    container = _open(source)
    try:
        return _info(container, container.streams.video[0], sampling)
    finally:
        container.close()


def _info(container, stream, sampling: VideoSampling, rotation: int | None = None) -> VideoInfo:
    duration = _duration(container, stream)
    if duration is None or not math.isfinite(duration) or duration <= 0:
        raise ImageError("not a readable video (no duration: a live or broken stream)")
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise ImageError("not a readable video (no frame size)")
    if width * height > MAX_FRAME_PIXELS:
        raise ImageError(f"video frames too large: {width}x{height} pixels (limit {MAX_FRAME_PIXELS // 10**6} MP)")
    rotation = _rotation(stream) if rotation is None else rotation
    if rotation in (90, 270):
        width, height = height, width
    interval, _ = sampling.times(duration)
    meta = _metadata(container, stream)
    taken, offset = _moment(meta)
    lat, lon = _position(meta.get("com.apple.quicktime.location.iso6709") or meta.get("location"))
    return VideoInfo(duration, width, height, rotation, interval, taken, offset, lat, lon)


def _reduced(frame, info: VideoInfo, max_side: int) -> np.ndarray:
    """The frame as upright RGB with its long side at most ``max_side``."""
    scale = min(1.0, max_side / max(info.width, info.height))
    w, h = max(2, round(info.width * scale)), max(2, round(info.height * scale))
    stored_w, stored_h = (h, w) if info.rotation in (90, 270) else (w, h)
    pixels = frame.to_ndarray(format="rgb24", width=stored_w, height=stored_h)
    if info.rotation:
        pixels = np.rot90(pixels, k=-info.rotation // 90)
    return np.ascontiguousarray(pixels)


class Sampler:
    """The sampled frames of one clip, in time order: ``info`` first, then iterate ``frames()``."""

    def __init__(self, source, sampling: VideoSampling, max_side: int | None = None):
        self.sampling = sampling
        self.max_side = min(sampling.max_side, max_side or sampling.max_side)
        self.container = _open(source)
        self.stream = self.container.streams.video[0]
        self.stream.codec_context.thread_count = 1  # the pool runs one clip per core already
        self.info = _info(self.container, self.stream, sampling)
        _, self.targets = sampling.times(self.info.duration)
        self.deadline = time.monotonic() + sampling.budget(len(self.targets))
        self.frames_decoded = 0

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> "Sampler":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImageError(f"video sampling ran past its time budget ({self.sampling.budget(len(self.targets)):.0f} s)")

    def frames(self) -> Iterator[Frame]:
        """The keyframe nearest each sampled time (within half an interval), then the frames at
        the times no keyframe was near."""
        tolerance = self.info.interval / 2
        targets, filled = self.targets, set()
        last_time, nearest, i = 0.0, None, 0  # nearest: (distance, time, frame) for targets[i]
        stream = self.stream
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        stream.codec_context.skip_frame = "NONKEY"
        try:
            for packet in self.container.demux(stream):
                self._check_time()
                if packet.pts is not None and packet.time_base is not None:
                    last_time = max(last_time, float(packet.pts * packet.time_base) - start)
                for frame in packet.decode():
                    self.frames_decoded += 1
                    t = float(frame.time or 0.0) - start
                    while i < len(targets) and t > targets[i] + tolerance:  # past this target's window
                        if nearest is not None:
                            filled.add(i)
                            yield Frame(nearest[1], self._upright(nearest[2]), True)
                        nearest, i = None, i + 1
                    if i < len(targets) and abs(t - targets[i]) <= tolerance:
                        if nearest is None or abs(t - targets[i]) < nearest[0]:
                            nearest = (abs(t - targets[i]), t, frame)
            if nearest is not None:
                filled.add(i)
                yield Frame(nearest[1], self._upright(nearest[2]), True)
        except _av_errors() as exc:
            raise ImageError(f"damaged video ({_why(exc)}) after {clock(last_time)} of {clock(self.info.duration)}") from None
        end = last_time + self.info.interval
        if end < self.info.duration - max(2.0, self.info.interval):
            raise ImageError(f"truncated or damaged video: its frames end at {clock(last_time)} of {clock(self.info.duration)}")
        stream.codec_context.skip_frame = "DEFAULT"
        for n, target in enumerate(targets):
            if n not in filled:
                frame = self._frame_at(target + start)
                if frame is not None:
                    yield Frame(float(frame.time or 0.0) - start, self._upright(frame), False)

    def _frame_at(self, seconds: float):
        """The first frame at or after ``seconds``, decoded from the keyframe before it."""
        stream = self.stream
        try:
            self.container.seek(int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
            for frame in self.container.decode(stream):
                self._check_time()
                self.frames_decoded += 1
                if frame.time is not None and frame.time >= seconds - 1e-3:
                    return frame
        except _av_errors() as exc:
            raise ImageError(f"damaged video ({_why(exc)}) near {clock(seconds)}") from None
        return None

    def _upright(self, frame) -> np.ndarray:
        rotation = _rotation(self.stream, frame)
        if rotation != self.info.rotation:  # the display matrix is on frames, not in the header
            w, h = (self.info.height, self.info.width) if (rotation - self.info.rotation) % 180 else (self.info.width, self.info.height)
            self.info = VideoInfo(self.info.duration, w, h, rotation, self.info.interval, self.info.taken,
                                  self.info.offset_minutes, self.info.lat, self.info.lon)
        return _reduced(frame, self.info, self.max_side)


def poster(source, max_side: int | None) -> tuple[np.ndarray, int, int]:
    """The clip's poster frame (upright RGB, reduced) and its full upright size: the first
    keyframe at or after a tenth of the clip (past a black first frame or a title)."""
    sampling = VideoSampling(max_side=max_side or 4096)
    with Sampler(source, sampling, max_side) as sampler:
        seconds = sampler.info.duration / 10
        frame = sampler._frame_at(seconds) or sampler._frame_at(0.0)
        if frame is None:
            raise ImageError("not a readable video (no frame could be decoded)")
        pixels = sampler._upright(frame)
        return pixels, sampler.info.width, sampler.info.height
