"""face marks: faces the user said are not a face, or not worth naming (hidden)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

One row per marked face region (``models.FaceMark``): ``not_a_face`` (a false detection, never
decided as anyone) or ``hidden`` (a stranger). Marked faces leave the unknown faces and the
suggestions; a photo analysed again keeps a marked region.
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        'face_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.Column('mark', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_id'),
    )
    ddl.create_index('ix_face_marks_photo_id', 'face_marks', ['photo_id'])


def downgrade() -> None:
    op.drop_index('ix_face_marks_photo_id', table_name='face_marks')
    op.drop_table('face_marks')
