"""What the user says about one face: "this is <mike>" (named, drawn, a suggestion accepted) and
"this is not <mike>" (rejected). The one implementation behind the CLI, the gallery and import-xmp.

A confirmed face is a ``Confirmation`` row on a region: every decision keeps the pair present
(``PhotoToDecide.confirmed``), analysing the photo again keeps the region (``indexing/commit.py``),
and the face engine recognises the person by it as by a reference, so the photos its prefilter
passes are decided again too. A face the user draws is a region of its own, ``by_user``. Confirming and rejecting undo each other: naming a face removes the
rejections of that pair; rejecting it removes its confirmation. Each action is one transaction
with one undo journal entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plvm_photos.curation import journal
from plvm_photos.curation.journal import Recorder
from plvm_photos.curation.redecide import decide_again, face_candidates
from plvm_photos.db.models import Concept, Confirmation, FaceMark, Photo, Region, Rejection, Verdict
from plvm_photos.db.queries import MARK_WORDS, NOT_A_FACE, photo_paths, present_photo_count
from plvm_photos.engines.base import Engine
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import ImageError, LibraryError
from plvm_photos.fsnames import printable
from plvm_photos.names import normalize, parse_name, show
from plvm_photos.positions import iou
from plvm_photos.store.library_store import LibraryStore

MIN_BOX = 8  # px: a smaller drawn box cannot be described
DRAWN_OVERLAP = 0.5  # IoU with a stored face above which a drawn box is that face


@dataclass(frozen=True)
class Named:
    person: str  # display name
    created: bool  # a new person was registered
    faces: int  # faces confirmed now
    photos: int  # current photos the person is in now


@dataclass(frozen=True)
class Rejected:
    photo_id: int
    path: str
    person: str
    region_id: int | None  # the face rejected; None: the whole photo
    present_before: bool


# --- the parts every action is made of ---------------------------------------------------------
def person_for(rec: Recorder, name: str, create: bool = True) -> tuple[Concept, bool]:
    """The concept ``name`` names; a new person when there is none and ``create``."""
    concept = rec.session.scalar(select(Concept).where(Concept.name == normalize(name)))
    if concept is not None:
        return concept, False
    person = parse_name(name)  # a new name: every rule applies
    if not create:
        raise LibraryError(f"unknown person {show(person.display)}")
    return rec.add(Concept(name=person.key, display=person.display, kind="person")), True


def confirm(rec: Recorder, concept: Concept, region: Region, source: str = "user") -> bool:
    """Record "``region`` is ``concept``" in ``rec``'s transaction; False when it already was.

    One face is one person and a person is in a photo once: a confirmation of this face for
    someone else, or of this person on another face of the photo, is replaced. Rejections of
    the pair (and photo-wide ones of the person here) are removed, and the face's mark (not a
    face, hidden): the user's last word on the face is that it is ``concept``."""
    s = rec.session
    mark = s.scalar(select(FaceMark).where(FaceMark.region_id == region.id))
    if mark is not None:  # named: a face, worth naming (a mark would keep it from being decided theirs)
        rec.delete(mark)
        rec.photos.add(region.photo_id)
    same = s.scalar(select(Confirmation).where(Confirmation.region_id == region.id))
    if same is not None and same.concept_id == concept.id:
        return mark is not None
    if same is not None:
        rec.delete(same)
    elsewhere = s.scalar(select(Confirmation).where(Confirmation.photo_id == region.photo_id,
                                                    Confirmation.concept_id == concept.id))
    if elsewhere is not None:
        rec.delete(elsewhere)
    for rejection in s.scalars(select(Rejection).where(
            Rejection.photo_id == region.photo_id, Rejection.concept_id == concept.id,
            (Rejection.region_id == region.id) | Rejection.region_id.is_(None))):
        rec.delete(rejection)
    rec.add(Confirmation(photo_id=region.photo_id, concept_id=concept.id, region_id=region.id, source=source))
    rec.photos.add(region.photo_id)
    return True


def unconfirm(rec: Recorder, confirmation: Confirmation) -> None:
    rec.photos.add(confirmation.photo_id)
    rec.delete(confirmation)


