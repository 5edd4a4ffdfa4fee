"""session generation of a user (logout, a new password or disabling ends the user's sessions)

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0007'
down_revision = 'core_0006'
branch_labels = None
depends_on = None


def upgrade():
    # Cookies written before this hold a bare user id, which no longer loads a user: everyone
    # logs in once more after the upgrade.
    op.add_column('account_user', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # not in batch mode: SQLite (3.35+) drops a column in place, where a batch would copy
    # account_user and fail on the foreign keys that point at it
    op.drop_column('account_user', 'session_generation')
