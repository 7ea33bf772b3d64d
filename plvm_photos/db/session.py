"""Opening the library's database: SQLite (WAL) by default, any SQLAlchemy URL on request."""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from plvm_photos.db.migrate import ensure_current
from plvm_photos.errors import BUSY, LibraryError, environment_failure


BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another's lock; long writers commit in batches well within it


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (ask, the web page) run while the indexer writes; the busy timeout makes
    # a second writer wait instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


EXAMPLE_URLS = "e.g. postgresql+psycopg://user@host/photos or sqlite:////path/to/library.db"


def make_engine(url: str, migrate: bool = True) -> Engine:
    """The engine of the database at ``url``, its schema brought up to date (``migrate``). A URL
    that names no database this program can use is a ``LibraryError`` saying why, as is a
    database that cannot be reached or opened."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise LibraryError(f"{url!r} is not a database URL ({EXAMPLE_URLS})") from None
    shown = url if parsed.password is None else parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and (parsed.database or ":memory:") == ":memory:":
        raise LibraryError(f"{shown} is a database in memory: the library would be gone when the command ends; "
                           f"give a file ({EXAMPLE_URLS})")
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise LibraryError(f"cannot use {shown}: no driver for {parsed.drivername} is installed ({exc}); "
                           f"{EXAMPLE_URLS}") from None
    except (ArgumentError, TypeError, ValueError) as exc:
        raise LibraryError(f"cannot use {shown}: {exc}") from None
    if migrate:
        try:
            ensure_current(engine)
        except DBAPIError as exc:
            engine.dispose()
            if environment_failure(exc) == BUSY:
                raise LibraryError(BUSY) from None
            reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
            if parsed.get_backend_name() == "sqlite" and parsed.database:
                reason = _why_sqlite_cannot_open(parsed.database) or reason
            raise LibraryError(f"cannot open the database {shown}: {reason}") from None
    return engine


def _why_sqlite_cannot_open(database: str) -> str | None:
    """What keeps this program from opening a SQLite file, as far as the file system tells: a
    library's database must be writable even to read it (its write-ahead log is a file beside it)."""
    import os

    path = os.path.abspath(database)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        return f"its folder {folder} does not exist"
    try:
        fs = os.statvfs(folder)
    except OSError:
        fs = None
    if fs is not None and fs.f_flag & os.ST_RDONLY:
        return "it is on a read-only file system (a library is written to even when it is only read)"
    if fs is not None and fs.f_bavail * fs.f_frsize < 1024 * 1024:
        return "no space left on the device"
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        return "this user may not read and write the file"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"this user may not write its folder {folder} (a library is written to even when it is only read)"
    return None


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
