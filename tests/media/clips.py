"""Videos for tests, encoded with PyAV (H.264 in MP4 or QuickTime): people shown at known times
on a plain background, a phone clip stored sideways with its rotation recorded, a truncated
file. Small and short, so that a test costs little."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Shown:
    """``image`` on screen from ``start`` to ``end`` seconds, its left edge at ``x`` (a fraction
    of the frame's width)."""

    image: Image.Image
    start: float
    end: float
    x: float = 0.3


def write_clip(path: Path, seconds: float, shown: list[Shown], size: tuple[int, int] = (480, 320), fps: int = 5,
               gop: int = 5, rotation: int = 0, metadata: dict[str, str] | None = None, faststart: bool = False) -> Path:
    """An H.264 clip of ``seconds``: each frame grey, with whatever is shown then. ``rotation``
    (degrees clockwise to show it upright): the frames are stored turned the other way, as a
    phone held upright stores them, and the display rotation is recorded. ``faststart``: the
    index before the frames (as phones and web videos write it), so a truncated copy still opens."""
    import av

    width, height = size
    stored = (height, width) if rotation in (90, 270) else (width, height)
    with av.open(str(path), "w", options={"movflags": "faststart"} if faststart else None) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = stored
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for key, value in (metadata or {}).items():
            container.metadata[key] = value
        if rotation:
            stream.set_display_rotation(-rotation)  # counter-clockwise, as the display matrix says
        fitted = {}
        for n in range(int(round(seconds * fps))):
            t = n / fps
            canvas = Image.new("RGB", (width, height), (128, 128, 128))
            for item in shown:
                if item.start <= t < item.end:
                    if id(item) not in fitted:
                        copy = item.image.convert("RGB").copy()
                        copy.thumbnail((int(width * 0.45), int(height * 0.95)))
                        fitted[id(item)] = copy
                    canvas.paste(fitted[id(item)], (int(item.x * width), (height - fitted[id(item)].height) // 2))
            if rotation:
                canvas = canvas.rotate(rotation, expand=True)  # PIL turns counter-clockwise
            frame = av.VideoFrame.from_ndarray(np.asarray(canvas), format="rgb24")
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)


def truncate(path: Path, target: Path, fraction: float = 0.5) -> Path:
    data = Path(path).read_bytes()
    Path(target).write_bytes(data[: int(len(data) * fraction)])
    return Path(target)
