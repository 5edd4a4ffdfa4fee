"""example: a table of its own, on its own branch (shows how a plugin migrates)

Revision ID: example_0001
Revises:
Create Date: 2026-11-22 02:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "example_0001"
down_revision = None
branch_labels = ("example",)
depends_on = "core_0001"  # its foreign keys point at core tables


def upgrade():
    op.create_table(
        "example_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("org_unit.id", name="fk_example_note_org_id_org_unit"),
                  nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_example_note"),
    )


def downgrade():
    op.drop_table("example_note")
