"""Verdicts from descriptor distances, for every registered person in one photo at once.

A photo's verdicts are decided jointly because two facts hold in any photo: one face is at most
one person, and one person appears at most once. Faces and people are matched greedily from the
closest pair up, and only pairs closer than the threshold become "present".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plvm_photos.engines.base import Verdict


@dataclass(frozen=True)
class DecisionRule:
    threshold: float = 0.55  # descriptor distance under which a face is the person
    prefilter_radius: float = 0.72  # pairs farther than this get no stored verdict at all
    softness: float = 0.04  # width of the logistic that turns a distance into a score


@dataclass(frozen=True)
class FaceVector:
    region_id: int
    vector: np.ndarray


@dataclass(frozen=True)
class PersonVectors:
    concept_id: int
    vectors: np.ndarray  # one row per reference image


def score_of(distance: float, rule: DecisionRule) -> float:
    """A probability-like score: 0.5 at the threshold, towards 1 for closer faces."""
    z = (rule.threshold - distance) / rule.softness
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def distance_matrix(faces: list[FaceVector], people: list[PersonVectors]) -> np.ndarray:
    """faces x people: each person's distance is to their closest reference."""
    if not faces or not people:
        return np.zeros((len(faces), len(people)), dtype=np.float32)
    face_mat = np.stack([f.vector for f in faces]).astype(np.float32)
    out = np.empty((len(faces), len(people)), dtype=np.float32)
    for j, person in enumerate(people):
        refs = np.asarray(person.vectors, dtype=np.float32).reshape(-1, face_mat.shape[1])
        d = np.linalg.norm(face_mat[:, None, :] - refs[None, :, :], axis=2)
        out[:, j] = d.min(axis=1)
    return out


def decide_photo(
    faces: list[FaceVector],
    people: list[PersonVectors],
    rule: DecisionRule,
    rejected: frozenset[tuple[int, int]] = frozenset(),
) -> dict[int, Verdict]:
    """Verdicts keyed by concept id, for the people the prefilter passes in this photo.

    ``rejected`` holds (region key, concept id) pairs the user said are wrong: they are never paired.
    """
    dist = distance_matrix(faces, people)
    verdicts: dict[int, Verdict] = {}
    if dist.size == 0:
        return verdicts
    if rejected:
        for i, face in enumerate(faces):
            for j, person in enumerate(people):
                if (face.region_id, person.concept_id) in rejected:
                    dist[i, j] = np.inf
    taken_faces: set[int] = set()
    taken_people: set[int] = set()
    for flat in np.argsort(dist, axis=None, kind="stable"):
        i, j = divmod(int(flat), dist.shape[1])
        d = float(dist[i, j])
        if d >= rule.threshold:
            break
        if i in taken_faces or j in taken_people:
            continue
        taken_faces.add(i)
        taken_people.add(j)
        verdicts[people[j].concept_id] = Verdict(
            present=True, score=score_of(d, rule), region_key=faces[i].region_id, distance=d
        )
    for j, person in enumerate(people):
        if person.concept_id in verdicts:
            continue
        d = float(dist[:, j].min())
        if d < rule.prefilter_radius:
            # Close but not chosen: either over the threshold, or its face went to a closer person.
            verdicts[person.concept_id] = Verdict(
                present=False, score=min(score_of(d, rule), 0.49), region_key=None, distance=d
            )
    return verdicts
