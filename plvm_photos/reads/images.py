"""The image files behind the gallery's pictures, by database id: a photo's files and content hash,
a person's face, a face region's photo. Nothing here is a path from a request."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from plvm_photos.db.models import Confirmation, File, Photo, Reference, Region
from plvm_photos.db.queries import current_photo_ids
from plvm_photos.store.library_store import LibraryStore

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PhotoFiles:
    sha256: str  # a thumbnail is made only from bytes that hash to it
    paths: list[str]  # the present files, in the order to try


@dataclass(frozen=True)
class FaceImage:
    key: str  # the name its crop is cached under
    paths: list[str]
    box: Box
    sha256: str | None  # the content to verify (None: a reference copy the library owns)


def photo_files(store: LibraryStore, photo_id: int) -> PhotoFiles:
    """A usable photo's content hash and present files; KeyError otherwise."""
    with store.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None or photo.error is not None:
            raise KeyError(photo_id)
        paths = list(
            s.scalars(select(File.path).where(File.photo_id == photo_id, File.missing.is_(False)).order_by(File.id))
        )
        if not paths:
            raise KeyError(photo_id)
        return PhotoFiles(photo.sha256, paths)


def person_face(store: LibraryStore, concept_id: int) -> FaceImage:
    """A person's face: their first reference (a library-owned copy), else their first confirmed
    face (in a photo); KeyError when they have neither."""
    with store.session() as s:
        ref = s.scalar(select(Reference).where(Reference.concept_id == concept_id).order_by(Reference.id).limit(1))
        if ref is not None:
            key = f"ref-{ref.id}-{ref.image}".replace(os.sep, "_")
            return FaceImage(key, [str(store.references_dir / ref.image)], (ref.left, ref.top, ref.right, ref.bottom), None)
        region_id = s.scalar(select(Confirmation.region_id).where(Confirmation.concept_id == concept_id)
                             .order_by(Confirmation.id).limit(1))
    if region_id is None:
        raise KeyError(concept_id)
    return region_face(store, region_id)


def region_face(store: LibraryStore, region_id: int) -> FaceImage:
    """A face region in its photo's present files; KeyError when either is gone."""
    with store.session() as s:
        region = s.get(Region, region_id)
        if region is None:
            raise KeyError(region_id)
        photo_id, box = region.photo_id, region.box
    files = photo_files(store, photo_id)
    return FaceImage(f"region-{files.sha256[:16]}-{'-'.join(map(str, box))}", files.paths, box, files.sha256)


def live_hashes(store: LibraryStore) -> set[str]:
    """The content hash of every current photo (what thumbnails may be kept for)."""
    with store.session() as s:
        return set(s.scalars(select(Photo.sha256).where(Photo.id.in_(current_photo_ids()))))
