"""Photos as the CLI and the gallery show them: one photo's faces with who each is, photos by path,
and every stored verdict. Names are the display form (``names``), everywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from plvm_photos.db.models import Concept, Confirmation, FaceMark, File, Photo, Region, Rejection, Verdict
from plvm_photos.db.queries import all_photo_paths, photo_paths
from plvm_photos.errors import LibraryError
from plvm_photos.store.library_store import LibraryStore

Box = tuple[int, int, int, int]


class PhotoNotAnalysed(LibraryError):
    """A photo whose file could not be analysed: it has no faces to show."""


FACE_ORDER = (Region.left, Region.id)  # how a photo's faces are numbered: 1 = leftmost (``--face N``)


@dataclass(frozen=True)
class PhotoFace:
    number: int  # 1 = leftmost: the N of ``--face N``
    region_id: int
    box: Box
    person: str | None  # the display name of who it is decided to be
    score: float | None  # that verdict's
    distance: float | None
    detector: float  # how sure the detector was that this is a face
    rejected: list[str]  # display names of the people the user said it is not (this face, or the whole photo)
    confirmed: bool  # the user said who it is
    drawn: bool  # the user drew it
    seen: str = ""  # in a video: when this face is seen ("0:12–0:40")
    mark: str | None = None  # the user said it is not a face (not_a_face), or a stranger (hidden)


@dataclass(frozen=True)
class PhotoFaces:
    photo_id: int
    path: str  # the photo's first present file (else the last known one)
    files: list[str]  # its present files, the item's own first (a RAW+JPEG pair's companion last)
    width: int
    height: int
    kind: str  # photo | video
    caption: str | None
    faces: list[PhotoFace]  # left to right

    def numbered(self, face: int) -> PhotoFace:
        """Face number ``face`` (1 = leftmost); a LibraryError saying which numbers there are."""
        if not 1 <= face <= len(self.faces):
            raise LibraryError(f"{self.path} has {len(self.faces)} face(s); --face must be 1..{len(self.faces)} (1 = leftmost)")
        return self.faces[face - 1]


@dataclass(frozen=True)
class PhotoSize:
    photo_id: int
    width: int
    height: int


def photo_faces(store: LibraryStore, photo_id: int) -> PhotoFaces:
    """A photo's faces and who each is: the one read of them, for ``faces PHOTO`` and the gallery's
    photo page. KeyError when there is no such photo; PhotoNotAnalysed when its file could not be
    analysed."""
    with store.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise KeyError(photo_id)
        path = photo_paths(s, [photo_id]).get(photo_id, f"#{photo_id}")
        if photo.error is not None:
            raise PhotoNotAnalysed(f"{path} could not be analysed: {photo.error}")
        present = {
            rid: (name, score, distance)
            for rid, name, score, distance in s.execute(
                select(Verdict.region_id, Concept.display, Verdict.score, Verdict.distance)
                .join(Concept, Concept.id == Verdict.concept_id)
                .where(Verdict.photo_id == photo_id, Verdict.present.is_(True))
            ).all()
        }
        rejected: dict[int | None, list[str]] = {}
        for rid, name in s.execute(
            select(Rejection.region_id, Concept.display)
            .join(Concept, Concept.id == Rejection.concept_id)
            .where(Rejection.photo_id == photo_id)
        ).all():
            rejected.setdefault(rid, []).append(name)
        confirmed = {c.region_id: c.source for c in s.scalars(select(Confirmation).where(Confirmation.photo_id == photo_id))}
        marks = dict(s.execute(select(FaceMark.region_id, FaceMark.mark).where(FaceMark.photo_id == photo_id)).all())
        regions = list(s.scalars(select(Region).where(Region.photo_id == photo_id).order_by(*FACE_ORDER)))
        files = list(s.scalars(select(File.path).where(File.photo_id == photo_id, File.missing.is_(False))
                               .order_by(File.role.is_not(None), File.path)))
        faces = []
        for n, r in enumerate(regions, start=1):
            who = present.get(r.id)
            faces.append(PhotoFace(n, r.id, r.box, who[0] if who else None, who[1] if who else None,
                                   who[2] if who else None, float(r.score),
                                   sorted(rejected.get(r.id, []) + rejected.get(None, [])),
                                   r.id in confirmed, confirmed.get(r.id) == "drawn", seen_text(r.segments),
                                   marks.get(r.id)))
        return PhotoFaces(photo_id, path, files, photo.width or 1, photo.height or 1, photo.kind or "photo", photo.caption,
                          faces)


def seen_text(segments: str | None) -> str:
    """"0:12–0:40, 1:05" from ``regions.segments``; "" for a photo's region."""
    if not segments:
        return ""
    from plvm_photos.media.times import spans

    return spans(json.loads(segments))


def photos_by_path(store: LibraryStore, paths: list[str]) -> dict[str, PhotoSize]:
    """The photo each of ``paths`` is a file of, with its size (paths of no photo are left out)."""
    with store.session() as s:
        ids = dict(s.execute(select(File.path, File.photo_id).where(File.path.in_(paths))).all())
        sizes = {pid: (w or 1, h or 1) for pid, w, h in
                 s.execute(select(Photo.id, Photo.width, Photo.height).where(Photo.id.in_(list(ids.values()))))}
    return {path: PhotoSize(pid, *sizes[pid]) for path, pid in ids.items() if pid in sizes}


def verdicts(store: LibraryStore) -> list[dict]:
    """Every stored verdict, once per current file of its photo (a copied photo has two); the
    person by key."""
    with store.session() as s:
        rows = s.execute(
            select(Verdict, Concept.name, Region)
            .join(Concept, Concept.id == Verdict.concept_id)
            .outerjoin(Region, Region.id == Verdict.region_id)
            .order_by(Verdict.photo_id, Concept.name)
        ).all()
        paths = all_photo_paths(s, {v.photo_id for v, _, _ in rows})
        return [
            {
                "path": path,
                "person": name,
                "present": bool(v.present),
                "score": round(float(v.score), 4),
                "box": list(region.box) if region is not None else None,
            }
            for v, name, region in rows
            for path in paths.get(v.photo_id, [])
        ]