def settle(store: LibraryStore, engine: Engine, rec: Recorder, vectors: list[np.ndarray],
           concepts: set[int]) -> None:
    """Decide again the photos the action touched, and those its confirmed (or no longer
    confirmed) faces change as references."""
    rec.photos |= face_candidates(store, engine, rec.session, vectors)
    decide_again(store, engine, rec.session, rec.photos, frozenset(concepts))


def _vector(region: Region) -> np.ndarray:
    return np.frombuffer(region.vector, dtype=np.float32)


def _face(session: Session, engine: Engine, region_id: int) -> Region:
    region = session.get(Region, region_id)
    if region is None:
        raise LibraryError(f"no face {region_id} in the library (the photo may have been analysed again)")
    if region.kind != engine.face_kind:
        raise LibraryError(f"region {region_id} is not a face")
    return region


# --- actions -------------------------------------------------------------------------------------
def name_faces(store: LibraryStore, region_ids: list[int], name: str, source: str = "user") -> Named:
    """Name faces (stored regions) as ``name``, a registered person or a new one. The faces
    become user-confirmed; the person's other photos are found again with them."""
    if not region_ids:
        raise LibraryError("no face to name")
    engine = open_engine(store)
    with store.write_transaction() as s:
        rec = Recorder(s)
        regions = [_face(s, engine, rid) for rid in dict.fromkeys(region_ids)]
        photos = [r.photo_id for r in regions]
        if len(set(photos)) < len(photos):
            raise LibraryError("two of these faces are in the same photo; a person is in a photo once")
        concept, created = person_for(rec, name)
        done = [r for r in regions if confirm(rec, concept, r, source)]
        settle(store, engine, rec, [_vector(r) for r in done], {concept.id})
        finished = journal.finish(rec, "name", f"named {len(done)} face(s) {show(concept.display)}")
        result = Named(concept.display, created, len(done), present_photo_count(s, concept.id))
    journal.after_commit(store, finished)
    store.save_index()
    return result


def reject_face(store: LibraryStore, photo_id: int, name: str, region_id: int | None) -> Rejected:
    """"``name`` is not this face" (``region_id``), or "not in this photo" (None). Remembered for
    good: no decision pairs them again; a confirmation of the pair is removed."""
    engine = open_engine(store)
    with store.write_transaction() as s:
        rec = Recorder(s)
        concept = store.concept(s, name)
        unconfirmed, present_before = _reject(rec, photo_id, concept, region_id)
        settle(store, engine, rec, unconfirmed, {concept.id})
        path = photo_paths(s, [photo_id]).get(photo_id, f"#{photo_id}")
        what = "this photo" if region_id is None else "this face"
        finished = journal.finish(rec, "reject", f"{show(concept.display)} is not {what} in {printable(os.path.basename(path))}")
        result = Rejected(photo_id, path, concept.display, region_id, present_before)
    journal.after_commit(store, finished)
    store.save_index()
    return result


def _reject(rec: Recorder, photo_id: int, concept: Concept, region_id: int | None) -> tuple[list[np.ndarray], bool]:
    """Record the rejection in ``rec``'s transaction: (the vectors of the faces no longer
    confirmed as them, whether they were present in the photo before)."""
    s = rec.session
    photo = s.get(Photo, photo_id)
    if photo is None:
        raise LibraryError(f"no photo #{photo_id} in the library")
    if region_id is not None and (region := s.get(Region, region_id)) is not None and region.photo_id != photo_id:
        raise LibraryError(f"face {region_id} is not in photo #{photo_id}")
    verdict = s.scalar(select(Verdict).where(Verdict.photo_id == photo_id, Verdict.concept_id == concept.id))
    present_before = bool(verdict is not None and verdict.present)
    unconfirmed = []
    for c in s.scalars(select(Confirmation).where(Confirmation.photo_id == photo_id,
                                                 Confirmation.concept_id == concept.id)):
        if region_id is None or c.region_id == region_id:
            unconfirmed.append(_vector(s.get(Region, c.region_id)))
            unconfirm(rec, c)
    exists = s.scalar(select(Rejection.id).where(
        Rejection.photo_id == photo_id, Rejection.concept_id == concept.id,
        Rejection.region_id.is_(None) if region_id is None else Rejection.region_id == region_id).limit(1))
    if exists is None:
        rec.add(Rejection(photo_id=photo_id, concept_id=concept.id, region_id=region_id))
    rec.photos.add(photo_id)
    return unconfirmed, present_before


