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
