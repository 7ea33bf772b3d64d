"""Registering, renaming and removing people (concepts) in a library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from plvm_photos.db.models import Concept, Reference, Region, Verdict
from plvm_photos.imaging import DecodedImage, ImageError, decode, sha256_file
from plvm_photos.library import Library, LibraryError, copy_reference_image
from plvm_photos.names import normalize, show
from plvm_photos.indexing.verdicts import refresh_photos

KINDS = ("person", "pet", "object")


class SeveralFacesInReference(LibraryError):
    """The reference shows several faces and no --face was given; ``boxes`` are left to right."""

    def __init__(self, message: str, boxes: list[tuple[int, int, int, int]]):
        super().__init__(message)
        self.boxes = boxes


@dataclass(frozen=True)
class PersonAdded:
    name: str
    photos: int  # current photos where the person is now present
    candidates: int  # photos the prefilter passed to a verdict
    boxes: list[tuple[int, int, int, int]]  # the face used in each reference


def decode_reference(path: Path) -> DecodedImage:
    """A reference photo's pixels, or a user-facing error saying why there are none."""
    if not path.is_file():
        raise LibraryError(f"reference photo not found: {path}")
    try:
        return decode(path, max_side=1600)
    except ImageError as exc:
        raise LibraryError(f"{path} is not a usable image: {exc}") from None


def _reference_vector(library: Library, path: Path, face: int | None):
    from plvm_photos.engines.face.engine import FaceEngine, FaceEngineError, SeveralFacesError

    image = decode_reference(path)
    try:
        return FaceEngine(library.face_config).reference(image, face=face)
    except SeveralFacesError as exc:
        raise SeveralFacesInReference(f"{path}: {exc}", exc.boxes) from None
    except FaceEngineError as exc:
        raise LibraryError(f"{path}: {exc}") from None


def _store_reference(library: Library, session, concept: Concept, path: Path, ref) -> None:
    stored_name = copy_reference_image(library, path, concept.name, sha256_file(path))
    session.add(
        Reference(
            concept=concept,
            image=stored_name,
            source_path=str(path.resolve()),
            engine="face",
            left=ref.box[0],
            top=ref.box[1],
            right=ref.box[2],
            bottom=ref.box[3],
            vector=np.asarray(ref.vector, dtype=np.float32).tobytes(),
        )
    )


def _candidate_photos(library: Library, session, vectors: list[np.ndarray]) -> set[int]:
    """Photos with a stored face near any of ``vectors``: the FAISS prefilter, no decoding."""
    region_ids: set[int] = set()
    for vector in vectors:
        region_ids.update(n.region_id for n in library.index.within(vector, library.rule.prefilter_radius))
    photo_ids: set[int] = set()
    ids = sorted(region_ids)
    for start in range(0, len(ids), 500):
        photo_ids.update(session.scalars(select(Region.photo_id).where(Region.id.in_(ids[start : start + 500]))))
    return photo_ids


def _present_count(session, concept_id: int) -> int:
    from plvm_photos.library import current_photo_ids

    return len(
        set(
            session.scalars(
                select(Verdict.photo_id).where(
                    Verdict.concept_id == concept_id,
                    Verdict.present.is_(True),
                    Verdict.photo_id.in_(current_photo_ids()),
                )
            )
        )
    )


def add_person(
    library: Library, name: str, references: list[str | Path], face: int | None = None, kind: str = "person"
) -> PersonAdded:
    key = normalize(name)
    if kind not in KINDS:
        raise LibraryError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    engine = library.settings.engine
    if kind != "person" and engine == "face":
        raise LibraryError(
            f"{show(key)} is a {kind}: concepts that are not people need the plvm engine "
            "(plvm-photos config engine plvm)"
        )
    if not references:
        raise LibraryError("add-person needs at least one reference photo")
    paths = [Path(p) for p in references]
    if engine != "face":
        from plvm_photos.engines.plvm.people import add_concept

        return add_concept(library, key, kind, paths, face)
    # Analyse every reference before touching the database, so a bad one adds nothing.
    refs = [_reference_vector(library, p, face) for p in paths]
    return _register(library, key, kind, list(zip(paths, refs)))