@dataclass(frozen=True)
class Answered:
    accepted: int  # faces confirmed
    refused: int  # rejections recorded
    people: tuple[str, ...]  # display names of the people accepted or refused


def answer_suggestions(store: LibraryStore, accepted: list[tuple[int, int]], refused: list[tuple[int, int]]) -> Answered:
    """Many suggestions answered in one action (one transaction, one undo entry): each
    ``accepted`` (face region, person id) pair is confirmed, each ``refused`` one rejected."""
    if not accepted and not refused:
        raise LibraryError("no suggestion chosen")
    engine = open_engine(store)
    with store.write_transaction() as s:
        rec = Recorder(s)
        vectors: list[np.ndarray] = []
        touched: dict[int, Concept] = {}

        def person(concept_id: int) -> Concept:
            concept = s.get(Concept, concept_id)
            if concept is None:
                raise LibraryError(f"no person #{concept_id} in the library")
            return touched.setdefault(concept.id, concept)

        for region_id, concept_id in accepted:
            region = _face(s, engine, region_id)
            if confirm(rec, person(concept_id), region):
                vectors.append(_vector(region))
        for region_id, concept_id in refused:
            region = _face(s, engine, region_id)
            vectors += _reject(rec, region.photo_id, person(concept_id), region_id)[0]
        settle(store, engine, rec, vectors, set(touched))
        names = tuple(sorted({c.display for c in touched.values()}, key=str.casefold))
        said = [f"{n} accepted" for n in [len(accepted)] if n] + [f"{n} refused" for n in [len(refused)] if n]
        finished = journal.finish(rec, "suggestions", f"suggestions: {' and '.join(said)} "
                                                      f"({', '.join(show(n) for n in names)})")
        result = Answered(len(accepted), len(refused), names)
    journal.after_commit(store, finished)
    store.save_index()
    return result




@dataclass(frozen=True)
class Marked:
    faces: int  # faces whose mark changed
    mark: str | None  # None: the marks were taken back


def mark_faces(store: LibraryStore, region_ids: list[int], mark: str | None) -> Marked:
    """Mark faces ``not_a_face`` (a false detection: never decided as anyone again) or ``hidden``
    (a stranger, not worth naming): either way they leave the unknown faces and the suggestions.
    ``None`` takes their marks back: they are unknown faces again (one that was not a face may be
    decided as someone again). One action, one undo entry. Marking a face the user named is
    refused: say who it is not instead."""
    if mark is not None and mark not in MARK_WORDS:
        raise LibraryError(f"a face is marked {' or '.join(MARK_WORDS)}, not {mark!r}")
    if not region_ids:
        raise LibraryError("no face to mark" if mark is not None else "no face to show again")
    engine = open_engine(store)
    with store.write_transaction() as s:
        rec = Recorder(s)
        changed = 0
        was_not_a_face = False
        for region in [_face(s, engine, rid) for rid in dict.fromkeys(region_ids)]:
            existing = s.scalar(select(FaceMark).where(FaceMark.region_id == region.id))
            if mark is None:
                if existing is not None:
                    was_not_a_face |= existing.mark == NOT_A_FACE
                    rec.delete(existing)
                    rec.photos.add(region.photo_id)
                    changed += 1
                continue
            named = s.scalar(select(Confirmation).where(Confirmation.region_id == region.id))
            if named is not None:
                who = s.get(Concept, named.concept_id)
                raise LibraryError(f"face {region.id} was named {show(who.display)} by you; "
                                   f"say it is not them (faces PHOTO --not NAME) before marking it")
            if existing is not None and existing.mark == mark:
                continue
            if existing is not None:
                rec.update(existing, mark=mark)
            else:
                rec.add(FaceMark(region_id=region.id, photo_id=region.photo_id, mark=mark))
            rec.photos.add(region.photo_id)
            changed += 1
        if mark == NOT_A_FACE or was_not_a_face:
            decide_again(store, engine, s, rec.photos, None)  # a verdict on it goes, or may come back
        summary = f"{changed} face(s) marked {MARK_WORDS[mark]}" if mark else f"{changed} face(s) shown again"
        finished = journal.finish(rec, "mark", summary)
    journal.after_commit(store, finished)
    return Marked(changed, mark)


