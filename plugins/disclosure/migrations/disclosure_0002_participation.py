"""disclosure: on-request disclosure (点题公开) and objections (异议)

Revision ID: disclosure_0002
Revises: disclosure_0001
Create Date: 2026-11-22 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "disclosure_0002"
down_revision = "disclosure_0001"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    t = "disclosure_request"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("org_id", sa.Integer(), _fk(t, "org_id", "org_unit"), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("requester_name", sa.String(length=60), nullable=True),
        sa.Column("requester_phone", sa.String(length=30), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("extended_from", sa.DateTime(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("draft_id", sa.Integer(), _fk(t, "draft_id", "disclosure_draft"), nullable=True),
        sa.Column("pub_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_request"),
        sa.UniqueConstraint("code", name="uq_disclosure_request_code"),
    )
    op.create_index("ix_disclosure_request_org_id", t, ["org_id"])
    op.create_index("ix_disclosure_request_state", t, ["state"])
    op.create_index("ix_disclosure_request_draft_id", t, ["draft_id"])
    t = "disclosure_objection"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("org_id", sa.Integer(), _fk(t, "org_id", "org_unit"), nullable=False),
        sa.Column("pub_id", sa.Integer(), nullable=False),
        sa.Column("pub_title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("objector_name", sa.String(length=60), nullable=True),
        sa.Column("objector_phone", sa.String(length=30), nullable=True),
        sa.Column("handler", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=True),
        sa.Column("reference_url", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), _fk(t, "answered_by_id", "account_user"), nullable=True),
        sa.Column("dispute", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("township_id", sa.Integer(), _fk(t, "township_id", "org_unit"), nullable=True),
        sa.Column("township_answer", sa.Text(), nullable=True),
        sa.Column("township_answered_at", sa.DateTime(), nullable=True),
        sa.Column("township_answered_by_id", sa.Integer(), _fk(t, "township_answered_by_id", "account_user"),
                  nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_objection"),
        sa.UniqueConstraint("code", name="uq_disclosure_objection_code"),
    )
    op.create_index("ix_disclosure_objection_org_id", t, ["org_id"])
    op.create_index("ix_disclosure_objection_pub_id", t, ["pub_id"])
    op.create_index("ix_disclosure_objection_state", t, ["state"])


def downgrade():
    op.drop_table("disclosure_objection")
    op.drop_table("disclosure_request")
