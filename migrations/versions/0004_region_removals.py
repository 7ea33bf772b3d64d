"""region removals: a count the FAISS caches of every machine check (store/indexes.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Triggers count every region deleted or changed into the ``settings`` row
``internal.region_removals``. Count and sum of region ids miss a change where SQLite reuses a
deleted highest id (a photo analysed again keeps its ids, with new vectors); with the count, a
cache that saw no removal need only read the regions added since. No table or column is added.
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

KEY = 'internal.region_removals'


def upgrade() -> None:
    # Each step only where it is not done yet: a library half-upgraded by an earlier version (DDL
    # committed statement by statement) is finished, not refused (plvm_photos/db/ddl.py).
    op.execute(f"INSERT INTO settings (key, value) SELECT '{KEY}', '0' "
               f"WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = '{KEY}')")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE OR REPLACE FUNCTION count_region_removal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE settings SET value = (value::bigint + 1)::text WHERE key = '{KEY}'; RETURN NULL; END $$"
        )
        op.execute("DROP TRIGGER IF EXISTS regions_removed ON regions")
        op.execute("CREATE TRIGGER regions_removed AFTER DELETE OR UPDATE ON regions "
                   "FOR EACH ROW EXECUTE FUNCTION count_region_removal()")
        return
    for event in ('delete', 'update'):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS regions_{event}d AFTER {event.upper()} ON regions FOR EACH ROW BEGIN "
                   f"UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = '{KEY}'; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER regions_removed ON regions")
        op.execute("DROP FUNCTION count_region_removal()")
    else:
        op.execute("DROP TRIGGER regions_deleted")
        op.execute("DROP TRIGGER regions_updated")
    op.execute(f"DELETE FROM settings WHERE key = '{KEY}'")
