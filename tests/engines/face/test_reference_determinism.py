"""The same reference photo gives the same descriptor, bit for bit, in any process, after anything:
references are described with jitter, and the jitter is seeded by the face itself (dlib's random
state carried over between calls, so a reference moved 0.05-0.08 with the process's history)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from sqlalchemy import select

from plvm_photos.db.models import Concept, Reference
from plvm_photos.library import Library
from tests.watch.helpers import REPO

DESCRIBE = """
import sys
from plvm_photos.engines.face.engine import FaceAnalyzer
from plvm_photos.imaging import decode
print(FaceAnalyzer().reference_face(decode(sys.argv[1], max_side=1600)).vector.tobytes().hex())
"""


def _reference_vector(root, name: str) -> bytes:
    with Library(root) as library, library.session() as s:
        return s.scalar(select(Reference.vector).join(Concept).where(Concept.name == name))


def test_a_reference_is_described_the_same_whatever_came_before(tmp_path, library_data, demo_set):
    refs, _ = demo_set
    obama = library_data / "barack_obama" / "ref.jpg"
    with Library(tmp_path / "first") as library:
        library.add_person("obama", [obama])
    with Library(tmp_path / "second") as library:  # other references described first, in this process
        library.add_person("grace", [refs["grace"]])
        library.add_person("eileen", [refs["eileen"]])
        library.add_person("biden", [library_data / "joe_biden" / "ref.jpg"])
        library.add_person("obama", [obama])
    first, second = _reference_vector(tmp_path / "first", "obama"), _reference_vector(tmp_path / "second", "obama")
    assert first == second
    fresh = subprocess.run([sys.executable, "-c", DESCRIBE, str(obama)], capture_output=True, text=True, cwd=REPO,
                           check=True).stdout.strip()
    assert bytes.fromhex(fresh) == first
    assert np.isfinite(np.frombuffer(first, dtype=np.float32)).all()
