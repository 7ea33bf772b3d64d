"""Registering, renaming and removing people (concepts), for every engine.

A reference is described by the library's engine before anything is stored, so a bad reference
adds nothing; the photos it may show are found by the engine's prefilter (no photo is decoded for
that), and their verdicts are decided again through ``indexing.decisions.update_decisions``, in
one transaction with the registration itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from plvm_photos.curation import journal
from plvm_photos.curation.journal import Recorder
from plvm_photos.curation.redecide import photos_of_concepts
from plvm_photos.db.models import Concept, Photo, Reference, Verdict
from plvm_photos.db.queries import present_photo_count
from plvm_photos.engines.base import DescribedReference, Engine, PhotoToDecide, StoredRegion
from plvm_photos.engines.catalog import engines_for_kind
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import BadReferenceError, ImageError, LibraryError
from plvm_photos.imaging import DecodedImage, decode_bytes
from plvm_photos.indexing.concepts import registered_concepts
from plvm_photos.indexing.decisions import prefilter_candidates, update_decisions
from plvm_photos.names import Name, file_stem, parse_name, show
from plvm_photos.positions import iou
from plvm_photos.store.library_store import LibraryStore

KINDS = ("person", "pet", "object")
PROVISIONAL_ID = -1  # a new concept's id while its decisions are previewed


@dataclass(frozen=True)
class PersonAdded:
    name: str
    photos: int  # current photos where the person is now present
    candidates: int  # photos the prefilter passed to a verdict
    boxes: list[tuple[int, int, int, int]]  # the face (or region) used in each reference


@dataclass(frozen=True)
class NewReference:
    path: Path
    sha256: str
    described: DescribedReference


@dataclass(frozen=True)
class StoredFace:
    """A face already in the library used as a reference: the photo it is in, its box and vector."""

    path: Path
    box: tuple[int, int, int, int]
    vector: np.ndarray


MAX_REFERENCE_BYTES = 512 * 1024 * 1024


def read_reference(path: Path) -> bytes:
    """A reference photo's bytes, or a user-facing error saying truly why there are none (a FIFO
    or a device is refused without reading it, never waited on or read forever)."""
    from plvm_photos.safe_write import NotRegularFile, open_regular

    try:
        with open_regular(path) as fh:
            data = fh.read(MAX_REFERENCE_BYTES + 1)
    except FileNotFoundError:
        raise LibraryError(f"reference photo not found: {path}") from None
    except IsADirectoryError:
        raise LibraryError(f"{path} is a folder; give a reference photo (an image file)") from None
    except NotRegularFile:
        raise LibraryError(f"{path} is not a regular file (a FIFO, socket or device); give a reference photo "
                           "(an image file)") from None
    except OSError as exc:
        raise LibraryError(f"cannot read the reference photo {path}: {(exc.strerror or str(exc)).lower()}") from None
    if len(data) > MAX_REFERENCE_BYTES:
        raise LibraryError(f"{path} is over {MAX_REFERENCE_BYTES // 2**20} MB: not a reference photo")
    return data


def decode_reference(path: Path, data: bytes | None = None) -> DecodedImage:
    """A reference photo's pixels (from ``data``, its bytes, when read already), or a user-facing
    error saying why there are none."""
    try:
        return decode_bytes(read_reference(path) if data is None else data, max_side=1600)
    except ImageError as exc:
        raise LibraryError(f"{path} is not a usable image: {exc}") from None


def describe(engine: Engine, path: Path, kind: str, face: int | None, label: str) -> NewReference:
    data = read_reference(path)
    image = decode_reference(path, data)
    try:
        described = engine.describe_reference(image, kind, face, label)
    except BadReferenceError as exc:
        exc.args = (f"{path}: {exc}",)
        raise
    return NewReference(path, hashlib.sha256(data).hexdigest(), described)


def add_person(store: LibraryStore, name: str, references: list[str | Path], face: int | None = None,
               kind: str = "person", force: bool = False) -> PersonAdded:
    person = parse_name(name)
    engine = open_engine(store)
    _check_kind(engine, person.display, kind)
    if not references:
        raise LibraryError("add-person needs at least one reference photo")
    _refuse_existing(store, person)
    new = [describe(engine, Path(p), kind, face, person.display) for p in references]
    _refuse_lookalikes(store, engine, new, person.display, None, force)
    return _register(store, engine, person, kind, new)


def add_person_from_faces(store: LibraryStore, name: str, faces: list[StoredFace], force: bool = False) -> PersonAdded:
    """Register a person from faces already in the library (e.g. an unknown-face cluster)."""
    person = parse_name(name)
    if not faces:
        raise LibraryError("a person needs at least one face")
    engine = open_engine(store)
    _refuse_existing(store, person)
    new = [NewReference(Path(f.path), hashlib.sha256(read_reference(Path(f.path))).hexdigest(), engine.describe_face(str(f.path), f.box, f.vector, person.display))
           for f in faces]
    _refuse_lookalikes(store, engine, new, person.display, None, force)
    return _register(store, engine, person, "person", new)


def add_reference(store: LibraryStore, name: str, reference: str | Path, face: int | None = None,
                  force: bool = False) -> PersonAdded:
    engine = open_engine(store)
    with store.session() as s:
        concept = store.concept(s, name)
        cid, person, kind = concept.id, Name(concept.name, concept.display), concept.kind
    new = describe(engine, Path(reference), kind, face, person.display)
    _refuse_lookalikes(store, engine, [new], person.display, cid, force)
    return _register(store, engine, person, kind, [new], cid)


def _check_kind(engine: Engine, display: str, kind: str) -> None:
    if kind not in KINDS:
        raise LibraryError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind not in engine.kinds:
        other = engines_for_kind(kind)[0]
        raise LibraryError(f"{show(display)} is a {kind}: {kind}s need the {other} engine (plvm-photos config engine {other})")


def _refuse_existing(store: LibraryStore, person: Name) -> None:
    with store.session() as s:
        if s.scalar(select(Concept.id).where(Concept.name == person.key)) is not None:
            raise LibraryError(f"{show(person.display)} is already registered; use add-reference to give it another photo")


def _refuse_lookalikes(store: LibraryStore, engine: Engine, new: list[NewReference], display: str,
                       concept_id: int | None, force: bool) -> None:
    """A reference that is already one (same photo, same face) is refused; one the engine
    recognises as another registered person is refused unless ``force``: registering it would
    silently take that person's photos."""
    with store.session() as s:
        existing = s.execute(
            select(Concept.id, Concept.display, Reference.image, Reference.left, Reference.top, Reference.right,
                   Reference.bottom).join(Concept, Concept.id == Reference.concept_id)
        ).all()
        concepts = None if force else registered_concepts(s, engine)
    for ref in new:
        for owner_id, owner, image, *box in existing:
            same_face = Path(image).stem.endswith(ref.sha256[:12]) and iou(tuple(box), ref.described.box) > 0.5
            if same_face and (owner_id == concept_id or not force):
                raise LibraryError(f"{ref.path} (this face of it) is already a reference of {show(owner)}"
                                   + ("" if owner_id == concept_id else f"; to register it for {show(display)} too, add --force"))
    if force:
        return
    for ref in new:
        photo = _as_photo(engine, ref)
        decision = engine.decide(photo, concepts, None)
        names = _names(store, [cid for cid, v in decision.verdicts.items() if v.present and cid != concept_id])
        if names:
            raise LibraryError(
                f"{ref.path}: the {engine.name} engine recognises {', '.join(show(n) for n in names)} in this reference; "
                f"registering it for {show(display)} would take their photos. If it really is {show(display)}, add it with --force"
            )


