"""Which files are photos, camera RAW or videos, by name; and which the user left out.

No imports beyond the standard library: the watcher's event thread and the walk call these for
every file they see.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.util import find_spec

IMAGE = "image"
RAW = "raw"
VIDEO = "video"

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif", ".avif"}
)
# Camera RAW formats LibRaw reads (Canon, Nikon, Sony, Adobe DNG, Fujifilm, Olympus/OM, Panasonic,
# Pentax, Samsung, Leica, Hasselblad, Phase One, Kodak, Minolta, Sigma).
RAW_SUFFIXES = frozenset(
    {".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".dng", ".raf", ".orf", ".rw2", ".pef",
     ".srw", ".rwl", ".3fr", ".fff", ".iiq", ".erf", ".kdc", ".dcr", ".mrw", ".x3f", ".mos"}
)
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".qt", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".3gp", ".mpg", ".mpeg", ".wmv"}
)
# Files that travel with photos and say something about them: read where they matter
# (import-xmp reads .xmp), never analysed, and not "of unknown type".
SIDECAR_SUFFIXES = frozenset({".xmp", ".aae", ".thm", ".pp3", ".dop", ".on1", ".json"})


def suffix_of(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def media_kind(path: str) -> str | None:
    """"image", "raw" or "video" by the file name; None for anything else."""
    suffix = suffix_of(path)
    if suffix in IMAGE_SUFFIXES:
        return IMAGE
    if suffix in RAW_SUFFIXES:
        return RAW
    if suffix in VIDEO_SUFFIXES:
        return VIDEO
    return None


def is_media_path(path: str) -> bool:
    return media_kind(path) is not None


VIDEO_EXTRA = "pip install 'plvm-photos[video]'"  # PyAV (FFmpeg), ~105 MB: not in the face engine's install


def video_support_installed() -> bool:
    return find_spec("av") is not None


@dataclass(frozen=True)
class MediaOptions:
    """What a scan or a watcher indexes: photos always; videos and RAW unless left out; videos only
    where their decoder (the ``[video]`` extra) is installed."""

    videos: bool = True
    raw: bool = True
    video_support: bool = field(default_factory=video_support_installed)

    def wanted(self, kind: str | None) -> bool:
        return kind == IMAGE or (kind == VIDEO and self.videos and self.video_support) or (kind == RAW and self.raw)

    @staticmethod
    def option(kind: str) -> str:
        """The option that leaves files of ``kind`` (video or raw) out."""
        return "--no-videos" if kind == VIDEO else "--no-raw"


# What the reports call each skipped kind (a count and its noun).
VIDEO_NOT_INSTALLED = "video_not_installed"  # a video met where its decoder is not installed
SKIPPED_NOUNS = {VIDEO: ("video", "videos"), VIDEO_NOT_INSTALLED: ("video", "videos"), RAW: ("RAW file", "RAW files"),
                 "sidecar": ("sidecar file", "sidecar files"), "unknown": ("file of unknown type", "files of unknown type")}


@dataclass
class Skipped:
    """Files a walk found and did not offer for indexing, by kind: "video" and "raw" (left out by
    an option), "video_not_installed" (no video decoder: the ``[video]`` extra), "sidecar" (.xmp
    and the like) and "unknown" (any other file). Hidden files (a
    leading dot: .DS_Store, editors' temporaries) are not counted."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few paths of each kind

    def add(self, kind: str, path: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.examples.setdefault(kind, [])
        if len(kept) < 5:
            kept.append(path)

    def merge(self, other: "Skipped") -> None:
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
            kept = self.examples.setdefault(kind, [])
            kept.extend(other.examples.get(kind, [])[: 5 - len(kept)])

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))

    def lines(self) -> list[str]:
        return skipped_lines(self.counts)


def skipped_lines(counts: dict[str, int]) -> list[str]:
    """"312 videos skipped: --no-videos", "4 files of unknown type skipped"."""
    out = []
    for kind in (VIDEO, VIDEO_NOT_INSTALLED, RAW, "sidecar", "unknown"):
        n = counts.get(kind, 0)
        if not n:
            continue
        one, many = SKIPPED_NOUNS[kind]
        noun = one if n == 1 else many
        if kind in (VIDEO, RAW):
            out.append(f"{n} {noun} skipped: {MediaOptions.option(kind)}")
        elif kind == VIDEO_NOT_INSTALLED:
            out.append(f"{n} {noun} skipped: video support is not installed ({VIDEO_EXTRA})")
        elif kind == "sidecar":
            out.append(f"{n} {noun} not indexed (import-xmp reads .xmp)")
        else:
            out.append(f"{n} {noun} skipped")
    return out


def classify(path: str, options: MediaOptions) -> tuple[str | None, str | None]:
    """(kind to index, None) or (None, skipped kind) or (None, None) for a hidden file."""
    kind = media_kind(path)
    if options.wanted(kind):
        return kind, None
    if kind == VIDEO and options.videos:
        return None, VIDEO_NOT_INSTALLED
    if kind is not None:
        return None, kind
    if os.path.basename(path).startswith("."):
        return None, None
    return None, "sidecar" if suffix_of(path) in SIDECAR_SUFFIXES else "unknown"
