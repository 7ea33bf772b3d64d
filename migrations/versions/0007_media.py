"""media: videos, and items of several files (RAW+JPEG pairs, Live Photos)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

- ``photos.kind``: "photo" (a still, a camera RAW among them) or "video";
- ``photos.duration``: a video's length in seconds;
- ``regions.segments``: for a face followed through a video, the times it is seen (JSON);
- ``files.role``: "companion" for a file of an item that is not the content analysed (the RAW of
  a RAW+JPEG pair, a Live Photo's movie).

Only columns are added (no table rebuild: see 0005).
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.add_column('photos', sa.Column('kind', sa.String(length=8), nullable=False, server_default='photo'))
    ddl.add_column('photos', sa.Column('duration', sa.Float(), nullable=True))
    ddl.add_column('regions', sa.Column('segments', sa.Text(), nullable=True))
    ddl.add_column('files', sa.Column('role', sa.String(length=16), nullable=True))


def downgrade() -> None:
    for table, column in (('files', 'role'), ('regions', 'segments'), ('photos', 'duration'), ('photos', 'kind')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
