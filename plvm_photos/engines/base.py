"""What crosses the boundary between an engine and the library.

Boxes are ``(left, top, right, bottom)`` in pixels of the photo as displayed, i.e. after
EXIF orientation and at the photo's full size (never at the reduced decode scale).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Region:
    """One thing found in a photo: for the face engine, one face."""

    box: Box
    score: float  # the detector's confidence (dlib HOG: SVM margin; higher is surer)
    vector: np.ndarray  # float32; the engine's descriptor used by the prefilter and verdicts
    kind: str = "face"


@dataclass(frozen=True)
class Analysis:
    """Everything an engine found in one photo."""

    width: int  # displayed size at full resolution
    height: int
    regions: list[Region] = field(default_factory=list)


@dataclass(frozen=True)
class ConceptRef:
    """What is kept of one reference image of a registered concept."""

    vector: np.ndarray
    box: Box
    image_width: int
    image_height: int


@dataclass(frozen=True)
class Candidate:
    """A stored region the prefilter thinks may show a concept."""

    region_id: int
    box: Box
    vector: np.ndarray


@dataclass(frozen=True)
class Verdict:
    """The answer to "is <concept> in this photo?"."""

    present: bool
    score: float  # P(present) in [0, 1]; 0.5 is the decision boundary
    region_id: int | None  # the region that matched, when present
    distance: float | None = None


class Engine(Protocol):
    name: str
    vector_dim: int

    def analyze(self, image) -> Analysis: ...

    def reference(self, image, face: int | None = None) -> ConceptRef: ...
