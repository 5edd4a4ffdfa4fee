"""bigram index of the publications for /search (portal.public.search)

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-30 23:00:00

"""
from alembic import op
from sqlalchemy import text

from portal.public import search

revision = 'core_0004'
down_revision = 'core_0003'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    connection = op.get_bind()
    for sql in search.create_statements(connection.dialect.name):
        op.execute(sql)
    # every revision already in the ledger, in batches (a county's ledger holds tens of thousands)
    last = 0
    while True:
        rows = connection.execute(text(
            "SELECT seq, title, summary, search_text FROM ledger_publication WHERE seq > :last ORDER BY seq LIMIT :n"),
            {"last": last, "n": BATCH}).all()
        if not rows:
            break
        search.index_rows(connection, rows)
        last = rows[-1][0]


def downgrade():
    op.execute(f"DROP TABLE {search.TABLE}")
