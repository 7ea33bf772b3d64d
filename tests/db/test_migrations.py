import pytest
from sqlalchemy import inspect, text

from plvm_photos.db.migrate import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    upgrade,
)
from plvm_photos.db.models import Base
from plvm_photos.db.session import make_engine
from plvm_photos.library import Library


def test_head_constant_matches_the_migration_scripts():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_opening_a_library_creates_the_schema_in_wal_mode(tmp_path):
    with Library(tmp_path) as library:
        assert current_revision(library.db) == HEAD_REVISION
        tables = set(inspect(library.db).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with library.db.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_files_name")
def test_migrations_match_the_models(tmp_path):
    """Autogenerate finds nothing to do: the migrations build exactly what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(tmp_path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert "photos" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION
    assert "photos" in inspect(engine).get_table_names()


# --- a migration killed half-way ----------------------------------------------------------------------
def _library_at(tmp_path, revision: str | None) -> str:
    """A library database at ``revision`` (None: no database yet) holding one person."""
    url = f"sqlite:///{tmp_path / 'library.db'}"
    if revision is not None:
        engine = make_engine(url, migrate=False)
        upgrade(engine, revision)
        display = ("display", "'Mike', ") if revision >= "0003" else ("", "")
        with engine.begin() as conn:
            conn.execute(text(f"INSERT INTO concepts (id, name, {display[0]}{',' if display[0] else ''} kind, created_at) "
                              f"VALUES (1, 'mike', {display[1]}'person', '2026-01-01')"))
        engine.dispose()
    return url


def _killed_migration(url: str, n: int, mode: str) -> int:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "tests.db.kill_migration", url, str(n), mode], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode


def _schema_is_current(url: str, person: bool) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(url, migrate=False)
    try:
        assert current_revision(engine) == HEAD_REVISION
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert conn.execute(text("SELECT count(*) FROM concepts WHERE name = 'mike' AND display != ''")).scalar() == int(person)
            triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            assert sorted(t for t in triggers if not t.startswith("face_changes_")) == ["regions_deleted", "regions_updated"]
            assert len([t for t in triggers if t.startswith("face_changes_")]) == 15  # 0012: 14 tables' events, the keeper
            assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'ix_files_name'")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_files_name")
@pytest.mark.parametrize("start, n, what_is_there", [
    (None, 3, "table concepts already exists"),
    ("0002", 2, "duplicate column name: taken_offset_minutes"),
    ("0004", 2, "duplicate column name: hidden"),
    ("0004", 4, "table confirmations already exists"),
    ("0005", 2, "index ix_files_name already exists"),
])
def test_a_library_an_earlier_version_half_upgraded_is_finished_by_db_upgrade(tmp_path, start, n, what_is_there):
    """Earlier versions committed each DDL statement: killed during a migration, they left the next
    revision half-applied under the previous number, and every command failed from then on."""
    from tests.curation.small_library import run_cli

    url = _library_at(tmp_path, start)
    assert _killed_migration(url, n, "per-statement") == -9
    done = run_cli(["--db", url, "db", "upgrade"])
    assert done.exit_code == 0, (what_is_there, done.output, done.exception)
    _schema_is_current(url, person=start is not None)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_files_name")
@pytest.mark.parametrize("start, n", [(None, 5), ("0004", 4), ("0005", 2)])
def test_a_migration_killed_at_any_statement_changes_nothing_and_the_next_open_finishes_it(tmp_path, start, n):
    url = _library_at(tmp_path, start)
    before = tmp_path.joinpath("library.db").read_bytes() if start is not None else None
    assert _killed_migration(url, n, "transactional") == -9
    engine = make_engine(url, migrate=False)
    try:
        assert current_revision(engine) == start
        if start is None:
            assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    if before is not None:
        from sqlalchemy import create_engine

        with create_engine(url).connect() as conn:  # the killed transaction left nothing (WAL rolled back)
            assert conn.execute(text("SELECT count(*) FROM pragma_table_info('concepts') WHERE name = 'hidden'")).scalar() \
                == (0 if start < "0005" else 1)
    Library(tmp_path, db_url=url).close()  # the automatic upgrade
    _schema_is_current(url, person=start is not None)
