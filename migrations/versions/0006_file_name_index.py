"""file names: an index on each path's last component, lower-cased

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A question that names a photo by its file name ("who is in IMG_1234.jpg?") looked the name up
with ``path LIKE '%/IMG_1234.jpg'``, which reads every path: 0.27 s on a million files. This
expression index finds the files with that last component directly. The expression must stay
the one ``ask/photo_ref.py`` queries with (``FILE_NAME_KEY``); tests/ask/test_photo_ref.py checks
that SQLite uses the index. It is not in the models: Alembic does not reflect expression indexes.
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KEYS = {
    'sqlite': "lower(replace(path, rtrim(path, replace(path, '/', '')), ''))",
    'postgresql': "lower(regexp_replace(path, '^.*/', ''))",
}


def upgrade() -> None:
    key = KEYS.get(op.get_bind().dialect.name)
    if key is not None:
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_files_name ON files ({key})")


def downgrade() -> None:
    if op.get_bind().dialect.name in KEYS:
        op.execute("DROP INDEX ix_files_name")
