"""Where a library keeps its files. Imports nothing heavy: the fast ``ask`` path reads it."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILE = "library.db"
FACE_INDEX_FILE = "index.faiss"
REFERENCES_DIR = "references"
CONCEPT_TENSORS_DIR = "plvm-concepts"  # engine artefacts of references (PLVM's Aligner outputs)


def default_root() -> Path:
    """``PLVM_LIBRARY``, else ``$XDG_DATA_HOME/plvm-photos`` (``~/.local/share/plvm-photos``)."""
    if env := os.environ.get("PLVM_LIBRARY"):
        return Path(env)
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data_home) / "plvm-photos"
