"""face changes: the photos whose faces' standing may have changed, in commit order

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

The gallery keeps the unknown faces' ids (96 000 at 100 000 photos) in its process; reading them
all again after every commit cost 0.2-0.3 s of a page (``curation/unknown_ids.py``). On SQLite,
triggers now append to ``face_changes`` the photo of every row written that can make a face known
or unknown (a face region, a verdict, a face mark; a photo's error, a file there or missing), so a
reader reads again only those photos' faces. SQLite commits one writer at a time, so the log's
order is commit order and it has no gaps; the oldest entries are dropped beyond ``KEEP`` (a reader
that saw none of the dropped ones' successors reads everything again). PostgreSQL gets the table
and no triggers: its sequence numbers are taken before commit, out of commit order, so a reader
there reads every id again, as before.
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

KEEP = 200_000  # entries kept: the changes of about 50 000 photos scanned

# (table, event, condition on the row or None, the photo ids to log as SQL on NEW / OLD)
TRIGGERS = [
    ('regions', 'INSERT', "NEW.kind = 'face'", ['NEW.photo_id']),
    ('regions', 'DELETE', "OLD.kind = 'face'", ['OLD.photo_id']),
    ('regions', 'UPDATE OF kind, photo_id', None, ['NEW.photo_id', 'OLD.photo_id']),
    # only a verdict that is present with a face claims it; most verdicts are absent pairs
    ('verdicts', 'INSERT', 'NEW.present AND NEW.region_id IS NOT NULL', ['NEW.photo_id']),
    ('verdicts', 'DELETE', 'OLD.present AND OLD.region_id IS NOT NULL', ['OLD.photo_id']),
    ('verdicts', 'UPDATE OF present, region_id, photo_id', None, ['NEW.photo_id', 'OLD.photo_id']),
    ('face_marks', 'INSERT', None, ['NEW.photo_id']),
    ('face_marks', 'DELETE', None, ['OLD.photo_id']),
    ('face_marks', 'UPDATE OF region_id, photo_id', None, ['NEW.photo_id', 'OLD.photo_id']),
    ('photos', 'UPDATE OF error', None, ['NEW.id']),
    ('photos', 'DELETE', None, ['OLD.id']),
    ('files', 'INSERT', 'NEW.photo_id IS NOT NULL', ['NEW.photo_id']),
    ('files', 'DELETE', 'OLD.photo_id IS NOT NULL', ['OLD.photo_id']),
    ('files', 'UPDATE OF missing, photo_id', None, ['NEW.photo_id', 'OLD.photo_id']),
]


def trigger_name(table: str, event: str) -> str:
    return f"face_changes_{table}_{event.split()[0].lower()}"


def upgrade() -> None:
    ddl.create_table(
        'face_changes',
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table, event, condition, photo_ids in TRIGGERS:
        inserts = " ".join(f"INSERT INTO face_changes (photo_id) SELECT {p} WHERE {p} IS NOT NULL;" for p in photo_ids)
        when = f" WHEN {condition}" if condition else ""
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, event)} AFTER {event} ON {table} "
                   f"FOR EACH ROW{when} BEGIN {inserts} END")
    op.execute("CREATE TRIGGER IF NOT EXISTS face_changes_kept AFTER INSERT ON face_changes "
               f"FOR EACH ROW WHEN NEW.seq % 1000 = 0 BEGIN DELETE FROM face_changes WHERE seq <= NEW.seq - {KEEP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS face_changes_kept")
        for table, event, _, _ in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table, event)}")
    op.drop_table('face_changes')