def _register(library: Library, key: str, kind: str, references: list[tuple[Path, object]]) -> PersonAdded:
    """Store a new concept with its (path, analysed face) references and re-decide the photos near
    them, in one transaction."""
    with library.transaction() as session:
        if session.scalar(select(Concept).where(Concept.name == key)) is not None:
            raise LibraryError(f"{show(key)} is already registered; use add-reference to give it another photo")
        concept = Concept(name=key, kind=kind)
        session.add(concept)
        for path, ref in references:
            _store_reference(library, session, concept, path, ref)
        session.flush()
        candidates = _candidate_photos(library, session, [ref.vector for _, ref in references])
        refresh_photos(session, candidates, library.rule)
        session.flush()
        photos = _present_count(session, concept.id)
    return PersonAdded(name=key, photos=photos, candidates=len(candidates), boxes=[ref.box for _, ref in references])


@dataclass(frozen=True)
class StoredFace:
    """A face already in the library used as a reference: the photo it is in, its box and vector."""

    path: Path
    box: tuple[int, int, int, int]
    vector: np.ndarray


def add_person_from_faces(library: Library, name: str, faces: list[StoredFace]) -> PersonAdded:
    """Register a person from stored faces (e.g. an unknown-face cluster): nothing is decoded."""
    key = normalize(name)
    if not faces:
        raise LibraryError("a person needs at least one face")
    return _register(library, key, "person", [(Path(f.path), f) for f in faces])


def add_reference(library: Library, name: str, reference: str | Path, face: int | None = None) -> PersonAdded:
    path = Path(reference)
    if library.settings.engine != "face":
        from plvm_photos.engines.plvm.people import add_reference as add_plvm_reference

        return add_plvm_reference(library, name, path, face)
    ref = _reference_vector(library, path, face)
    with library.transaction() as session:
        concept = library.concept(session, name)
        _store_reference(library, session, concept, path, ref)
        session.flush()
        candidates = _candidate_photos(library, session, [ref.vector])
        refresh_photos(session, candidates, library.rule)
        session.flush()
        return PersonAdded(concept.name, _present_count(session, concept.id), len(candidates), [ref.box])


def rename_person(library: Library, old: str, new: str) -> None:
    new_key = normalize(new)
    engine = library.settings.engine
    with library.transaction() as session:
        concept = library.concept(session, old)
        if concept.name == new_key:
            return
        if session.scalar(select(Concept).where(Concept.name == new_key)) is not None:
            raise LibraryError(f"{show(new_key)} is already registered")
        old_key = concept.name
        concept.name = new_key
        session.flush()
        if engine != "face":  # PLVM captions are text: rewrite the name in place, no model needed
            from plvm_photos.engines.plvm.people import rename_captions

            rename_captions(session, concept.id, old_key, new_key)
            return
        # Captions name people, so the photos that show this person get theirs rewritten.
        affected = set(session.scalars(select(Verdict.photo_id).where(Verdict.concept_id == concept.id)))
        refresh_photos(session, affected, library.rule)


def remove_person(library: Library, name: str) -> int:
    """Remove a person, their references and verdicts; returns how many photos were re-decided."""
    engine = library.settings.engine
    with library.transaction() as session:
        concept = library.concept(session, name)
        affected = set(session.scalars(select(Verdict.photo_id).where(Verdict.concept_id == concept.id)))
        images = [r.image for r in concept.references]
        session.delete(concept)
        session.flush()
        if engine != "face":
            from plvm_photos.engines.plvm.people import forget_tensors, structured_captions

            structured_captions(session, affected)
            forget_tensors(library, images)
        else:
            # A face this person had claimed may now belong to someone else.
            refresh_photos(session, affected, library.rule)
    for image in images:
        (library.references_dir / image).unlink(missing_ok=True)
    return len(affected)
