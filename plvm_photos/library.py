"""The Python API: a library folder with the workflows as methods. The CLI is a thin layer over it.

    from plvm_photos.library import Library
    with Library("~/photo-library") as library:
        library.add_person("<mike>", ["mike.jpg"])
        library.scan(["~/Pictures"])
        print(library.people())
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from plvm_photos.db.models import Concept, Reference, Region, Verdict
from plvm_photos.db.queries import all_photo_paths, current_photo_ids
from plvm_photos.store.library_store import LibraryStore


@dataclass(frozen=True)
class PersonSummary:
    name: str  # the display form
    kind: str
    photos: int
    references: int  # reference photos (a photo described in several vector spaces counts once)
    hidden: bool = False


class Library(LibraryStore):
    # --- people -----------------------------------------------------------------------------
    def people(self, hidden: bool = False) -> list[PersonSummary]:
        """Registered people; hidden ones (``curation.people.hide_person``) only with ``hidden``."""
        with self.session() as s:
            photo_counts = dict(
                s.execute(
                    select(Verdict.concept_id, func.count(func.distinct(Verdict.photo_id)))
                    .where(Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids()))
                    .group_by(Verdict.concept_id)
                ).all()
            )
            ref_counts = dict(
                s.execute(select(Reference.concept_id, func.count(func.distinct(Reference.image)))
                          .group_by(Reference.concept_id)).all()
            )
            listed = select(Concept).order_by(Concept.name)
            return [
                PersonSummary(c.display, c.kind, int(photo_counts.get(c.id, 0)), int(ref_counts.get(c.id, 0)), bool(c.hidden))
                for c in s.scalars(listed if hidden else listed.where(Concept.hidden.is_(False)))
            ]

    def add_person(self, name: str, references: list[str | Path], face: int | None = None, kind: str = "person",
                   force: bool = False):
        from plvm_photos.curation.people import add_person

        return add_person(self, name, references, face=face, kind=kind, force=force)

    def add_reference(self, name: str, reference: str | Path, face: int | None = None, force: bool = False):
        from plvm_photos.curation.people import add_reference

        return add_reference(self, name, reference, face=face, force=force)

    def rename_person(self, old: str, new: str) -> bool:
        from plvm_photos.curation.people import rename_person

        return rename_person(self, old, new)

    def remove_person(self, name: str) -> int:
        from plvm_photos.curation.people import remove_person

        return remove_person(self, name)

    # --- photos -----------------------------------------------------------------------------
    def scan(self, paths, workers: int | None = None, progress: bool = True, reanalyze: bool = False,
             retry_failed: bool = False, ray: str | None = None, media=None, pose: bool = False):
        """``ray``: analyse on a Ray cluster ('local', 'auto', ray://HOST:PORT or HOST:PORT);
        ``media``: a ``media.kinds.MediaOptions`` (videos and RAW left out or not); ``pose``: the
        people-pose stage for stored faces that lack its cues too."""
        from plvm_photos.indexing.scan import scan

        return scan(self, paths, workers=workers, progress=progress, reanalyze=reanalyze, retry_failed=retry_failed,
                    ray=ray, media=media, pose=pose)

    @property
    def index(self):
        """The face descriptors' FAISS prefilter (checked against the database when loaded)."""
        from plvm_photos.engines.face.space import DESCRIPTOR_DIM, FACE_SPACE

        return self.indexes.get(FACE_SPACE, DESCRIPTOR_DIM)

    def verdicts(self) -> list[dict]:
        """Every stored verdict, once per current file of its photo (a copied photo has two)."""
        with self.session() as s:
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
