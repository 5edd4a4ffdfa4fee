"""disclosure: drafts on their way to the ledger, and the steps of their review

Revision ID: disclosure_0001
Revises:
Create Date: 2026-11-22 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "disclosure_0001"
down_revision = None
branch_labels = ("disclosure",)
depends_on = "core_0001"  # its foreign keys point at core tables


def _user_fk(column):
    return sa.ForeignKey("account_user.id", name=f"fk_disclosure_draft_{column}_account_user")


def upgrade():
    op.create_table(
        "disclosure_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("org_unit.id", name="fk_disclosure_draft_org_id_org_unit"),
                  nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("disclosure_kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("pub_id", sa.Integer(), nullable=True),
        sa.Column("correction_of", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), _user_fk("created_by_id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), _user_fk("submitted_by_id"), nullable=True),
        sa.Column("countersigned_by_id", sa.Integer(), _user_fk("countersigned_by_id"), nullable=True),
        sa.Column("countersigned_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), _user_fk("approved_by_id"), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_draft"),
    )
    op.create_index("ix_disclosure_draft_org_id", "disclosure_draft", ["org_id"])
    op.create_index("ix_disclosure_draft_state", "disclosure_draft", ["state"])
    op.create_index("ix_disclosure_draft_pub_id", "disclosure_draft", ["pub_id"])
    op.create_table(
        "disclosure_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disclosure_id", sa.Integer(),
                  sa.ForeignKey("disclosure_draft.id", name="fk_disclosure_step_disclosure_id_disclosure_draft"),
                  nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("account_user.id", name="fk_disclosure_step_user_id_account_user"), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_step"),
    )
    op.create_index("ix_disclosure_step_disclosure_id", "disclosure_step", ["disclosure_id"])


def downgrade():
    op.drop_table("disclosure_step")
    op.drop_table("disclosure_draft")
