"""The unknown faces' region ids of one library, kept in this process from one page to the next.

Reading them all costs 0.2-0.3 s at 96 000 faces. They are read whole once; afterwards, when the
database changed (``ChangeWatch``), only the faces of the photos that ``face_changes`` logged since
are read again (migration 0012's triggers; the same query, narrowed to those photos). They are read
whole again when the log no longer holds every change since (its oldest entries are dropped), when
more photos changed than reading them apart would save, and on a database without the log's
triggers (PostgreSQL: every load reads them whole, as ``ChangeWatch`` cannot tell a change there).

The log's last number is read before the faces: a commit in between is read again next time, and
reading a photo's faces again is always right, so nothing is missed and nothing is applied twice
wrongly.
"""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import func, select

from plvm_photos.ask.reader import session_reader
from plvm_photos.db.models import FaceChange, Region
from plvm_photos.db.queries import CHUNK, unknown_faces_query
from plvm_photos.store.change_watch import ChangeWatch
from plvm_photos.store.library_store import LibraryStore

# Changed photos above which every face is read again: reading 20 000 photos' faces by id costs
# about what one read of all of them does.
READ_ALL_ABOVE = 20_000


class UnknownIds:
    """Those of the database at ``db_url``, read through whichever library object asks (one may be
    closed and another opened on the same folder)."""

    def __init__(self, db_url: str):
        self._watch = ChangeWatch(db_url)
        self._lock = threading.Lock()
        self._version: int | None = None
        self._seq: int | None = None  # the last log entry applied (None: the log is not read)
        self._faces = _NONE  # (region id, photo id) of each unknown face, by region id
        self._ids: list[int] | None = None
        self.photos_read_again = 0  # photos whose faces the last update read (-1: all faces were read)

    def ids(self, library: LibraryStore) -> list[int]:
        """The unknown faces' region ids now, ascending."""
        with self._lock:
            version = self._watch.version()  # before the queries: a commit during them is seen next time
            if version is not None and version == self._version and self._ids is not None:
                return self._ids
            with library.session() as s:
                conn = s.connection()
                logged = conn.dialect.name == "sqlite"
                newest, oldest = conn.execute(select(func.max(FaceChange.seq), func.min(FaceChange.seq))).one() \
                    if logged else (None, None)
                newest = newest or 0
                changed = self._changed_photos(conn, newest, oldest) if logged and self._ids is not None else None
                if changed is None:
                    self._faces = _faces(s, unknown_faces_query(Region.id, Region.photo_id))
                    self.photos_read_again = -1
                else:
                    self._faces = self._with_photos_read_again(s, changed)
                    self.photos_read_again = len(changed)
            self._seq = newest if logged else None
            self._version = version
            self._ids = self._faces[:, 0].tolist()
            return self._ids

    def _changed_photos(self, conn, newest: int, oldest: int | None) -> list[int] | None:
        """The photos logged after the last entry applied, up to ``newest``; None when they
        cannot be known (entries dropped since) or are too many to read apart."""
        last = self._seq
        if last is None or (oldest is not None and oldest > last + 1) or newest < last:
            return None
        photos = [r[0] for r in conn.execute(select(FaceChange.photo_id).distinct()
                                             .where(FaceChange.seq > last, FaceChange.seq <= newest))]
        return None if len(photos) > READ_ALL_ABOVE else photos

    def _with_photos_read_again(self, session, photo_ids: list[int]) -> np.ndarray:
        kept = self._faces[~np.isin(self._faces[:, 1], np.asarray(photo_ids, dtype=np.int64))]
        parts = [kept] + [_faces(session, unknown_faces_query(Region.id, Region.photo_id)
                                 .where(Region.photo_id.in_(photo_ids[start : start + CHUNK])))
                          for start in range(0, len(photo_ids), CHUNK)]
        faces = np.concatenate(parts)
        return faces[np.argsort(faces[:, 0], kind="stable")]

    def close(self) -> None:
        self._watch.close()


_NONE = np.zeros((0, 2), dtype=np.int64)


def _faces(session, query) -> np.ndarray:
    """The (region id, photo id) rows of ``query``, through the DB-API cursor: SQLAlchemy's rows
    cost more than the query itself at 96 000 faces."""
    conn = session.connection()
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    rows = session_reader(session).rows(sql)
    return np.array(rows, dtype=np.int64).reshape(-1, 2)
