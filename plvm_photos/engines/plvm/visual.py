"""Questions about what is seen, answered by PLVM with the concepts' stored Aligner outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from plvm_photos.errors import LibraryError

if TYPE_CHECKING:
    from plvm_photos.engines.plvm.engine import PlvmLibraryEngine
    from plvm_photos.store.library_store import LibraryStore


class PlvmVisualAnswers:
    def __init__(self, engine: PlvmLibraryEngine, store: LibraryStore):
        self.engine = engine
        self.photo_limit = engine.options.ask_limit
        self.threshold = engine.options.threshold
        self._concepts: dict[int, object] = {}

    @property
    def max_concepts(self) -> int:
        return self.engine.model.max_concepts

    def check(self, session, concept_ids: Sequence[int]) -> None:
        registered = {c.id: c for c in self.engine.concepts(session)}
        missing = [cid for cid in concept_ids if cid not in registered]
        if missing:
            from plvm_photos.db.models import Concept

            names = [session.get(Concept, cid).name for cid in missing]
            raise LibraryError(
                f"{', '.join(f'<{n}>' for n in names)} was registered with the face engine only; give it a "
                f"reference under the {self.engine.name} engine (plvm-photos add-reference {names[0]} PHOTO)"
            )
        if len(concept_ids) > self.max_concepts:
            raise LibraryError(f"a visual question can name at most {self.max_concepts} concepts")
        self._concepts.update({cid: registered[cid] for cid in concept_ids})

    def _tensors(self, concept_ids: Sequence[int]) -> list:
        return [self.engine.tensors.of(self._concepts[cid])[0] for cid in concept_ids]

    def open_photo(self, path: str):
        from PIL import Image

        from plvm_photos.imaging import decode

        return Image.fromarray(decode(path, max_side=self.engine.analyzer().max_side).pixels)

    def yes_probability(self, image, prompt: str, concept_ids: Sequence[int]) -> float:
        return self.engine.model.yes_probability(image, prompt, self._tensors(concept_ids))

    def answer(self, image, question: str, concept_ids: Sequence[int]) -> str:
        return self.engine.model.answer(image, question, self._tensors(concept_ids)).strip()

    def choose(self, image, question: str, options, concept_ids: Sequence[int]) -> str | None:
        return self.engine.model.choose(image, question, options, self._tensors(concept_ids))
