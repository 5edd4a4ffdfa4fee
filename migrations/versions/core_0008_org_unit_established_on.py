"""the date a unit was established (nothing is required of a village or branch before it)

Revision ID: core_0008
Revises: core_0007
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0008'
down_revision = 'core_0007'
branch_labels = None
depends_on = None


def upgrade():
    # Every unit there is gets no date: it existed before the records began. Its created_at is no
    # substitute (an import stamped every unit with the day of the import).
    op.add_column('org_unit', sa.Column('established_on', sa.Date(), nullable=True))


def downgrade():
    # not in batch mode: SQLite (3.35+) drops a column in place, where a batch would copy org_unit and
    # fail on the foreign keys that point at it
    op.drop_column('org_unit', 'established_on')