def draw_face(store: LibraryStore, photo_id: int, box: tuple[int, int, int, int], name: str) -> Named:
    """A face the detectors missed, drawn by the user: described from the box (the photo is
    decoded once), stored as a user region and confirmed as ``name``."""
    engine = open_engine(store)
    with store.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None or photo.error is not None or not photo.width:
            raise LibraryError(f"no usable photo #{photo_id} in the library")
        box = clip_box(box, photo.width, photo.height)
        for r in s.scalars(select(Region).where(Region.photo_id == photo_id, Region.kind == engine.face_kind)):
            if iou(r.box, box) > DRAWN_OVERLAP:
                raise LibraryError(f"there is a face there already (box {list(r.box)}): name that face instead")
        path = photo_paths(s, [photo_id]).get(photo_id)
        sha = photo.sha256
    found = describe_drawn(engine, path, sha, [box])[0]
    with store.write_transaction() as s:
        rec = Recorder(s)
        if s.get(Photo, photo_id) is None:
            raise LibraryError(f"photo #{photo_id} was removed meanwhile")
        region = add_user_region(rec, engine, photo_id, box, found)
        concept, created = person_for(rec, name)
        confirm(rec, concept, region, "drawn")
        settle(store, engine, rec, [found], {concept.id})
        finished = journal.finish(rec, "draw", f"drew a face of {show(concept.display)} in {printable(os.path.basename(path or ''))}")
        result = Named(concept.display, created, 1, present_photo_count(s, concept.id))
        added = (region.id, region.kind, found)
    journal.after_commit(store, finished)
    index_regions(store, engine, [added])
    return result


def clip_box(box, width: int, height: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = (int(round(float(v))) for v in box)
    left, right = sorted((max(0, min(left, width)), max(0, min(right, width))))
    top, bottom = sorted((max(0, min(top, height)), max(0, min(bottom, height))))
    if right - left < MIN_BOX or bottom - top < MIN_BOX:
        raise LibraryError(f"the box must be at least {MIN_BOX} x {MIN_BOX} pixels inside the photo "
                           f"({width} x {height}); give left, top, right, bottom in its pixels")
    return left, top, right, bottom


def describe_drawn(engine: Engine, path: str | None, sha256: str, boxes: list) -> list[np.ndarray]:
    """Descriptors of hand-drawn (or imported) boxes of one photo: it is read once (never blocking:
    a FIFO where the photo was is refused), and decoded only when its bytes are still those analysed."""
    import hashlib

    from plvm_photos.imaging import decode_bytes
    from plvm_photos.safe_write import NotRegularFile, open_regular

    if path is None:
        raise LibraryError("no file of this photo is present")
    shown = printable(path)
    try:
        with open_regular(path) as fh:
            data = fh.read()
    except NotRegularFile:
        raise LibraryError(f"{shown} is not a regular file any more (a FIFO, socket or device); "
                           "scan its folder again") from None
    except OSError as exc:
        raise LibraryError(f"cannot read {shown}: {(exc.strerror or str(exc)).lower()}") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise LibraryError(f"{shown} changed since it was scanned; scan it again first")
    try:
        image = decode_bytes(data, max_side=engine.analyzer().max_side)  # as the detected faces were described
    except ImageError as exc:
        raise LibraryError(f"cannot read {shown}: {exc}") from None
    return [np.asarray(engine.describe_box(image, tuple(b)).vector, dtype=np.float32) for b in boxes]


def add_user_region(rec: Recorder, engine: Engine, photo_id: int, box, vector: np.ndarray) -> Region:
    return rec.add(Region(photo_id=photo_id, kind=engine.face_kind, left=box[0], top=box[1], right=box[2],
                          bottom=box[3], score=0.0, vector=np.asarray(vector, dtype=np.float32).tobytes(), by_user=True))


def index_regions(store: LibraryStore, engine: Engine, added: list[tuple[int, str, np.ndarray]]) -> None:
    """New user regions join the vector indexes (after their transaction committed)."""
    store.indexes.add_regions(engine.spaces, added)
    store.save_index()
