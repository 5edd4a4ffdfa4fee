"""partial index of the ledger's withdrawals (the count of the latest publications)

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-01 07:00:00

"""
from alembic import op
from sqlalchemy import text


revision = 'core_0005'
down_revision = 'core_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ledger_publication_withdrawn', 'ledger_publication', ['pub_id'], unique=False,
                    sqlite_where=text("action = 'withdraw'"), postgresql_where=text("action = 'withdraw'"))


def downgrade():
    op.drop_index('ix_ledger_publication_withdrawn', table_name='ledger_publication')
