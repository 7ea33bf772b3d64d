"""Registering, renaming and removing concepts (people, pets, objects) with the plvm engine.

Registration encodes each reference once (DINOv2 global token + Aligner outputs, the latter kept
in a safetensors file), asks the FAISS index which photos may show the concept, and has PLVM give
the verdict on those photos (decoded again: P(Yes) needs the pixels). Everything is computed
first and stored in one transaction, so a failure adds nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select

from plvm_photos.db.models import Concept, Photo, Reference, Region, Verdict
from plvm_photos.imaging import ImageError, sha256_file
from plvm_photos.library import Library, LibraryError, copy_reference_image, photo_paths
from plvm_photos.names import show
from plvm_photos.engines.plvm.model import FACE, REGION_KINDS
from plvm_photos.engines.plvm.pipeline import FACE_KIND, PlvmPipeline, RegisteredConcept, StoredRegion, open_photo, tensor_path
from plvm_photos.engines.plvm.scan import INDEX_NAME


@dataclass(frozen=True)
class EncodedReference:
    path: Path
    box: tuple[int, int, int, int]
    vector: np.ndarray  # DINOv2 z_ref[0]
    concept: object  # Aligner outputs (plvm_model.Concept)
    face_vector: np.ndarray | None  # the face engine's descriptor (hybrid mode, people)
    face_box: tuple[int, int, int, int] | None


def _encode(pipeline: PlvmPipeline, path: Path, name: str, kind: str, face: int | None,
            face_config=None) -> EncodedReference:
    from PIL import Image

    from plvm_photos.engines.face.engine import FaceEngine, FaceEngineError

    from plvm_photos.curation.people import decode_reference

    decoded = decode_reference(path)
    image = Image.fromarray(decoded.pixels)
    box = (0, 0, decoded.full_width, decoded.full_height)
    face_vector = face_box = None
    if kind == "person" and (face is not None or pipeline.mode == "hybrid"):
        try:
            ref = FaceEngine(face_config).reference(decoded, face=face)
        except FaceEngineError as exc:
            if face is not None:  # --face N asks for a face: its absence is an error
                raise LibraryError(f"{path}: {exc}") from None
            ref = None  # hybrid without a clear face: this person is prefiltered by DINOv2 instead
        if ref is not None:
            face_vector, face_box = ref.vector, ref.box
            if face is not None:  # the chosen face of a group photo is the reference
                from plvm_photos.engines.plvm.model import face_crop

                s = decoded.scale
                crop = face_crop(tuple(v * s for v in ref.box), *image.size)
                image = image.crop(crop)
                box = decoded.to_full(crop)
    encoded = pipeline.engine.encode_reference(image, name)
    return EncodedReference(path, box, encoded.vector, encoded.concept, face_vector, face_box)


def _store_reference(pipeline: PlvmPipeline, session, concept: Concept, ref: EncodedReference) -> str:
    library = pipeline.library
    stored = copy_reference_image(library, ref.path, concept.name, sha256_file(ref.path))
    rows = [("plvm", ref.box, ref.vector)]
    if ref.face_vector is not None and pipeline.mode == "hybrid":
        rows.append((FACE_KIND, ref.face_box, ref.face_vector))
    for engine, box, vector in rows:
        session.add(
            Reference(concept=concept, image=stored, source_path=str(ref.path.resolve()), engine=engine,
                      left=box[0], top=box[1], right=box[2], bottom=box[3],
                      vector=np.asarray(vector, dtype=np.float32).tobytes())
        )
    pipeline.save_tensors(stored, ref.concept)
    return stored


def _candidate_photos(pipeline: PlvmPipeline, session, refs: list[EncodedReference], kind: str) -> set[int]:
    """Photos the FAISS prefilter passes for these references (nothing is decoded)."""
    library = pipeline.library
    region_ids: set[int] = set()
    faces = [r.face_vector for r in refs if r.face_vector is not None]
    if pipeline.mode == "hybrid" and kind == "person" and faces:
        for vector in faces:
            region_ids.update(n.region_id for n in library.index.within(vector, library.rule.prefilter_radius))
    else:
        dim = len(refs[0].vector)
        # Unit vectors: |a - b|^2 = 2 - 2 cos(a, b), so a cosine floor is a Euclidean radius.
        radius = float(np.sqrt(max(0.0, 2.0 - 2.0 * pipeline.options.min_similarity)))
        index = library.vector_index(INDEX_NAME, REGION_KINDS, dim)
        for ref in refs:
            region_ids.update(n.region_id for n in index.within(ref.vector, radius))
    photo_ids: set[int] = set()
    ids = sorted(region_ids)
    for start in range(0, len(ids), 500):
        photo_ids.update(session.scalars(select(Region.photo_id).where(Region.id.in_(ids[start : start + 500]))))
    return photo_ids


def _regions(session, photo_id: int) -> list[StoredRegion]:
    return [
        StoredRegion(r.id, r.kind, r.box, np.frombuffer(r.vector, dtype=np.float32))
        for r in session.scalars(select(Region).where(Region.photo_id == photo_id).order_by(Region.id))
    ]


@dataclass(frozen=True)
class PhotoUpdate:
    photo_id: int
    verdict: object  # plvm_pipeline.Decided for the new concept
    caption: str | None  # the new caption, where the concept is present


def verify_concept(pipeline: PlvmPipeline, session, concept: RegisteredConcept, photo_ids: set[int],
                   progress: bool = True) -> list[PhotoUpdate]:
    """PLVM verdicts for ``concept`` on each candidate photo, and captions where it is present."""
    from tqdm import tqdm

    paths = photo_paths(session, sorted(photo_ids))
    others = {c.id: c for c in pipeline.concepts(session) if c.id != concept.id}
    updates: list[PhotoUpdate] = []
    for photo_id in tqdm(sorted(paths), desc=f"verifying {show(concept.name)}", unit="photo",
                         disable=not progress or None, file=sys.stderr):
        regions = _regions(session, photo_id)
        match = pipeline.match(concept, regions)
        if match is None:
            continue  # a prefilter hit on a region kind this mode does not use
        try:
            decoded, image = open_photo(paths[photo_id])
        except (ImageError, OSError):
            continue  # the file is gone or changed: the next scan deals with it
        [decided] = pipeline.decide(image, {concept.id: match}, {concept.id: concept})
        caption = None
        if decided.present:
            caption = _caption_with(pipeline, session, photo_id, regions, image, concept, decided, others)
        updates.append(PhotoUpdate(photo_id, decided, caption))
    return updates


def _caption_with(pipeline, session, photo_id, regions, image, concept, decided, others) -> str:
    boxes = {r.key: r.box for r in regions}
    present = [(concept, boxes.get(decided.region_key))]
    claimed = {decided.region_key}
    for cid, region_id in session.execute(
        select(Verdict.concept_id, Verdict.region_id).where(Verdict.photo_id == photo_id, Verdict.present.is_(True))
    ).all():
        if cid in others:
            present.append((others[cid], boxes.get(region_id)))
            claimed.add(region_id)
    face_kind = FACE_KIND if pipeline.mode == "hybrid" else FACE
    unknown = sum(1 for r in regions if r.kind == face_kind and r.key not in claimed)
    photo = session.get(Photo, photo_id)
    return pipeline.caption(image, present, unknown, photo.width or 1, photo.height or 1)


def _apply(session, concept_id: int, updates: list[PhotoUpdate]) -> None:
    for u in updates:
        session.execute(delete(Verdict).where(Verdict.photo_id == u.photo_id, Verdict.concept_id == concept_id))
        d = u.verdict
        session.add(Verdict(photo_id=u.photo_id, concept_id=concept_id, region_id=d.region_key, present=d.present,
                            score=d.score, distance=d.distance, engine="plvm"))
        if u.caption is not None:
            session.get(Photo, u.photo_id).caption = u.caption


def _present_count(session, concept_id: int) -> int:
    from plvm_photos.library import current_photo_ids

    return len(set(session.scalars(select(Verdict.photo_id).where(
        Verdict.concept_id == concept_id, Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids())))))


def _with_references(pipeline: PlvmPipeline, concept_id: int, name: str, kind: str, refs: list[EncodedReference],
                     existing: RegisteredConcept | None = None) -> RegisteredConcept:
    """The concept as verification sees it: its stored references (if any) plus the new ones."""
    dino = [r.vector for r in refs]
    faces = [r.face_vector for r in refs if r.face_vector is not None]
    tensors = [r.concept for r in refs]
    if existing is not None:
        dino = list(existing.dino) + dino
        faces = (list(existing.face) if existing.face is not None else []) + faces
        tensors = pipeline.tensors_of(existing) + tensors
    face = np.stack(faces) if faces and pipeline.mode == "hybrid" and kind == "person" else None
    return RegisteredConcept(concept_id, name, kind, [], np.stack(dino), face, tensors)


def add_concept(library: Library, key: str, kind: str, paths: list[Path], face: int | None, progress: bool = True):
    from plvm_photos.curation.people import PersonAdded

    pipeline = PlvmPipeline(library)
    with library.session() as s:
        if s.scalar(select(Concept).where(Concept.name == key)) is not None:
            raise LibraryError(f"{show(key)} is already registered; use add-reference to give it another photo")
    refs = [_encode(pipeline, p, key, kind, face, library.face_config) for p in paths]
    registered = _with_references(pipeline, -1, key, kind, refs)  # its id comes with the commit below
    # The model runs on a read-only session: no write lock is held while photos are verified.
    with library.session() as session:
        candidates = _candidate_photos(pipeline, session, refs, kind)
        updates = verify_concept(pipeline, session, registered, candidates, progress)
    with library.transaction() as session:
        if session.scalar(select(Concept).where(Concept.name == key)) is not None:
            raise LibraryError(f"{show(key)} was registered meanwhile; use add-reference to give it another photo")
        concept = Concept(name=key, kind=kind)
        session.add(concept)
        session.flush()
        for ref in refs:
            _store_reference(pipeline, session, concept, ref)
        _apply(session, concept.id, updates)
        session.flush()
        photos = _present_count(session, concept.id)
    library.save_index()
    return PersonAdded(name=key, photos=photos, candidates=len(candidates), boxes=[r.box for r in refs])


def add_reference(library: Library, name: str, reference: Path, face: int | None, progress: bool = True):
    from plvm_photos.curation.people import PersonAdded

    pipeline = PlvmPipeline(library)
    with library.session() as s:
        found = library.concept(s, name)
        concept_id, key, kind = found.id, found.name, found.kind
        existing = next((c for c in pipeline.concepts(s) if c.id == concept_id), None)
    ref = _encode(pipeline, reference, key, kind, face, library.face_config)
    registered = _with_references(pipeline, concept_id, key, kind, [ref], existing)
    with library.session() as session:
        candidates = _candidate_photos(pipeline, session, [ref], kind)
        updates = verify_concept(pipeline, session, registered, candidates, progress)
    with library.transaction() as session:
        concept = library.concept(session, key)
        _store_reference(pipeline, session, concept, ref)
        _apply(session, concept.id, updates)
        session.flush()
        return PersonAdded(key, _present_count(session, concept.id), len(candidates), [ref.box])


def rename_captions(session, concept_id: int, old: str, new: str) -> None:
    """PLVM captions name concepts as <name>: the renamed one is rewritten in place (no model)."""
    photo_ids = set(session.scalars(select(Verdict.photo_id).where(Verdict.concept_id == concept_id)))
    for photo in session.scalars(select(Photo).where(Photo.id.in_(photo_ids))):
        if photo.caption:
            photo.caption = photo.caption.replace(show(old), show(new))


def structured_captions(session, photo_ids: set[int]) -> None:
    """After a removal: captions from the remaining verdicts and positions (no model is loaded)."""
    from plvm_photos.positions import PlacedPerson, caption

    for photo in session.scalars(select(Photo).where(Photo.id.in_(photo_ids))):
        face_kind = FACE_KIND if photo.engine == "hybrid" else FACE
        placed, claimed = [], set()
        for name, region in session.execute(
            select(Concept.name, Region).select_from(Verdict).join(Concept, Concept.id == Verdict.concept_id)
            .outerjoin(Region, Region.id == Verdict.region_id)
            .where(Verdict.photo_id == photo.id, Verdict.present.is_(True))
        ).all():
            if region is not None:
                placed.append(PlacedPerson(name, region.box))
                claimed.add(region.id)
        faces = session.scalars(select(Region.id).where(Region.photo_id == photo.id, Region.kind == face_kind)).all()
        photo.caption = caption(placed, len([f for f in faces if f not in claimed]), photo.width or 1, photo.height or 1)


def forget_tensors(library: Library, images: list[str]) -> None:
    for image in images:
        tensor_path(library, image).unlink(missing_ok=True)
