"""Any library engine behind the evaluation protocol (``plvm_model.evaluation``).

Concepts are registered in a throwaway library through ``add_person`` — the path a user's
``add-person`` takes — and every query photo is analysed and decided by the engine against *all*
registered concepts at once, as a scan would. So ``plvm-photos eval`` measures the product: the
engine's prefilter, its joint decisions and its thresholds, not a bare model.

Multiple-choice questions about where <sks> is, which person <sks> is, or whether <sks> is in the
photo are answered from the decided boxes (``spatial.answer``); an engine that sees pixels
answers the others with its model; the rest are abstained on.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from plvm_model.evaluation import ConceptImage

from plvm_photos.engines.base import Analysis, Box, Concepts, PhotoToDecide, StoredRegion
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import InvalidNameError, LibraryError, SeveralFacesError
from plvm_photos.evaluation.spatial import answer as spatial_answer
from plvm_photos.imaging import from_pil
from plvm_photos.indexing.concepts import registered_concepts
from plvm_photos.library import Library
from plvm_photos.names import normalize
from plvm_photos.positions import iou

CACHED_DECISIONS = 256


@dataclass(frozen=True)
class BenchDecision:
    analysis: Analysis
    scores: dict[str, float]  # concept key -> P(present); 0 where the prefilter passed nothing
    boxes: dict[str, Box | None]  # concept key -> the region decided to be it (None when absent)


class LibraryBench:
    """``recognize(image, concepts)`` and ``choose(...)`` of one engine, configured by ``settings``
    (the keys of ``plvm-photos config``: engine, face.*, plvm.*)."""

    def __init__(self, settings: Mapping[str, str] | None = None, library_dir: str | Path | None = None):
        self._tmp = None if library_dir else tempfile.TemporaryDirectory(prefix="plvm-eval-")
        self.library = Library(library_dir or self._tmp.name)
        for key, value in (settings or {}).items():
            self.library.settings.set(key, value)
        self.engine = open_engine(self.library)  # a missing model says so here, before any work
        self.name = self.engine.name
        self.unusable: dict[str, str] = {}  # concept key -> why its reference could not be used
        self._keys: dict[tuple[str, Path], str] = {}
        self._concepts = None
        self._cache: dict[bytes, BenchDecision] = {}

    def close(self) -> None:
        self.library.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- concepts ----------------------------------------------------------------------------
    def register(self, concept: ConceptImage) -> str:
        """Add the concept to the throwaway library once; returns its library key. The data set
        says its identities are different people: look-alike references are registered anyway."""
        if (concept.name, concept.reference) in self._keys:
            return self._keys[(concept.name, concept.reference)]
        key = self._new_key(concept.name)
        try:
            self.library.add_person(key, [concept.reference], force=True)
        except SeveralFacesError as exc:
            boxes = exc.boxes
            best = (max(range(len(boxes)), key=lambda i: iou(boxes[i], concept.box)) if concept.box
                    else max(range(len(boxes)), key=lambda i: _area(boxes[i])))
            self.library.add_person(key, [concept.reference], face=best + 1, force=True)
        except LibraryError as exc:
            self.unusable[key] = str(exc)
        self._keys[(concept.name, concept.reference)] = key
        self._concepts = None
        self._cache.clear()  # decisions are joint over all registered concepts
        return key

    def _new_key(self, name: str) -> str:
        """A valid, unused library name for a data set's identity (folder names can be anything)."""
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

    def registered(self) -> tuple[Concepts, dict[str, int]]:
        """The engine's concepts as registered now, and each concept key's id."""
        if self._concepts is None:
            with self.library.session() as s:
                self._concepts = (registered_concepts(s, self.engine), self.library.known_ids(s))
        return self._concepts

    # --- photos ------------------------------------------------------------------------------
    def decide(self, image) -> BenchDecision:
        decoded = from_pil(image, self.engine.analyzer().max_side)
        digest = hashlib.blake2b(decoded.pixels.tobytes(), digest_size=16).digest()
        if digest in self._cache:
            return self._cache[digest]
        analysis = self.engine.analyzer().analyze(decoded)
        regions = [StoredRegion(i, r.kind, r.box, r.vector) for i, r in enumerate(analysis.regions)]
        concepts, ids = self.registered()
        photo = PhotoToDecide(analysis.width, analysis.height, regions, frozenset(), image=lambda: decoded)
        verdicts = self.engine.decide(photo, concepts, None).verdicts
        scores: dict[str, float] = {}
        boxes: dict[str, Box | None] = {}
        for key, cid in ids.items():
            v = verdicts.get(cid)
            scores[key] = v.score if v is not None else 0.0
            boxes[key] = analysis.regions[v.region_key].box if v is not None and v.present else None
        decision = BenchDecision(analysis, scores, boxes)
        if len(self._cache) >= CACHED_DECISIONS:
            self._cache.clear()
        self._cache[digest] = decision
        return decision

    def recognize(self, image, concepts: Sequence[ConceptImage]) -> list[float]:
        keys = [self.register(c) for c in concepts]
        decision = self.decide(image)
        return [decision.scores.get(k, 0.0) for k in keys]

    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence[ConceptImage]) -> str | None:
        """A letter from the decided boxes where geometry answers; else the engine's model, where
        it has one; else None (abstain)."""
        if not concepts:
            return None
        key = self.register(concepts[0])
        if image is not None:
            decision = self.decide(image)
            # Only the region the decision matched to <sks>: when <sks> was not recognised, the
            # closest face is as likely someone else (a turned head is often not detected), so abstain.
            target = decision.boxes.get(key)
            faces = [r.box for r in decision.analysis.regions if r.kind == self.engine.face_kind and r.box != target]
            letter = spatial_answer(question.replace(concepts[0].name, "<sks>"), options, target is not None, target,
                                    faces, decision.analysis.width, decision.analysis.height)
            if letter is not None:
                return letter
        visual = self.engine.visual()
        if visual is None or key in self.unusable:
            return None
        registered, ids = self.registered()
        visual.check(registered, [ids[key]])
        return visual.choose(image, question, options, [ids[key]])


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])
