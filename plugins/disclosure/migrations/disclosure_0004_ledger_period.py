"""disclosure: the periods of the disclosures in the ledger, copied out of their payloads (compliance)

Revision ID: disclosure_0004
Revises: disclosure_0003
Create Date: 2026-12-01 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "disclosure_0004"
down_revision = "disclosure_0003"
branch_labels = None
depends_on = None

TABLE = "disclosure_ledger_period"
COLUMNS = ("seq", "pub_id", "revision", "action", "org_code", "published_at", "category", "period", "month")


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pub_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("org_code", sa.String(length=40), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("month", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_disclosure_ledger_period"),
    )
    op.create_index("ix_disclosure_ledger_period_org_code_seq", TABLE, ["org_code", "seq"])
    # every disclosure revision already in the ledger, in one statement (the JSON paths in each
    # database's own SQL, as compliance.py read them before this table)
    ledger = sa.table("ledger_publication", *(sa.column(c) for c in ("seq", "pub_id", "revision", "action",
                                                                      "org_code", "published_at", "plugin", "kind")),
                      sa.column("payload", sa.JSON))
    paths = [ledger.c.payload[path].as_string() for path in ("category", "period", ("statement", "month"))]
    rows = sa.select(*(ledger.c[c] for c in COLUMNS[:6]), *paths).where(
        ledger.c.plugin == "disclosure", ledger.c.kind == "disclosure")
    op.execute(sa.table(TABLE, *(sa.column(c) for c in COLUMNS)).insert().from_select(COLUMNS, rows))


def downgrade():
    op.drop_index("ix_disclosure_ledger_period_org_code_seq", table_name=TABLE)
    op.drop_table(TABLE)
