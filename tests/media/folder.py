"""A photo folder of the kinds a camera roll and a photographer's card hold, made from the shared
photos: a video with people appearing and leaving at known times, DNG files (one with a preview
large enough to detect faces in, one without), a RAW+JPEG pair, a Live Photo (a JPEG and a
QuickTime movie of the same moment), a rotated phone clip, a truncated clip, a sidecar and a
file of unknown type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from tests.media.clips import Shown, truncate, write_clip
from tests.media.dng import write_dng
from tests.media.exif import write_jpeg

ANGELINA = "angelina_jolie/test/deepface__img2.jpg"
OBAMA = "barack_obama/test/facerec__obama.jpg"
OBAMA_2 = "barack_obama/test/facerec__obama2.jpg"
ANGELINA_2 = "angelina_jolie/test/deepface__img4.jpg"

# Who is on screen when in birthday.mp4 (seconds), as written.
BIRTHDAY = {"angelina": (12.0, 30.0), "obama": (20.0, 40.0)}
BIRTHDAY_SECONDS = 40.0


@dataclass(frozen=True)
class MediaFolder:
    root: Path
    video: Path
    rotated: Path
    truncated: Path
    dng_preview: Path
    dng_demosaic: Path
    pair_raw: Path
    pair_jpeg: Path
    live_still: Path
    live_movie: Path


def build(root: Path, library: Path) -> MediaFolder:
    root.mkdir(parents=True, exist_ok=True)
    angelina, obama = Image.open(library / ANGELINA), Image.open(library / OBAMA)
    video = write_clip(root / "birthday.mp4", BIRTHDAY_SECONDS, [
        Shown(angelina, *BIRTHDAY["angelina"], x=0.02), Shown(obama, *BIRTHDAY["obama"], x=0.52)], faststart=True)
    (root / "phone").mkdir()
    rotated = write_clip(root / "phone" / "IMG_0100.MOV", 6, [Shown(obama, 0, 6, x=0.3)], rotation=90)
    truncated = truncate(write_clip(root / "whole.mp4", 20, [Shown(obama, 0, 20)], faststart=True), root / "cut.mp4", 0.5)
    (root / "whole.mp4").unlink()
    dng_preview = write_dng(root / "DSC_0001.DNG", Image.open(library / ANGELINA_2), 1200, taken="2021:07:14 16:05:09",
                            gps=(48.8584, 2.2945))
    dng_demosaic = write_dng(root / "DSC_0002.DNG", Image.open(library / OBAMA_2), None, taken="2021:07:14 16:06:00")
    card = root / "card"
    card.mkdir()
    pair_raw = write_dng(card / "IMG_0001.DNG", obama, 1200, taken="2022:05:01 10:00:00")
    pair_jpeg = write_jpeg(card / "IMG_0001.JPG", obama, taken="2022:05:01 10:00:00")
    live_still = write_jpeg(card / "IMG_0002.JPG", angelina, taken="2022:05:01 12:00:00")
    live_movie = write_clip(card / "IMG_0002.MOV", 3, [Shown(angelina, 0, 3)],
                            metadata={"creation_time": "2022-05-01T10:00:01.000000Z"})
    (card / "IMG_0001.DNG.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    (root / "notes.txt").write_text("not a photo")
    return MediaFolder(root, video, rotated, truncated, dng_preview, dng_demosaic, pair_raw, pair_jpeg, live_still, live_movie)
