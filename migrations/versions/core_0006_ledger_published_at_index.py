"""index of the ledger by publication time (where a month begins in the ledger)

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-01 14:00:00

"""
from alembic import op


revision = 'core_0006'
down_revision = 'core_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ledger_publication_published_at', 'ledger_publication', ['published_at'], unique=False)


def downgrade():
    op.drop_index('ix_ledger_publication_published_at', table_name='ledger_publication')
