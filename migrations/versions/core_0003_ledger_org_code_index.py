"""index of the ledger by unit code (public pages of a unit)

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-22 08:15:00

"""
from alembic import op


revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ledger_publication_org_code_seq', 'ledger_publication', ['org_code', 'seq'], unique=False)


def downgrade():
    op.drop_index('ix_ledger_publication_org_code_seq', table_name='ledger_publication')