def _as_photo(engine: Engine, ref: NewReference) -> PhotoToDecide:
    """The reference's own vectors as a photo to decide (what the engine thinks it shows)."""
    regions = [StoredRegion(i, engine.space(v.tag).region_kinds[0], v.box, np.asarray(v.vector, dtype=np.float32))
               for i, v in enumerate(ref.described.vectors)]
    box = ref.described.box
    return PhotoToDecide(max(box[2], 1), max(box[3], 1), regions, frozenset(),
                         image=lambda: decode_bytes(read_reference(ref.path), max_side=engine.analyzer().max_side))


def _names(store: LibraryStore, ids: list[int]) -> list[str]:
    if not ids:
        return []
    with store.session() as s:
        return sorted(s.scalars(select(Concept.display).where(Concept.id.in_(ids))))


def _register(store: LibraryStore, engine: Engine, person: Name, kind: str, new: list[NewReference],
              concept_id: int | None = None) -> PersonAdded:
    """Store the references (of a new concept, or of ``concept_id``) and decide again the photos
    the prefilter passes for them, in one transaction."""
    target = PROVISIONAL_ID if concept_id is None else concept_id
    finished: list[journal.Finished] = []
    images = []
    for ref in new:  # copies and engine artefacts first: a failed transaction leaves only files
        image = store.keep_reference(ref.path, file_stem(person.key), ref.sha256)
        engine.keep_artefacts(image, ref.described)
        images.append(image)
    vectors = [v for ref in new for v in ref.described.vectors]

    def write(session) -> dict[int, int]:
        rec = Recorder(session)
        if concept_id is None:
            if session.scalar(select(Concept.id).where(Concept.name == person.key)) is not None:
                raise LibraryError(f"{show(person.display)} was registered meanwhile; use add-reference to give it another photo")
            stored_id = rec.add(Concept(name=person.key, display=person.display, kind=kind)).id
        else:
            if session.get(Concept, concept_id) is None:
                raise LibraryError(f"{show(person.display)} was removed meanwhile")
            stored_id = concept_id
        for ref, image in zip(new, images):
            for v in ref.described.vectors:
                rec.add(Reference(concept_id=stored_id, image=image, source_path=str(ref.path.resolve()), engine=v.tag,
                                  left=v.box[0], top=v.box[1], right=v.box[2], bottom=v.box[3],
                                  vector=np.asarray(v.vector, dtype=np.float32).tobytes()))
        rec.created_files += images
        what = "added" if concept_id is None else "gave another reference to"
        finished.append(journal.finish(rec, "add-person" if concept_id is None else "add-reference",
                                       f"{what} {show(person.display)}"))
        return {PROVISIONAL_ID: stored_id} if concept_id is None else {}

    updated = update_decisions(
        store, engine,
        photos_of=lambda s: prefilter_candidates(store, engine, s, vectors),
        preview=lambda concepts: engine.with_references(concepts, target, person.display, kind, [r.described for r in new]),
        write=write,
        changed=frozenset({target}),
    )
    stored_id = updated.ids.get(PROVISIONAL_ID, concept_id)
    journal.after_commit(store, finished[-1])
    store.save_index()
    with store.session() as s:
        photos = present_photo_count(s, stored_id)
    return PersonAdded(person.display, photos, updated.candidates, [r.described.box for r in new])


