"""The ``vlm`` engine: the face engine says who is where, a general vision-language model writes
the caption and answers questions about what is seen.

Everything about people is the face engine's, by composition: its analyzer (which runs in worker
processes), its reference descriptions, its concepts and its joint decisions, in the same face
index. Only the caption (``decide``) and visual answers (``visual``) come from the model, given the
photo with the recognised people marked (``marking.py``); the model loads in the deciding process,
on the first caption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plvm_photos.engines.base import Decision, DescribedReference, Engine, PhotoToDecide, References, Region
from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngine, FaceEngineConfig
from plvm_photos.engines.face.people import RegisteredPeople
from plvm_photos.engines.face.space import FACE_KIND
from plvm_photos.engines.vlm.marking import DEFAULT_MARKING, MarkedPerson, Marking
from plvm_photos.engines.vlm.model import MarkedPhoto, VlmModel
from plvm_photos.engines.vlm.visual import VlmVisualAnswers
from plvm_photos.engines.vlm.weights import VlmOptions

if TYPE_CHECKING:
    from plvm_photos.imaging import DecodedImage


class VlmEngine(Engine):
    name = "vlm"
    kinds = ("person",)
    face_kind = FACE_KIND
    confirmed_faces_are_references = True  # the face engine's people (RegisteredPeople.of)

    def __init__(self, options: VlmOptions, face_config: FaceEngineConfig, marking: Marking = DEFAULT_MARKING):
        self.options = options
        self.face = FaceEngine(face_config)
        self.spaces = self.face.spaces
        self.model = VlmModel(options, marking)  # checks the weights first: one clear message if they are missing

    # --- people: the face engine's --------------------------------------------------------------
    def analyzer(self) -> FaceAnalyzer:
        return self.face.analyzer()

    def describe_reference(self, image: DecodedImage, kind: str, face: int | None, label: str) -> DescribedReference:
        return self.face.describe_reference(image, kind, face, label)

    def describe_face(self, photo_path: str, box, vector, label: str) -> DescribedReference:
        return self.face.describe_face(photo_path, box, vector, label)

    def describe_box(self, image: DecodedImage, box) -> Region:
        return self.face.describe_box(image, box)

    def concepts(self, references: References) -> RegisteredPeople:
        return self.face.concepts(references)

    def with_references(self, concepts: RegisteredPeople, concept_id, name, kind, references) -> RegisteredPeople:
        return self.face.with_references(concepts, concept_id, name, kind, references)

    def without(self, concepts: RegisteredPeople, concept_id) -> RegisteredPeople:
        return self.face.without(concepts, concept_id)

    # --- decisions: the face engine's verdicts, the model's caption -----------------------------
    def decide(self, photo: PhotoToDecide, concepts: RegisteredPeople, changed: frozenset[int] | None) -> Decision:
        decided = self.face.decide(photo, concepts, changed)
        return Decision(decided.verdicts, self._caption(photo, concepts, decided, changed))

    def _caption(self, photo: PhotoToDecide, concepts: RegisteredPeople, decided: Decision, changed: frozenset[int] | None) -> str:
        """The model's caption naming the people present as <name>, led by the structured caption
        when it does not name them all; kept as it was while who is present, on which face, is."""
        present = {cid: v for cid, v in decided.verdicts.items() if v.present}
        if not present:
            return decided.caption  # nobody to name: "no people" / "2 unknown people", no model run
        now = {(cid, v.region_key) for cid, v in present.items()}
        before = {(cid, v.region_key) for cid, v in photo.previous.items() if v.present}
        if changed is not None and now == before and photo.previous_caption:
            return photo.previous_caption
        from PIL import Image

        decoded = photo.image()
        boxes = {r.key: r.box for r in photo.regions}
        people = sorted((MarkedPerson(concepts.names[cid], tuple(round(c * decoded.scale) for c in boxes[v.region_key]))
                         for cid, v in present.items() if v.region_key in boxes), key=lambda p: (p.box[0], p.name))
        generated = self.model.caption(MarkedPhoto(Image.fromarray(decoded.pixels), tuple(people)))
        if generated and all(f"<{p.name}>" in generated for p in people):
            return generated
        return f"{decided.caption}: {generated}" if generated else decided.caption

    # --- visual questions -----------------------------------------------------------------------
    def visual(self) -> VlmVisualAnswers:
        return VlmVisualAnswers(self.model, self.options)
