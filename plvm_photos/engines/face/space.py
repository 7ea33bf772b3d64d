"""The face engine's vector space: dlib's 128-d face descriptors of 'face' regions."""

from __future__ import annotations

from plvm_photos.engines.face.decide import DecisionRule
from plvm_photos.store.spaces import VectorSpace

DESCRIPTOR_DIM = 128
FACE_KIND = "face"
FACE_TAG = "face"  # concept_references.engine of face descriptors
FACE_SPACE = VectorSpace("face", (FACE_KIND,), FACE_TAG, radius=DecisionRule().prefilter_radius)
