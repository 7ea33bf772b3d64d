"""Running the Alembic migrations in ``migrations/`` on an open database.

Opening a library checks the stored revision against ``HEAD_REVISION`` first and only imports
Alembic when they differ, so read-only commands such as ``ask`` stay fast.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~7 ms of every ``ask``)
if TYPE_CHECKING:  # importing SQLAlchemy here would cost ``plvm-photos ask`` ~0.2 s (launcher.py)
    from sqlalchemy.engine import Engine

HEAD_REVISION = "0012"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # a config file's value: % is its escape
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The stored schema revision; None for a database without one (new, or created before its
    first revision was recorded). A database that cannot be opened raises."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            conn.rollback()
            if inspect(conn).has_table("alembic_version"):
                raise
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction: a command killed half-way leaves
    the database as it was. (The ``sqlite3`` driver commits each CREATE and ALTER on its own;
    here it is told to leave transactions to us and the whole upgrade is one ``BEGIN IMMEDIATE``,
    which also makes a second process that upgrades at the same time wait, then find it done.)"""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
            return
        driver = conn.connection.dbapi_connection
        level = driver.isolation_level
        driver.isolation_level = None  # no implicit BEGIN or COMMIT: only ours
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        finally:
            driver.isolation_level = level


def ensure_current(engine: Engine) -> None:
    if current_revision(engine) != HEAD_REVISION:
        upgrade(engine)
