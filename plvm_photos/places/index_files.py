"""The offline place index's two files: their names, the shipped data they are built from, and
the folder they live in. Standard library only (the fast ``ask`` path reads them)."""

from __future__ import annotations

import os
from pathlib import Path

from plvm_photos.user_cache import cache_dir

PLACES_FILE = "places.tsv"
NAMES_FILE = "names.tsv"
SOURCE_FILE = Path(__file__).resolve().parent / "geonames.tsv.xz"  # shipped; see make_source.py
INDEX_FORMAT = 2  # bump when build_index's output or rules change


def index_version() -> str:
    """The index's version: its format and the shipped source's size (other data, other index)."""
    try:
        size = SOURCE_FILE.stat().st_size
    except OSError:
        size = 0
    return f"{INDEX_FORMAT}-{size}"


def index_dir() -> Path:
    """Where the index lives: $PLVM_PLACES_DIR, else a folder of this index version in the user's
    cache ($XDG_CACHE_HOME or ~/.cache, then plvm-photos/)."""
    if folder := os.environ.get("PLVM_PLACES_DIR"):
        return Path(folder)
    return cache_dir() / f"places-{index_version()}"
