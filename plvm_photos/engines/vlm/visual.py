"""Questions about what is seen, answered by the vlm engine's model on photos with the people the
face engine recognised in them marked."""

from __future__ import annotations

import os
from typing import Sequence

from plvm_photos.engines.base import PresentPerson
from plvm_photos.engines.face.people import RegisteredPeople
from plvm_photos.engines.vlm.marking import MarkedPerson
from plvm_photos.engines.vlm.model import MAX_SIDE, MarkedPhoto, VlmModel
from plvm_photos.engines.vlm.weights import VlmOptions
from plvm_photos.errors import LibraryError

MAX_NAMED = 8  # people one question may name


def marked_people(present: Sequence[PresentPerson], scale: float) -> tuple[MarkedPerson, ...]:
    """The people decided present in a photo, their face boxes scaled by ``scale`` (full-size
    pixels to the decoded image's), left to right."""
    people = [MarkedPerson(p.name, tuple(round(v * scale) for v in p.box)) for p in present]
    return tuple(sorted(people, key=lambda p: (p.box[0], p.name)))


class VlmVisualAnswers:
    max_concepts = MAX_NAMED
    limit_setting = "vlm.ask_limit"  # the setting that raises photo_limit

    def __init__(self, model: VlmModel, options: VlmOptions):
        self.model = model
        self.photo_limit = options.ask_limit
        self.threshold = options.threshold

    def check(self, concepts: RegisteredPeople, concept_ids: Sequence[int]) -> None:
        with_faces = concepts.decided()
        missing = [concepts.names.get(cid, str(cid)) for cid in concept_ids if cid not in with_faces]
        if missing:
            raise LibraryError(
                f"{', '.join(f'<{n}>' for n in missing)} has no face reference, and the vlm engine shows the model "
                f"the people the face engine recognises (plvm-photos add-reference {missing[0]} PHOTO)"
            )
        if len(concept_ids) > self.max_concepts:
            raise LibraryError(f"a visual question can name at most {self.max_concepts} people")

    def open_photo(self, path: str, present: Sequence[PresentPerson]) -> MarkedPhoto:
        from PIL import Image

        from plvm_photos.imaging import decode

        stat = os.stat(path)
        image = decode(path, max_side=MAX_SIDE)
        people = marked_people(present, image.scale)
        return MarkedPhoto(Image.fromarray(image.pixels), people, key=(path, stat.st_size, stat.st_mtime_ns))

    def yes_probability(self, image: MarkedPhoto, prompt: str, concept_ids: Sequence[int]) -> float:
        return self.model.yes_probability(image, prompt)

    def answer(self, image: MarkedPhoto, question: str, concept_ids: Sequence[int]) -> str:
        return self.model.answer(image, question)

    def choose(self, image: MarkedPhoto | None, question: str, options, concept_ids: Sequence[int]) -> str | None:
        return self.model.choose(image, question, options)
