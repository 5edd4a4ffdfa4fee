"""disclosure: major decisions (四议两公开) and their steps

Revision ID: disclosure_0003
Revises: disclosure_0002
Create Date: 2026-11-22 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "disclosure_0003"
down_revision = "disclosure_0002"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        "disclosure_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), _fk("disclosure_decision", "org_id", "org_unit"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("matter", sa.String(length=100), nullable=False),
        sa.Column("pub_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), _fk("disclosure_decision", "created_by_id", "account_user"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_decision"),
    )
    op.create_index("ix_disclosure_decision_org_id", "disclosure_decision", ["org_id"])
    step = "disclosure_decision_step"
    op.create_table(
        step,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), _fk(step, "decision_id", "disclosure_decision"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("meeting", sa.String(length=20), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("present", sa.Integer(), nullable=True),
        sa.Column("approvals", sa.Integer(), nullable=True),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("township_attendees", sa.JSON(), nullable=False),
        sa.Column("draft_id", sa.Integer(), _fk(step, "draft_id", "disclosure_draft"), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), _fk(step, "recorded_by_id", "account_user"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_decision_step"),
        sa.UniqueConstraint("decision_id", "number", name="uq_disclosure_decision_step_decision_id"),
    )
    op.create_index("ix_disclosure_decision_step_decision_id", step, ["decision_id"])
    op.create_index("ix_disclosure_decision_step_draft_id", step, ["draft_id"])


def downgrade():
    op.drop_table("disclosure_decision_step")
    op.drop_table("disclosure_decision")
