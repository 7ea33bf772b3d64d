"""Vector spaces: what an engine compares references with, and what one FAISS index holds.

No imports: analysis workers and engines name their spaces without loading the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorSpace:
    name: str  # "face" is kept in index.faiss, any other in index-NAME-DIM.faiss
    region_kinds: tuple[str, ...]  # the regions whose vectors live in this space
    reference_tag: str  # concept_references.engine of the reference vectors in this space
    radius: float  # prefilter: regions within this Euclidean distance of a reference are candidates
    # regions of one video closer than this are one face followed through it (None: a default)
    same_face: float | None = None
