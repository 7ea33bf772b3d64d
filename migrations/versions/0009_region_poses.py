"""region poses: what the face engine's people-pose stage saw of each face's person

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

One row per face region the people-pose stage looked at (``engines/face/cues.py``, JSON): face
mesh cues (head pose, mouth, gaze, eyes) and the upper body where it was in frame. Regions
without a row were analysed without the stage; ``scan --pose`` adds their rows.
"""
from alembic import op
import sqlalchemy as sa

from plvm_photos.db import ddl


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        'region_poses',
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('cues', sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('region_poses')
