"""A face already in the library as a person's reference: added beside the others, or replacing
them all. The photo is copied into ``references/`` as ``add-reference`` does (a reference must
outlive its source file); the engine describes the face (the face engine reuses the stored
descriptor: nothing is decoded), and the person's photos and the prefilter's candidates are
decided again. Undoable: replaced references come back with their copies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from plvm_photos.curation import journal
from plvm_photos.curation.journal import Recorder
from plvm_photos.curation.redecide import decide_again, photos_of_concepts
from plvm_photos.db.models import Concept, Reference, Region
from plvm_photos.db.queries import photo_paths, present_photo_count
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.imaging import sha256_file
from plvm_photos.indexing.decisions import prefilter_candidates
from plvm_photos.names import file_stem, show
from plvm_photos.positions import iou
from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class ReferenceSet:
    person: str
    references: int  # reference photos the person has now
    replaced: int  # reference rows removed
    photos: int  # current photos the person is in now


def set_reference(store: LibraryStore, name: str, region_id: int, replace: bool = False) -> ReferenceSet:
    engine = open_engine(store)
    with store.session() as s:
        concept = store.concept(s, name)
        cid, key, display = concept.id, concept.name, concept.display
        region = s.get(Region, region_id)
        if region is None or region.kind != engine.face_kind:
            raise LibraryError(f"no face {region_id} in the library (the photo may have been analysed again)")
        path = photo_paths(s, [region.photo_id]).get(region.photo_id)
        box, vector = region.box, np.frombuffer(region.vector, dtype=np.float32)
    if path is None or not os.path.isfile(path):
        raise LibraryError("no file of this photo is present to copy as a reference")
    sha = sha256_file(path)
    described = engine.describe_face(path, box, vector, display)
    image = store.keep_reference(Path(path), file_stem(key), sha)
    engine.keep_artefacts(image, described)
    with store.write_transaction() as s:
        if s.get(Concept, cid) is None:
            raise LibraryError(f"{show(display)} was removed meanwhile")
        rec = Recorder(s)
        old = list(s.scalars(select(Reference).where(Reference.concept_id == cid)))
        same = [r for r in old if r.image == image and iou((r.left, r.top, r.right, r.bottom), described.box) > 0.5]
        if same and not replace:
            raise LibraryError(f"this face is already a reference of {show(display)}")
        rec.photos |= photos_of_concepts(s, {cid})
        if replace:
            for ref in old:
                rec.delete(ref)
                rec.obsolete_files.append(ref.image)
        for v in described.vectors:
            rec.add(Reference(concept_id=cid, image=image, source_path=str(Path(path).resolve()), engine=v.tag,
                              left=v.box[0], top=v.box[1], right=v.box[2], bottom=v.box[3],
                              vector=np.asarray(v.vector, dtype=np.float32).tobytes()))
        rec.created_files.append(image)
        rec.photos |= prefilter_candidates(store, engine, s, list(described.vectors))
        decide_again(store, engine, s, rec.photos, frozenset({cid}))
        what = "replaced the references of" if replace else "gave another reference to"
        finished = journal.finish(rec, "reference", f"{what} {show(display)}")
        count = len(set(s.scalars(select(Reference.image).where(Reference.concept_id == cid))))
        result = ReferenceSet(display, count, len(old) if replace else 0, present_photo_count(s, cid))
    journal.after_commit(store, finished)
    store.save_index()
    return result
