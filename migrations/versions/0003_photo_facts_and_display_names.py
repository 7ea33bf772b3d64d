"""photo facts (when and where taken) and display names of concepts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Only columns and indexes are added (no table is rebuilt: on SQLite a rebuild of ``concepts`` or
``photos`` would cascade deletes into verdicts while foreign keys are on). ``concepts.display``
starts as a copy of ``name``; ``photos.facts_version`` stays NULL until a scan reads the facts.
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PHOTO_COLUMNS = [
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('taken_offset_minutes', sa.Integer(), nullable=True),
    sa.Column('taken_source', sa.String(length=8), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('place_name', sa.String(length=200), nullable=True),
    sa.Column('admin1', sa.String(length=200), nullable=True),
    sa.Column('admin1_code', sa.String(length=20), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('country', sa.String(length=100), nullable=True),
    sa.Column('facts_version', sa.Integer(), nullable=True),
]
PHOTO_INDEXES = [
    ('ix_photos_taken', ['taken_source', 'taken_at']),
    ('ix_photos_country_code', ['country_code', 'admin1_code']),
    ('ix_photos_lat', ['lat']),
    ('ix_photos_facts_version', ['facts_version']),
]


def upgrade() -> None:
    for column in PHOTO_COLUMNS:
        ddl.add_column('photos', column)
    for name, columns in PHOTO_INDEXES:
        ddl.create_index(name, 'photos', columns)
    ddl.add_column('concepts', sa.Column('display', sa.String(length=128), nullable=False, server_default=''))
    op.execute("UPDATE concepts SET display = name WHERE display = ''")  # a name is never empty


def downgrade() -> None:
    for name, _columns in PHOTO_INDEXES:
        op.drop_index(name, table_name='photos')
    _drop_columns('photos', [column.name for column in PHOTO_COLUMNS])
    _drop_columns('concepts', ['display'])


def _drop_columns(table: str, names: list[str]) -> None:
    if op.get_bind().dialect.name == 'sqlite':  # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), no rebuild
        for name in names:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')
        return
    for name in names:
        op.drop_column(table, name)
