"""Registered concepts as the plvm engine decides with them.

Each reference keeps its DINOv2 global token in the database (the prefilter) and its Aligner
outputs in ``plvm-concepts/<reference>.safetensors`` in the library folder, tagged with the
checkpoint they came from, so verdicts never recompute them (unless the checkpoint changes: then
they are recomputed once from the kept reference copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from plvm_photos.engines.base import Concepts, References
from plvm_photos.engines.face.space import FACE_TAG
from plvm_photos.errors import ImageError, LibraryError
from plvm_photos.store.layout import CONCEPT_TENSORS_DIR

PLVM_TAG = "plvm"  # concept_references.engine of DINOv2 global tokens


@dataclass
class RegisteredConcept:
    id: int
    name: str  # the display form: captions and prompts name the concept so
    kind: str
    images: list[str]  # reference copies (file names in references/) with a plvm reference row
    dino: np.ndarray  # (r, d) global tokens of the references
    face: np.ndarray | None  # (r, 128) face descriptors (hybrid mode, people only)
    tensors: list = field(default_factory=list)  # plvm_model Concepts, one per reference, loaded lazily


@dataclass(frozen=True)
class PlvmConcepts(Concepts):
    registered: tuple[RegisteredConcept, ...]  # concepts with a plvm reference, by id
    keys: Mapping[int, str]  # every stored concept's name as commands take it (``StoredConcept.name``)

    def decided(self) -> frozenset[int]:
        return frozenset(c.id for c in self.registered)


def plvm_concepts(references: References, hybrid: bool) -> PlvmConcepts:
    """Concepts with a DINOv2 reference; in hybrid mode, people keep their face descriptors too."""
    by_id = {c.id: c for c in references.concepts}
    entries: dict[int, dict] = {}
    for ref in references.vectors:
        entry = entries.setdefault(ref.concept_id, {"images": [], "dino": [], "face": []})
        if ref.tag == PLVM_TAG:
            entry["images"].append(ref.image)
            entry["dino"].append(ref.vector)
        elif ref.tag == FACE_TAG:
            entry["face"].append(ref.vector)
    out = []
    for cid, e in sorted(entries.items()):
        if not e["dino"]:
            continue  # registered under the face engine only: add-reference it again to use PLVM
        concept = by_id[cid]
        face = np.stack(e["face"]) if e["face"] and hybrid and concept.kind == "person" else None
        out.append(RegisteredConcept(cid, concept.display, concept.kind, e["images"], np.stack(e["dino"]), face))
    return PlvmConcepts(names=references.names(), registered=tuple(out), keys={c.id: c.name for c in references.concepts})


def tensor_path(root: Path, image_name: str) -> Path:
    return root / CONCEPT_TENSORS_DIR / (Path(image_name).stem + ".safetensors")


class ConceptTensors:
    """The Aligner outputs of references, on disk beside the library and in memory once loaded."""

    def __init__(self, root: Path, references_dir: Path, model):
        self.root = root
        self.references_dir = references_dir
        self.model = model  # plvm_photos.engines.plvm.model.PlvmModel

    def save(self, image_name: str, concept) -> None:
        path = tensor_path(self.root, image_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        self.model.save_concept(concept, tmp)
        tmp.replace(path)

    def forget(self, image_names: list[str]) -> None:
        for image in image_names:
            tensor_path(self.root, image).unlink(missing_ok=True)

    def of(self, concept: RegisteredConcept) -> list:
        """The concept's Aligner outputs (one per reference), read from the stored files."""
        if concept.tensors:
            return concept.tensors
        for image in concept.images:
            path = tensor_path(self.root, image)
            loaded = self.model.load_concept(concept.name, path) if path.is_file() else None
            if loaded is None:  # missing, or made by another checkpoint: encode the kept copy once
                loaded = self._reencode(concept.name, image)
            concept.tensors.append(loaded)
        return concept.tensors

    def _reencode(self, name: str, image_name: str):
        from PIL import Image

        from plvm_photos.imaging import decode

        source = self.references_dir / image_name
        try:
            image = decode(source, max_side=1600)
        except (ImageError, FileNotFoundError) as exc:
            raise LibraryError(f"the kept reference {source} of <{name}> is unusable ({exc}); add-reference it again") from None
        encoded = self.model.encode_reference(Image.fromarray(image.pixels), name)
        self.save(image_name, encoded.concept)
        return self.model.stored_form(encoded.concept)
