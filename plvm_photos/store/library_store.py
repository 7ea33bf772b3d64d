"""A library's storage: its folder, database, settings, vector indexes and reference copies.

Every workflow (indexing, curation, ask, watch) works on a ``LibraryStore``; the Python API
(``plvm_photos.library.Library``) is a ``LibraryStore`` with the workflows as methods.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Setting
from plvm_photos.db.queries import MIXED_REGIONS_KEY
from plvm_photos.db.session import make_engine, make_sessionmaker
from plvm_photos.errors import LibraryError, NoLibraryError, UnknownPersonError
from plvm_photos.names import normalize
from plvm_photos.store.indexes import VectorIndexes
from plvm_photos.store.layout import DB_FILE, REFERENCES_DIR, default_root


WRITE_LOCK_KEY = 0x706C766D_77726974  # "plvmwrit": the PostgreSQL advisory lock of write transactions


class LibraryStore:
    def __init__(self, root: str | Path | None = None, db_url: str | None = None, migrate: bool = True,
                 create: bool = True):
        """Open the library in ``root``; with ``create=False`` a folder without one is an error
        (read-only commands must not leave an empty library behind)."""
        if db_url == "":
            raise LibraryError("--db is empty: give a database URL (e.g. postgresql+psycopg://user@host/photos), "
                               "or leave --db out to use the library folder's own database")
        self.root = Path(root) if root else default_root()
        if self.root.exists() and not self.root.is_dir():
            raise LibraryError(f"the library folder {self.root} is a file; give a folder (--library DIR)")
        if not create and db_url is None and not (self.root / DB_FILE).is_file():
            raise NoLibraryError(f"no library in {self.root} (create one with add-person or scan, or give --library DIR)")
        self.db_url = db_url or f"sqlite:///{(self.root / DB_FILE).resolve()}"
        if db_url is None:
            self._make_folder()  # the database is in it
            self.db = make_engine(self.db_url, migrate=migrate)
        else:
            self.db = make_engine(self.db_url, migrate=migrate)  # a database that fails to open leaves no folder
            self._make_folder()
        self._sessions = make_sessionmaker(self.db)
        self.indexes = VectorIndexes(self.root, self.session)

    def _make_folder(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create the library folder {self.root}: {exc.strerror or exc}") from None

    # --- database ---------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        """A transaction that holds the write lock from its first statement, so what it reads
        cannot change before it commits: SQLite's database lock; on PostgreSQL a transaction
        advisory lock, which makes writers on every machine take turns as SQLite's do (a photo
        committed while a person is added is decided with that person, or seen by its prefilter)."""
        with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            if dialect == "sqlite":
                session.execute(text("UPDATE settings SET value = value WHERE 1 = 0"))
            elif dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield session

    @property
    def settings(self):
        """The library's key/value settings (engine, model locations, ...)."""
        from plvm_photos.store.settings import Settings

        return Settings(self)

    def mark_mixed_regions(self) -> None:
        """Called before an engine first stores regions of kinds other than 'face'."""
        with self.transaction() as s:
            if s.get(Setting, MIXED_REGIONS_KEY) is None:
                s.add(Setting(key=MIXED_REGIONS_KEY, value="1"))

    # --- files ------------------------------------------------------------------------------
    @property
    def references_dir(self) -> Path:
        return self.root / REFERENCES_DIR

    def keep_reference(self, source: Path, name: str, sha256: str) -> str:
        from plvm_photos.store.references import keep_reference_copy

        return keep_reference_copy(self.references_dir, source, name, sha256)

    # --- concepts ---------------------------------------------------------------------------
    def known_names(self, session: Session | None = None) -> list[str]:
        if session is None:
            with self.session() as s:
                return self.known_names(s)
        return list(session.scalars(select(Concept.name).order_by(Concept.name)))

    def known_ids(self, session: Session) -> dict[str, int]:
        return dict(session.execute(select(Concept.name, Concept.id)).all())

    def concept(self, session: Session, name: str) -> Concept:
        key = normalize(name)
        concept = session.scalar(select(Concept).where(Concept.name == key))
        if concept is None:
            raise UnknownPersonError(key, self.known_names(session))
        return concept

    # --- lifetime ---------------------------------------------------------------------------
    def save_index(self) -> None:
        self.indexes.save()

    def close(self) -> None:
        self.save_index()
        self.db.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
