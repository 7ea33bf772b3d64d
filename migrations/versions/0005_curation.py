"""curation: hidden people, user-confirmed faces and drawn boxes, the undo journal

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- ``concepts.hidden``: a hidden person is kept and still recognised, but not listed;
- ``regions.by_user``: a face the user drew (not a detection); analysing the photo again keeps it,
  as it keeps the faces confirmed (confirming a face does not update its region row: the triggers
  of 0004 would count that as a removal and every vector index would be rebuilt);
- ``confirmations``: "this face is <person>" (one person per face, one face per person and photo);
- ``curation_journal``: every curation action with what it changed, so the last ones can be undone.

Only columns are added to existing tables (no rebuild: on SQLite a rebuild of ``regions`` would drop
the triggers of 0004 and a rebuild of ``concepts`` would cascade deletes while foreign keys are on).
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.add_column('concepts', sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()))
    ddl.add_column('regions', sa.Column('by_user', sa.Boolean(), nullable=False, server_default=sa.false()))
    ddl.create_table(
        'confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.Column('concept_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['concept_id'], ['concepts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('photo_id', 'concept_id', name='uq_confirmation_photo_concept'),
        sa.UniqueConstraint('region_id', name='uq_confirmation_region'),
    )
    ddl.create_index('ix_confirmations_concept_id', 'confirmations', ['concept_id'])
    ddl.create_table(
        'curation_journal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('curation_journal')
    op.drop_index('ix_confirmations_concept_id', table_name='confirmations')
    op.drop_table('confirmations')
    # Not a batch (table rebuild): see the module docstring. SQLite drops a column itself since 3.35.
    for table, column in (('regions', 'by_user'), ('concepts', 'hidden')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
