"""The plvm engine bound to a library: registered concepts, the prefilter, verdicts and captions.

Modes (the library's ``engine`` setting):
- ``plvm``: a concept's candidates are the photos with a region whose DINOv2 global token is at
  least ``plvm.min_similarity`` (cosine) from the reference's ``z_ref[0]``;
- ``hybrid``: for people with a face reference, the face engine's descriptor distance is the
  prefilter instead (pets, objects and faceless references still use DINOv2).
Either way the verdict is PLVM's P(Yes) for "Is <x> in this photo?" and the caption is PLVM's.

The Aligner outputs of each reference are kept in ``plvm-concepts/<reference>.safetensors`` in the
library folder, tagged with the checkpoint they came from, so verdicts never recompute them
(unless the checkpoint changes, when they are recomputed once from the kept reference copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Reference
from plvm_photos.imaging import ImageError, decode
from plvm_photos.library import Library, LibraryError
from plvm_photos.positions import PlacedPerson, caption as structured_caption
from plvm_photos.engines.plvm.model import FACE, MAX_SIDE, REGION_KINDS, PlvmEngine
from plvm_photos.engines.plvm.weights import PlvmOptions

CONCEPTS_DIR = "plvm-concepts"
FACE_KIND = "face"


@dataclass
class RegisteredConcept:
    id: int
    name: str
    kind: str
    images: list[str]  # reference copies (file names in references/) with a plvm reference row
    dino: np.ndarray  # (r, d) global tokens of the references
    face: np.ndarray | None  # (r, 128) face descriptors (hybrid mode, people only)
    tensors: list = field(default_factory=list)  # plvm_model Concepts, one per reference, loaded lazily


@dataclass(frozen=True)
class StoredRegion:
    """A region as the prefilter sees it: ``key`` is its id (or its position before it is stored)."""

    key: int
    kind: str
    box: tuple[int, int, int, int]
    vector: np.ndarray


@dataclass(frozen=True)
class Match:
    region_key: int
    distance: float  # 1 - cosine similarity (DINOv2) or the face descriptor distance (hybrid)


@dataclass(frozen=True)
class Decided:
    concept_id: int
    present: bool
    score: float
    region_key: int | None
    distance: float


def tensor_path(library: Library, image_name: str) -> Path:
    return library.root / CONCEPTS_DIR / (Path(image_name).stem + ".safetensors")


def face_radius(library: Library) -> float:
    """The face engine's prefilter radius (hybrid mode uses the face engine's own cut)."""
    return library.rule.prefilter_radius


class PlvmPipeline:
    def __init__(self, library: Library, engine: PlvmEngine | None = None):
        values = library.settings.all()
        self.library = library
        self.mode = values["engine"] if values["engine"] != "face" else "plvm"
        self.options = PlvmOptions.from_settings(values)
        self.engine = engine or PlvmEngine(self.options)

    # --- concepts -------------------------------------------------------------------------------
    def concepts(self, session: Session) -> list[RegisteredConcept]:
        rows = session.execute(
            select(Concept.id, Concept.name, Concept.kind, Reference.engine, Reference.image, Reference.vector)
            .join(Reference, Reference.concept_id == Concept.id)
            .order_by(Concept.id, Reference.id)
        ).all()
        by_id: dict[int, dict] = {}
        for cid, name, kind, engine, image, blob in rows:
            entry = by_id.setdefault(cid, {"name": name, "kind": kind, "images": [], "dino": [], "face": []})
            vector = np.frombuffer(blob, dtype=np.float32)
            if engine == "plvm":
                entry["images"].append(image)
                entry["dino"].append(vector)
            elif engine == FACE_KIND:
                entry["face"].append(vector)
        out = []
        for cid, e in by_id.items():
            if not e["dino"]:
                continue  # registered under the face engine only: add-reference it again to use PLVM
            face = np.stack(e["face"]) if e["face"] and self.mode == "hybrid" and e["kind"] == "person" else None
            out.append(RegisteredConcept(cid, e["name"], e["kind"], e["images"], np.stack(e["dino"]), face))
        return out

    def save_tensors(self, image_name: str, concept) -> None:
        from safetensors.torch import save_file

        path = tensor_path(self.library, image_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file(self.engine.concept_to_tensors(concept), str(path), metadata={"aligner": self.engine.checkpoint_identity()})

    def tensors_of(self, concept: RegisteredConcept) -> list:
        """The concept's Aligner outputs (one per reference), read from the stored files."""
        if concept.tensors:
            return concept.tensors
        from safetensors import safe_open

        identity = self.engine.checkpoint_identity()
        for image in concept.images:
            path = tensor_path(self.library, image)
            tensors = None
            if path.is_file():
                with safe_open(str(path), framework="pt") as f:
                    if (f.metadata() or {}).get("aligner") == identity:
                        tensors = {k: f.get_tensor(k) for k in f.keys()}
            if tensors is None:  # missing, or made by another checkpoint: encode the kept copy once
                tensors = self._reencode(concept.name, image)
            concept.tensors.append(self.engine.concept_from_tensors(concept.name, tensors))
        return concept.tensors

    def _reencode(self, name: str, image_name: str) -> dict:
        source = self.library.references_dir / image_name
        try:
            image = decode(source, max_side=1600)
        except (ImageError, FileNotFoundError) as exc:
            raise LibraryError(f"the kept reference {source} of <{name}> is unusable ({exc}); add-reference it again") from None
        from PIL import Image

        encoded = self.engine.encode_reference(Image.fromarray(image.pixels), name)
        self.save_tensors(image_name, encoded.concept)
        return self.engine.concept_to_tensors(encoded.concept)

    # --- prefilter ------------------------------------------------------------------------------
    def match(self, concept: RegisteredConcept, regions: list[StoredRegion]) -> Match | None:
        """The region that best matches ``concept`` if it passes the prefilter, else None."""
        if concept.face is not None:
            faces = [r for r in regions if r.kind == FACE_KIND]
            if not faces:
                return None
            mat = np.stack([r.vector for r in faces])
            dist = np.linalg.norm(mat[:, None, :] - concept.face[None, :, :], axis=2).min(axis=1)
            best = int(dist.argmin())
            if dist[best] >= face_radius(self.library):
                return None
            return Match(faces[best].key, float(dist[best]))
        plvm = [r for r in regions if r.kind in REGION_KINDS]
        if not plvm:
            return None
        sims = (np.stack([r.vector for r in plvm]) @ concept.dino.T).max(axis=1)
        if float(sims.max()) < self.options.min_similarity:
            return None
        best = int(sims.argmax())
        if concept.kind == "person":  # point at the face that matches best, when one passes
            faces = [i for i, r in enumerate(plvm) if r.kind == FACE and sims[i] >= self.options.min_similarity]
            if faces:
                best = max(faces, key=lambda i: sims[i])
        return Match(plvm[best].key, float(1.0 - sims[best]))

    # --- verdicts and captions ------------------------------------------------------------------
    def decide(self, image, candidates: dict[int, Match], concepts: dict[int, RegisteredConcept]) -> list[Decided]:
        """PLVM P(Yes) for every candidate concept in one photo, batched over concepts and references."""
        flat, owners = [], []
        for cid in candidates:
            for tensors in self.tensors_of(concepts[cid]):
                flat.append(tensors)
                owners.append(cid)
        probs = self.engine.recognize(image, flat)
        best: dict[int, float] = {}
        for cid, p in zip(owners, probs):
            best[cid] = max(best.get(cid, 0.0), p)
        out = []
        for cid, match in candidates.items():
            present = best[cid] >= self.options.threshold
            out.append(Decided(cid, present, best[cid], match.region_key if present else None, match.distance))
        return out

    def caption(
        self,
        image,
        present: list[tuple[RegisteredConcept, tuple[int, int, int, int] | None]],
        unknown_faces: int,
        width: int,
        height: int,
    ) -> str:
        """PLVM's caption naming the present concepts; the structured one leads where it names none."""
        placed = [PlacedPerson(c.name, box) for c, box in present if box is not None]
        structured = structured_caption(placed, unknown_faces, width, height)
        if not present:
            return structured
        present = sorted(present, key=lambda cb: (cb[1] or (0,))[0])
        generated = self.engine.caption(image, [self.tensors_of(c)[0] for c, _ in present]).strip()
        names = [f"<{c.name}>" for c, _ in present[: self.engine.max_concepts]]
        if generated and all(n in generated for n in names):
            return generated
        lead = structured if placed else " and ".join(f"<{c.name}>" for c, _ in present)
        return f"{lead}: {generated}" if generated else lead


def open_photo(path: str):
    """A stored photo as the model sees it (EXIF-oriented, long side ``MAX_SIDE``)."""
    from PIL import Image

    decoded = decode(path, max_side=MAX_SIDE)
    return decoded, Image.fromarray(decoded.pixels)