def rename_person(store: LibraryStore, old: str, new: str) -> bool:
    """Rename a person; captions, which name people, are rewritten with the new name. A new name
    that differs only in case (or Unicode form) changes how the name is shown. Returns False when
    nothing changed."""
    person = parse_name(new)
    with store.write_transaction() as session:
        concept = store.concept(session, old)
        if (concept.name, concept.display) == (person.key, person.display):
            return False
        if concept.name != person.key and session.scalar(select(Concept).where(Concept.name == person.key)) is not None:
            raise LibraryError(f"{show(person.display)} is already registered")
        rec = Recorder(session)
        old_display = concept.display
        rec.update(concept, name=person.key, display=person.display)
        photo_ids = select(Verdict.photo_id).where(Verdict.concept_id == concept.id, Verdict.present.is_(True))
        for photo in session.scalars(select(Photo).where(Photo.id.in_(photo_ids), Photo.caption.is_not(None))):
            rec.update(photo, caption=photo.caption.replace(show(old_display), show(person.display)))
        finished = journal.finish(rec, "rename", f"renamed {show(old_display)} to {show(person.display)}")
    journal.after_commit(store, finished)
    return True


def hide_person(store: LibraryStore, name: str, hidden: bool = True) -> bool:
    """Hide a person (still recognised, not listed unless asked for) or show them again;
    returns False when they already were."""
    with store.write_transaction() as session:
        concept = store.concept(session, name)
        if bool(concept.hidden) == hidden:
            return False
        rec = Recorder(session)
        rec.update(concept, hidden=hidden)
        finished = journal.finish(rec, "hide" if hidden else "unhide",
                                  f"{'hid' if hidden else 'showed again'} {show(concept.display)}")
    journal.after_commit(store, finished)
    return True


def remove_person(store: LibraryStore, name: str) -> int:
    """Remove a person, their references, confirmed faces and verdicts; returns how many photos
    were decided again (a face this person had claimed may now belong to someone else). Undoable:
    the reference copies wait in the library's undo folder until the action leaves the journal."""
    engine = open_engine(store)
    with store.session() as s:
        concept = store.concept(s, name)
        cid, display = concept.id, concept.display
        images = [r.image for r in concept.references]
    finished: list[journal.Finished] = []

    def photos_of(session) -> set[int]:
        return photos_of_concepts(session, {cid})

    def write(session) -> dict[int, int]:
        found = session.get(Concept, cid)
        if found is not None:
            rec = Recorder(session)
            rec.photos |= photos_of(session)
            rec.obsolete_files += images
            rec.delete_concept(found)
            finished.append(journal.finish(rec, "remove", f"removed {show(display)}"))
        return {}

    updated = update_decisions(store, engine, photos_of=photos_of, preview=lambda c: engine.without(c, cid),
                               write=write, changed=frozenset())
    engine.forget_artefacts(images)
    if finished:
        journal.after_commit(store, finished[0])
    return updated.candidates
