"""Adapts a :class:`plvm_model.lvlm.PLVM` to the evaluation protocol's engine interface."""

from __future__ import annotations

from typing import Mapping, Sequence

from .evaluation import ConceptImage


class PLVMBenchEngine:
    """``recognize``/``choose`` over :class:`ConceptImage`, caching each reference's Aligner output."""

    def __init__(self, model, scoring: str = "letter"):
        self.model = model
        self.scoring = scoring
        self._concepts = {}

    def concepts(self, refs: Sequence[ConceptImage]):
        missing = [r for r in refs if (r.name, r.reference) not in self._concepts]
        if missing:
            encoded = self.model.encode_concepts([r.open() for r in missing], [r.name for r in missing])
            self._concepts.update({(r.name, r.reference): c for r, c in zip(missing, encoded)})
        return [self._concepts[(r.name, r.reference)] for r in refs]

    def recognize(self, image, concepts: Sequence[ConceptImage]) -> list[float]:
        return self.model.recognize(image, self.concepts(concepts))

    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence[ConceptImage]) -> str:
        return self.model.choose(image, question, options, self.concepts(concepts), scoring=self.scoring).letter
