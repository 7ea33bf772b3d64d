"""photos.place_id indexed: "in Tokyo" selects the photos whose place is Tokyo or one of its parts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

A city in a question is containment (the photo's reverse-geocoded place is the city or one of its
districts and suburbs), asked as ``photos.place_id IN (...)``; without an index that read every
photo. Counting photos by place ("which city has the most photos?") groups on the same column.
"""
from alembic import op

from plvm_photos.db import ddl

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_index("ix_photos_place_id", "photos", ["place_id"])


def downgrade() -> None:
    op.drop_index("ix_photos_place_id", table_name="photos")
