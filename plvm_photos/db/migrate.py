"""Running the Alembic migrations in ``migrations/`` on an open database.

Opening a library checks the stored revision against ``HEAD_REVISION`` first and only imports
Alembic when they differ, so read-only commands such as ``ask`` stay fast.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~7 ms of every ``ask``)
if TYPE_CHECKING:  # importing SQLAlchemy here would cost ``plvm-photos ask`` ~0.2 s (launcher.py)
    from sqlalchemy.engine import Engine

HEAD_REVISION = "0007"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import text

    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_current(engine: Engine) -> None:
    if current_revision(engine) != HEAD_REVISION:
        upgrade(engine)
