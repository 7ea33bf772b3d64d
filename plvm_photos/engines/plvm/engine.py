"""The ``plvm`` and ``hybrid`` engines: PLVM (Aligner + LLaVA) gives verdicts and captions.

- ``plvm``: a concept's candidates are the photos with a region whose DINOv2 global token is at
  least ``plvm.min_similarity`` (cosine) from the reference's ``z_ref[0]``; regions are the whole
  photo, each face and four covering crops (``model.PlvmModel.analyze``).
- ``hybrid``: people with a face reference are prefiltered by the face engine's descriptor
  distance instead (pets, objects and faceless references still use DINOv2); the face engine's
  own face regions are stored beside the DINOv2 ones.
Either way the verdict is PLVM's P(Yes) for "Is <x> in this photo?" and the caption is PLVM's.
Analysis runs in this process (``PlvmAnalyzer.in_process``): LLaVA is far too big to load once
per worker, and torch uses every core by itself.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from plvm_photos.engines.base import (
    Analysis,
    Decision,
    DescribedReference,
    Engine,
    PhotoToDecide,
    References,
    ReferenceVector,
    StoredRegion,
    Verdict,
)
from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngineConfig
from plvm_photos.engines.face.space import FACE_KIND, FACE_SPACE, FACE_TAG
from plvm_photos.engines.plvm.concepts import PLVM_TAG, ConceptTensors, PlvmConcepts, RegisteredConcept, plvm_concepts
from plvm_photos.engines.plvm.model import FACE, MAX_SIDE, REGION_KINDS, PlvmModel
from plvm_photos.engines.plvm.visual import PlvmVisualAnswers
from plvm_photos.engines.plvm.weights import PlvmOptions
from plvm_photos.errors import BadReferenceError, LibraryError, NoFaceError, SeveralFacesError
from plvm_photos.positions import PlacedPerson, face_crop
from plvm_photos.positions import caption as structured_caption
from plvm_photos.store.spaces import VectorSpace

if TYPE_CHECKING:
    from plvm_photos.imaging import DecodedImage


class PlvmAnalyzer:
    """Faces (dlib) and DINOv2 global tokens of a photo; runs in the deciding process."""

    in_process = True
    max_side = MAX_SIDE

    def __init__(self, model: PlvmModel, face_config: FaceEngineConfig, hybrid: bool):
        self.model = model
        self.faces = FaceAnalyzer(face_config)
        self.hybrid = hybrid

    def warm_up(self) -> None:
        self.faces.warm_up()

    def analyze(self, image: DecodedImage) -> Analysis:
        faces = self.faces.analyze(image).regions
        analysis = self.model.analyze(image, faces)
        if self.hybrid:  # the face engine's own regions are the people prefilter
            return Analysis(analysis.width, analysis.height, faces + analysis.regions)
        return analysis


class PlvmLibraryEngine(Engine):
    kinds = ("person", "pet", "object")

    def __init__(self, root: Path, references_dir: Path, options: PlvmOptions, face_config: FaceEngineConfig,
                 hybrid: bool):
        """``root``: the library's folder (Aligner outputs are kept under it); ``references_dir``:
        its reference copies (encoded again when the Aligner checkpoint changed)."""
        self.name = "hybrid" if hybrid else "plvm"
        self.hybrid = hybrid
        self.options = options
        self.model = PlvmModel(options)  # checks the weights first: one clear message if any is missing
        self.tensors = ConceptTensors(root, references_dir, self.model)
        self.face_kind = FACE_KIND if hybrid else FACE
        # Unit vectors: |a - b|^2 = 2 - 2 cos(a, b), so a cosine floor is a Euclidean radius.
        plvm_space = VectorSpace("plvm", REGION_KINDS, PLVM_TAG,
                                 radius=math.sqrt(max(0.0, 2.0 - 2.0 * options.min_similarity)))
        self.spaces = (FACE_SPACE, plvm_space) if hybrid else (plvm_space,)
        self._analyzer = PlvmAnalyzer(self.model, face_config, hybrid)

    def analyzer(self) -> PlvmAnalyzer:
        return self._analyzer

    # --- references -----------------------------------------------------------------------------
    def describe_reference(self, image: DecodedImage, kind: str, face: int | None, label: str) -> DescribedReference:
        from PIL import Image

        pil = Image.fromarray(image.pixels)
        box = (0, 0, image.full_width, image.full_height)
        found = None
        if kind == "person" and (face is not None or self.hybrid):
            try:
                found = self._analyzer.faces.reference_face(image, face)
            except (NoFaceError, SeveralFacesError, BadReferenceError):
                if face is not None:  # --face N asks for a face: its absence is an error
                    raise
                # hybrid without one clear face: this person is prefiltered by DINOv2 instead
        if found is not None and face is not None:  # the chosen face of a group photo is the reference
            crop = face_crop(tuple(v * image.scale for v in found.box), *pil.size)
            pil = pil.crop(crop)
            box = image.to_full(crop)
        encoded = self.model.encode_reference(pil, label)
        by_face = self.hybrid and found is not None
        vectors = [ReferenceVector(PLVM_TAG, box, encoded.vector, prefilter=not by_face)]
        if by_face:
            vectors.append(ReferenceVector(FACE_TAG, found.box, found.vector))
        return DescribedReference(box, tuple(vectors), artefacts=encoded.concept)

    def keep_artefacts(self, reference_image: str, described: DescribedReference) -> None:
        self.tensors.save(reference_image, described.artefacts)

    def forget_artefacts(self, reference_images: list[str]) -> None:
        self.tensors.forget(reference_images)

    # --- concepts -------------------------------------------------------------------------------
    def concepts(self, references: References) -> PlvmConcepts:
        return plvm_concepts(references, self.hybrid)

    def with_references(self, concepts: PlvmConcepts, concept_id, name, kind,
                        references: Sequence[DescribedReference]) -> PlvmConcepts:
        old = next((c for c in concepts.registered if c.id == concept_id), None)
        dino = [r.vector for ref in references for r in ref.vectors if r.tag == PLVM_TAG]
        faces = [r.vector for ref in references for r in ref.vectors if r.tag == FACE_TAG]
        tensors = [ref.artefacts for ref in references]
        if old is not None:
            dino = list(old.dino) + dino
            faces = (list(old.face) if old.face is not None else []) + faces
            tensors = list(self.tensors.of(old)) + tensors
        face = np.stack(faces) if faces and self.hybrid and kind == "person" else None
        added = RegisteredConcept(concept_id, name, kind, [], np.stack(dino), face, tensors)
        return PlvmConcepts(names={**concepts.names, concept_id: name},
                            registered=tuple(c for c in concepts.registered if c.id != concept_id) + (added,),
                            keys=concepts.keys)

    def without(self, concepts: PlvmConcepts, concept_id) -> PlvmConcepts:
        return PlvmConcepts(names={k: v for k, v in concepts.names.items() if k != concept_id},
                            registered=tuple(c for c in concepts.registered if c.id != concept_id),
                            keys={k: v for k, v in concepts.keys.items() if k != concept_id})

    # --- decisions ------------------------------------------------------------------------------
    def match(self, concept: RegisteredConcept, photo: PhotoToDecide) -> StoredRegion | None:
        """The region that best matches ``concept`` if it passes the prefilter, else None."""
        regions = [r for r in photo.regions if not photo.is_rejected(r.key, concept.id)]
        if concept.face is not None:
            faces = [r for r in regions if r.kind == FACE_KIND]
            if not faces:
                return None
            dist = np.linalg.norm(np.stack([r.vector for r in faces])[:, None, :] - concept.face[None], axis=2).min(axis=1)
            best = int(dist.argmin())
            return faces[best] if dist[best] < FACE_SPACE.radius else None
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
        return plvm[best]

    def decide(self, photo: PhotoToDecide, concepts: PlvmConcepts, changed: frozenset[int] | None) -> Decision:
        """P(Yes) for every concept whose references changed (all, for a new photo) and passes the
        prefilter, batched over concepts and references with one cached image prefix; the other
        concepts keep their previous verdicts. The caption is generated again where who is
        present changed."""
        verdicts: dict[int, Verdict] = {}
        matches: dict[int, StoredRegion] = {}
        confirmed = photo.confirmed_regions()
        for concept in concepts.registered:
            if concept.id in confirmed:  # the user said so: no model asked
                verdicts[concept.id] = Verdict(True, 1.0, confirmed[concept.id], None)
                continue
            if changed is not None and concept.id not in changed:
                if concept.id in photo.previous:
                    verdicts[concept.id] = photo.previous[concept.id]
                continue
            if photo.is_rejected(None, concept.id):
                continue
            region = self.match(concept, photo)
            if region is not None:
                matches[concept.id] = region
        pixels = None
        if matches:
            pixels = self._image(photo)
            verdicts.update(self._verify(pixels, photo, matches, {c.id: c for c in concepts.registered}))
        return Decision(verdicts, self._caption(photo, concepts, verdicts, changed, pixels))

    def _image(self, photo: PhotoToDecide):
        from PIL import Image

        return Image.fromarray(photo.image().pixels)

    def _verify(self, image, photo: PhotoToDecide, matches: dict[int, StoredRegion],
                by_id: dict[int, RegisteredConcept]) -> dict[int, Verdict]:
        flat, owners = [], []
        for cid in matches:
            for tensors in self.tensors.of(by_id[cid]):
                flat.append(tensors)
                owners.append(cid)
        best: dict[int, float] = {}
        for cid, p in zip(owners, self.model.recognize(image, flat)):
            best[cid] = max(best.get(cid, 0.0), p)
        out = {}
        for cid, region in matches.items():
            present = best[cid] >= self.options.threshold
            distance = _distance(region, by_id[cid])
            out[cid] = Verdict(present, best[cid], region.key if present else None, distance)
        return out

    def _caption(self, photo: PhotoToDecide, concepts: PlvmConcepts, verdicts: dict[int, Verdict], changed, image) -> str:
        by_id = {c.id: c for c in concepts.registered}
        present = {cid for cid, v in verdicts.items() if v.present and cid in by_id}
        before = {cid for cid, v in photo.previous.items() if v.present}
        if changed is not None and present == before and not (present & changed) and photo.previous_caption:
            return photo.previous_caption
        boxes = {r.key: r.box for r in photo.regions}
        people = sorted(((by_id[cid], boxes.get(verdicts[cid].region_key)) for cid in present),
                        key=lambda cb: ((cb[1] or (0,))[0], cb[0].name))
        claimed = {verdicts[cid].region_key for cid in present}
        unknown = sum(1 for r in photo.regions if r.kind == self.face_kind and r.key not in claimed)
        placed = [PlacedPerson(c.name, box) for c, box in people if box is not None]
        structured = structured_caption(placed, unknown, photo.width, photo.height)
        if not people:
            return structured
        image = image if image is not None else self._image(photo)
        generated = self.model.caption(image, [self.tensors.of(c)[0] for c, _ in people]).strip()
        names = [f"<{c.name}>" for c, _ in people[: self.model.max_concepts]]
        if generated and all(n in generated for n in names):
            return generated
        lead = structured if placed else " and ".join(f"<{c.name}>" for c, _ in people)
        return f"{lead}: {generated}" if generated else lead

    # --- visual questions -----------------------------------------------------------------------
    def visual(self) -> PlvmVisualAnswers:
        return PlvmVisualAnswers(self.name, self.model, self.tensors, self.options)


def _distance(region: StoredRegion, concept: RegisteredConcept) -> float:
    """1 - cosine similarity (DINOv2), or the face descriptor distance (hybrid people)."""
    if concept.face is not None and region.kind == FACE_KIND:
        return float(np.linalg.norm(concept.face - region.vector[None], axis=1).min())
    if region.kind in REGION_KINDS:
        return float(1.0 - (concept.dino @ region.vector).max())
    raise LibraryError(f"region kind {region.kind!r} cannot be compared with <{concept.name}>")
