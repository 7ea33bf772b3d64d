"""The face engine behind the PLVM evaluation protocol (``recognize`` / ``choose``).

Concepts are registered in a throwaway library through ``Library.add_person`` — the same path a
user's ``add-person`` takes — and every query photo is analysed by ``FaceEngine.analyze`` and
decided by ``decide.decide_photo`` against *all* registered people at once, as a scan would.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from plvm_photos.engines.face.decide import DecisionRule, FaceVector, decide_photo, distance_matrix, score_of
from plvm_photos.engines.base import Analysis, Box
from plvm_photos.engines.face.engine import FaceEngine, FaceEngineConfig, iou
from plvm_photos.evaluation.spatial import answer as spatial_answer
from plvm_photos.imaging import DecodedImage
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library
from plvm_photos.errors import InvalidNameError, SeveralFacesError
from plvm_photos.names import normalize


@dataclass(frozen=True)
class PhotoDecision:
    analysis: Analysis
    scores: dict[str, float]  # concept key -> P(present)
    boxes: dict[str, Box | None]  # concept key -> the face decided to be it (None when absent)


def to_decoded(image, max_side: int) -> DecodedImage:
    """A PIL image as the engine's input, reduced the way ``imaging.decode`` reduces photos."""
    from PIL import Image

    full_w, full_h = image.size
    image = image.convert("RGB")
    if max_side and max(image.size) > max_side:
        ratio = max_side / max(image.size)
        image = image.resize((max(1, round(image.width * ratio)), max(1, round(image.height * ratio))), Image.BILINEAR)
    return DecodedImage(np.ascontiguousarray(np.asarray(image, dtype=np.uint8)), full_w, full_h)


def _largest(boxes: list[Box]) -> int:
    return max(range(len(boxes)), key=lambda i: (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]))


class FaceBenchEngine:
    """``recognize(image, concepts)`` and ``choose(...)`` for ``plvm_model.evaluation``."""

    name = "face"

    def __init__(self, library_dir: str | Path | None = None, rule: DecisionRule | None = None,
                 config: FaceEngineConfig | None = None, face_boxes: Mapping[Path, Box] | None = None):
        self._tmp = None if library_dir else tempfile.TemporaryDirectory(prefix="plvm-eval-")
        self.library = Library(library_dir or self._tmp.name)
        self._rule = rule or DecisionRule()
        self.engine = FaceEngine(config, self._rule)
        self.face_boxes = dict(face_boxes or {})
        self.unusable: dict[str, str] = {}  # concept key -> why its reference gave no face
        self._keys: dict[tuple[str, Path], str] = {}
        self._people = None
        self._cache: dict[bytes, PhotoDecision] = {}

    @property
    def rule(self) -> DecisionRule:
        return self._rule

    def close(self) -> None:
        self.library.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- concepts ----------------------------------------------------------------------------
    def register(self, name: str, reference: Path) -> str:
        """Add the concept to the throwaway library once; returns its library key."""

        if (name, reference) in self._keys:
            return self._keys[(name, reference)]
        key = self._new_key(name)
        try:
            self.library.add_person(key, [reference], force=True)
        except SeveralFacesError as exc:
            hint = self.face_boxes.get(Path(reference))
            best = max(range(len(exc.boxes)), key=lambda i: iou(exc.boxes[i], hint)) if hint else _largest(exc.boxes)
            self.library.add_person(key, [reference], face=best + 1, force=True)
        except LibraryError as exc:
            self.unusable[key] = str(exc)
        self._keys[(name, reference)] = key
        self._people = None
        self._cache.clear()  # decisions are joint over all registered people
        return key

    def _new_key(self, name: str) -> str:
        """A valid, unused library name for a dataset identity (folder names can be anything)."""
        try:
            base = normalize(name)
        except InvalidNameError:
            slug = re.sub(r"[^a-z0-9_.\-]+", "_", name.strip("<>").lower()).strip("_.-")[:56]
            base = normalize(f"id_{slug or 'x'}")
        key, n = base, 1
        while key in self._keys.values():
            n += 1
            key = f"{base[:60]}_{n}"
        return key

    def _registered(self):
        from plvm_photos.engines.face.people import RegisteredPeople

        if self._people is None:
            with self.library.session() as s:
                self._people = RegisteredPeople.load(s)
        return self._people

    # --- photos ------------------------------------------------------------------------------
    def decide(self, image) -> PhotoDecision:
        decoded = to_decoded(image, self.engine.config.max_side)
        digest = hashlib.blake2b(decoded.pixels.tobytes(), digest_size=16).digest()
        if digest in self._cache:
            return self._cache[digest]
        analysis = self.engine.analyze(decoded)
        people = self._registered()
        faces = [FaceVector(i, r.vector) for i, r in enumerate(analysis.regions)]
        verdicts = decide_photo(faces, people.vectors, self.rule)
        dist = distance_matrix(faces, people.vectors)
        scores, boxes = {}, {}
        for j, person in enumerate(people.vectors):
            key = people.names[person.concept_id]
            v = verdicts.get(person.concept_id)
            closest = int(np.argmin(dist[:, j])) if len(faces) else None
            if v is not None:
                scores[key] = v.score
            else:
                scores[key] = min(score_of(float(dist[closest, j]), self.rule), 0.49) if closest is not None else 0.0
            boxes[key] = analysis.regions[v.region_key].box if v is not None and v.present else None
        decision = PhotoDecision(analysis, scores, boxes)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[digest] = decision
        return decision

    def recognize(self, image, concepts: Sequence) -> list[float]:
        keys = [self.register(c.name, c.reference) for c in concepts]
        decision = self.decide(image)
        return [decision.scores.get(k, 0.0) for k in keys]

    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence) -> str | None:
        """A letter for questions geometry answers; None (abstain) for the others and text-only ones."""
        if image is None or not concepts:
            return None
        key = self.register(concepts[0].name, concepts[0].reference)
        decision = self.decide(image)
        # Only the face the decision matched to <sks>: when <sks> was not recognised, the closest face
        # is as likely someone else (a turned head is often not detected at all), so abstain.
        target = decision.boxes.get(key)
        present = target is not None
        others = [r.box for r in decision.analysis.regions if r.box != target]
        question = question.replace(concepts[0].name, "<sks>")
        return spatial_answer(question, options, present, target, others,
                              decision.analysis.width, decision.analysis.height)
