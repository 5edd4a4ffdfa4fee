"""disclosure: on-request disclosure (点题公开) and objections (异议)

Revision ID: disclosure_0002
Revises: disclosure_0001
Create Date: 2026-11-22 08:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "disclosure_0002"
down_revision = "disclosure_0001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
