"""disclosure: major decisions (四议两公开) and their steps

Revision ID: disclosure_0003
Revises: disclosure_0002
Create Date: 2026-11-22 08:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "disclosure_0003"
down_revision = "disclosure_0002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
