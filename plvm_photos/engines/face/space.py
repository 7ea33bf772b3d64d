"""The face engine's vector space: dlib's 128-d face descriptors of 'face' regions."""

from __future__ import annotations

from plvm_photos.engines.face.decide import DecisionRule
from plvm_photos.store.spaces import VectorSpace

DESCRIPTOR_DIM = 128
FACE_KIND = "face"
FACE_TAG = "face"  # concept_references.engine of face descriptors
# Within one clip a face changes less than between photos: 0.5, as unknown faces are clustered.
FACE_SPACE = VectorSpace("face", (FACE_KIND,), FACE_TAG, radius=DecisionRule().prefilter_radius, same_face=0.5)
