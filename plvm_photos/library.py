"""The library: one folder with the database, the FAISS index and copies of reference photos.

This is the Python API; the CLI is a thin layer over it.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, File, Reference, Region, Setting, Verdict
from plvm_photos.db.session import make_engine, make_sessionmaker
from plvm_photos.errors import LibraryError, UnknownPersonError  # noqa: F401 (public names, re-exported)
from plvm_photos.names import normalize

DB_FILE = "library.db"
INDEX_FILE = "index.faiss"
FACE_REGION_KINDS = ("face",)  # what the 128-d face index holds; other kinds have their own index
MIXED_REGIONS_KEY = "internal.mixed_regions"  # set once regions of other kinds were ever stored
REFERENCES_DIR = "references"


def default_root() -> Path:
    if env := os.environ.get("PLVM_LIBRARY"):
        return Path(env)
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data_home) / "plvm-photos"


@dataclass(frozen=True)
class PersonSummary:
    name: str
    kind: str
    photos: int
    references: int


class Library:
    def __init__(self, root: str | Path | None = None, db_url: str | None = None, migrate: bool = True):
        self.root = Path(root) if root else default_root()
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_url = db_url or f"sqlite:///{(self.root / DB_FILE).resolve()}"
        self.db = make_engine(self.db_url, migrate=migrate)
        self._sessions = make_sessionmaker(self.db)
        self._index = None
        self._index_dirty = False
        self._extra_indexes: dict[str, tuple] = {}  # name -> (index, path, dirty): e.g. the plvm index
        self._rule = None

    # --- plumbing ---------------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        return self.root / INDEX_FILE

    @property
    def references_dir(self) -> Path:
        return self.root / REFERENCES_DIR

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @property
    def rule(self):
        if self._rule is None:
            from plvm_photos.engines.face.decide import DecisionRule

            self._rule = DecisionRule()
        return self._rule

    @property
    def index(self):
        """The FAISS prefilter, checked against the database (rebuilt when they disagree)."""
        if self._index is None:
            from plvm_photos.engines.face.engine import DESCRIPTOR_DIM
            from plvm_photos.store.vector_index import load_consistent

            self._index, _ = load_consistent(self.index_path, DESCRIPTOR_DIM, self.region_signature(), self._region_batches)
        return self._index

    def _only_faces(self, kinds: tuple[str, ...]) -> bool:
        """True when filtering by ``kinds`` is a no-op: face kinds asked, and no engine ever stored
        other kinds (filtering on the unindexed kind column is ~4x slower at 100k regions)."""
        if kinds != FACE_REGION_KINDS:
            return False
        with self.session() as s:
            return s.scalar(select(Setting.value).where(Setting.key == MIXED_REGIONS_KEY)) is None

    def mark_mixed_regions(self) -> None:
        """Called before an engine first stores regions of kinds other than 'face'."""
        with self.transaction() as s:
            if s.get(Setting, MIXED_REGIONS_KEY) is None:
                s.add(Setting(key=MIXED_REGIONS_KEY, value="1"))

    def region_signature(self, kinds: tuple[str, ...] = FACE_REGION_KINDS) -> tuple[int, int]:
        query = select(func.count(Region.id), func.coalesce(func.sum(Region.id), 0))
        if not self._only_faces(kinds):
            query = query.where(Region.kind.in_(kinds))
        with self.session() as s:
            count, total = s.execute(query).one()
        return int(count), int(total)

    def _region_batches(self, batch: int = 50_000, kinds: tuple[str, ...] = FACE_REGION_KINDS):
        import numpy as np

        last = 0
        only_faces = self._only_faces(kinds)
        while True:
            with self.session() as s:
                query = select(Region.id, Region.vector).where(Region.id > last)
                if not only_faces:
                    query = query.where(Region.kind.in_(kinds))
                rows = s.execute(query.order_by(Region.id).limit(batch)).all()
            if not rows:
                return
            ids = [r[0] for r in rows]
            yield ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            last = ids[-1]

    def mark_index_dirty(self) -> None:
        self._index_dirty = True

    def vector_index(self, name: str, kinds: tuple[str, ...], dim: int):
        """A FAISS index of the regions of ``kinds`` (one file per name and dimension), like ``index``."""
        cached = self._extra_indexes.get(name)
        if cached is None or cached[0].dim != dim:
            from plvm_photos.store.vector_index import load_consistent

            path = self.root / f"index-{name}-{dim}.faiss"
            index, _ = load_consistent(
                path, dim, self.region_signature(kinds), lambda: self._region_batches(kinds=kinds)
            )
            cached = self._extra_indexes[name] = (index, path, False)
        return cached[0]

    def mark_vector_index_dirty(self, name: str) -> None:
        index, path, _ = self._extra_indexes[name]
        self._extra_indexes[name] = (index, path, True)

    @property
    def settings(self):
        """The library's key/value settings (engine, model locations, ...)."""
        from plvm_photos.store.settings import Settings

        return Settings(self)

    def save_index(self) -> None:
        if self._index is not None and self._index_dirty:
            self._index.save(self.index_path)
            self._index_dirty = False
        for name, (index, path, dirty) in list(self._extra_indexes.items()):
            if dirty:
                index.save(path)
                self._extra_indexes[name] = (index, path, False)

    def close(self) -> None:
        self.save_index()
        self.db.dispose()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- people -----------------------------------------------------------------------------
    def known_names(self, session: Session | None = None) -> list[str]:
        if session is None:
            with self.session() as s:
                return self.known_names(s)
        return list(session.scalars(select(Concept.name).order_by(Concept.name)))

    def concept(self, session: Session, name: str) -> Concept:
        key = normalize(name)
        concept = session.scalar(select(Concept).where(Concept.name == key))
        if concept is None:
            raise UnknownPersonError(key, self.known_names(session))
        return concept

    def people(self) -> list[PersonSummary]:
        with self.session() as s:
            photo_counts = dict(
                s.execute(
                    select(Verdict.concept_id, func.count(func.distinct(Verdict.photo_id)))
                    .where(Verdict.present.is_(True), Verdict.photo_id.in_(current_photo_ids()))
                    .group_by(Verdict.concept_id)
                ).all()
            )
            ref_counts = dict(
                s.execute(select(Reference.concept_id, func.count(Reference.id)).group_by(Reference.concept_id)).all()
            )
            return [
                PersonSummary(c.name, c.kind, int(photo_counts.get(c.id, 0)), int(ref_counts.get(c.id, 0)))
                for c in s.scalars(select(Concept).order_by(Concept.name))
            ]

    def add_person(self, name: str, references: list[str | Path], face: int | None = None, kind: str = "person"):
        from plvm_photos.curation.people import add_person

        return add_person(self, name, references, face=face, kind=kind)

    def add_reference(self, name: str, reference: str | Path, face: int | None = None):
        from plvm_photos.curation.people import add_reference

        return add_reference(self, name, reference, face=face)

    def rename_person(self, old: str, new: str) -> None:
        from plvm_photos.curation.people import rename_person

        rename_person(self, old, new)

    def remove_person(self, name: str) -> int:
        from plvm_photos.curation.people import remove_person

        return remove_person(self, name)

    # --- photos -----------------------------------------------------------------------------
    @property
    def face_config(self):
        """How this library's face engine is set up (``face.*`` settings)."""
        from plvm_photos.engines.face.engine import FaceEngineConfig

        return FaceEngineConfig(second_detector=self.settings.get("face.second_detector") == "on")

    def scan(self, paths, workers: int | None = None, progress: bool = True, reanalyze: bool = False):
        from plvm_photos.indexing.scan import scan

        return scan(self, paths, workers=workers, progress=progress, reanalyze=reanalyze)

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


