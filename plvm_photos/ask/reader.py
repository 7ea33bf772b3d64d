"""Read-only SQL over a DB-API connection: what ``ask`` answers from.

The queries are plain SQL, not the ORM: ``plvm-photos ask`` answers through the standard
library's ``sqlite3`` alone (``plvm_photos.launcher``), because importing SQLAlchemy's ORM costs
more (~0.4 s) than answering a question on a 100 000-photo library. The same SQL runs on the
library's own connection (SQLite or PostgreSQL) through ``dbapi_reader``.
"""

from __future__ import annotations

import json
from datetime import datetime

CHUNK = 500  # ids per IN (...) list


class Reader:
    """Read-only queries over a DB-API connection; SQL is written with ``?`` placeholders.

    ``sqlite`` connections take id lists as one JSON parameter (``json_each``), others as an
    array (``= ANY``): one query per list instead of one per 500 ids.
    """

    def __init__(self, connection, placeholder: str = "?", dialect: str = "sqlite"):
        self._conn = connection
        self._placeholder = placeholder
        self.dialect = dialect
        if dialect == "sqlite":
            import sqlite3

            self._json_ids = sqlite3.sqlite_version_info >= (3, 38)
        else:
            self._json_ids = False

    def id_filters(self, column: str, ids: list[int]):
        """(SQL condition, parameters) pairs that together select ``column`` in ``ids``."""
        if self.dialect == "sqlite" and self._json_ids:
            yield f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
        elif self.dialect == "postgresql":
            yield f"{column} = ANY(?)", [ids]
        else:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                yield f"{column} IN ({marks(len(chunk))})", chunk

    def moment(self, value: datetime):
        """A naive date-time as a parameter compared with a ``DateTime`` column: SQLAlchemy
        stores them in SQLite as text of this one format, which then compares in order."""
        return value.isoformat(sep=" ", timespec="microseconds") if self.dialect == "sqlite" else value

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        if self._placeholder != "?":
            sql = sql.replace("?", self._placeholder)
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def value(self, sql: str, params: tuple | list = ()):
        found = self.rows(sql, params)
        return found[0][0] if found else None


def marks(n: int) -> str:
    return ", ".join("?" * n)


def as_datetime(value) -> datetime | None:
    """A ``DateTime`` column's value as read back (text in SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def dbapi_reader(connection, dialect) -> Reader:
    """A Reader on a SQLAlchemy dialect's DB-API connection."""
    return Reader(connection, "?" if dialect.paramstyle == "qmark" else "%s", dialect.name)


def session_reader(session) -> Reader:
    """A Reader on an ORM session's own connection, inside the session's transaction."""
    conn = session.connection()
    return dbapi_reader(conn.connection.driver_connection, conn.dialect)
