"""Questions about what is seen, answered by PLVM with the concepts' stored Aligner outputs."""

from __future__ import annotations

from typing import Sequence

from plvm_photos.engines.plvm.concepts import ConceptTensors, PlvmConcepts, RegisteredConcept
from plvm_photos.engines.plvm.model import MAX_SIDE, PlvmModel
from plvm_photos.engines.plvm.weights import PlvmOptions
from plvm_photos.errors import LibraryError


class PlvmVisualAnswers:
    limit_setting = "plvm.ask_limit"  # the setting that raises photo_limit

    def __init__(self, engine_name: str, model: PlvmModel, tensors: ConceptTensors, options: PlvmOptions):
        self.engine_name = engine_name
        self.model = model
        self.tensors = tensors
        self.photo_limit = options.ask_limit
        self.threshold = options.threshold
        self._concepts: dict[int, RegisteredConcept] = {}

    @property
    def max_concepts(self) -> int:
        return self.model.max_concepts

    def check(self, concepts: PlvmConcepts, concept_ids: Sequence[int]) -> None:
        registered = {c.id: c for c in concepts.registered}
        missing = [cid for cid in concept_ids if cid not in registered]
        if missing:
            names = [concepts.keys[cid] for cid in missing]
            raise LibraryError(
                f"{', '.join(f'<{n}>' for n in names)} was registered with the face engine only; give it a "
                f"reference under the {self.engine_name} engine (plvm-photos add-reference {names[0]} PHOTO)"
            )
        if len(concept_ids) > self.max_concepts:
            raise LibraryError(f"a visual question can name at most {self.max_concepts} concepts")
        self._concepts.update({cid: registered[cid] for cid in concept_ids})

    def _tensors(self, concept_ids: Sequence[int]) -> list:
        return [self.tensors.of(self._concepts[cid])[0] for cid in concept_ids]

    def open_photo(self, path: str, present=()):
        from PIL import Image

        from plvm_photos.imaging import decode

        return Image.fromarray(decode(path, max_side=MAX_SIDE).pixels)

    def yes_probability(self, image, prompt: str, concept_ids: Sequence[int]) -> float:
        return self.model.yes_probability(image, prompt, self._tensors(concept_ids))

    def answer(self, image, question: str, concept_ids: Sequence[int]) -> str:
        return self.model.answer(image, question, self._tensors(concept_ids)).strip()

    def choose(self, image, question: str, options, concept_ids: Sequence[int]) -> str | None:
        return self.model.choose(image, question, options, self._tensors(concept_ids))