def current_photo_ids():
    """Photos with at least one file that is still there (a subquery)."""
    return select(File.photo_id).where(File.missing.is_(False), File.photo_id.is_not(None))


def photo_paths(session: Session, photo_ids) -> dict[int, str]:
    """One path per photo: the first present file, else the first file (for history)."""
    ids = list(photo_ids)
    out: dict[int, str] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(File.photo_id, File.path, File.missing).where(File.photo_id.in_(chunk)).order_by(File.missing, File.id)
        ).all()
        for photo_id, path, _missing in rows:
            out.setdefault(photo_id, path)
    return out


def all_photo_paths(session: Session, photo_ids) -> dict[int, list[str]]:
    """Every current path of each photo; photos with none keep their last known path."""
    ids = list(photo_ids)
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(File.photo_id, File.path, File.missing).where(File.photo_id.in_(ids[start : start + 500])).order_by(File.path)
        ).all()
        for photo_id, path, missing in rows:
            if not missing:
                out.setdefault(photo_id, []).append(path)
        for photo_id, path, _ in rows:
            out.setdefault(photo_id, [path])
    return out


def copy_reference_image(library: Library, source: Path, name: str, sha256: str) -> str:
    library.references_dir.mkdir(parents=True, exist_ok=True)
    target = library.references_dir / f"{name}-{sha256[:12]}{source.suffix.lower()}"
    if not target.exists():
        shutil.copy2(source, target)
    return target.name
