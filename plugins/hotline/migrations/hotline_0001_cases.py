"""hotline: cases, their timeline, published monthly statistics

Revision ID: hotline_0001
Revises:
Create Date: 2026-11-22 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "hotline_0001"
down_revision = None
branch_labels = ("hotline",)
depends_on = "core_0001"  # its foreign keys point at core tables


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        "hotline_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("complainant_name", sa.String(length=60), nullable=True),
        sa.Column("complainant_phone", sa.String(length=30), nullable=True),
        sa.Column("complainant_email", sa.String(length=120), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("accused_text", sa.String(length=200), nullable=True),
        sa.Column("accused_unit_id", sa.Integer(), nullable=True),
        sa.Column("accused_person_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sign_due_at", sa.DateTime(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("extended_from", sa.DateTime(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("assignee_unit_id", sa.Integer(), nullable=True),
        sa.Column("assignee_user_id", sa.Integer(), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_to_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=30), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        _fk("hotline_case", "org_id", "org_unit"),
        _fk("hotline_case", "township_id", "org_unit"),
        _fk("hotline_case", "accused_unit_id", "org_unit"),
        _fk("hotline_case", "accused_person_id", "org_person"),
        _fk("hotline_case", "assignee_unit_id", "org_unit"),
        _fk("hotline_case", "assignee_user_id", "account_user"),
        _fk("hotline_case", "escalated_to_id", "org_unit"),
        _fk("hotline_case", "merged_into_id", "hotline_case"),
        sa.PrimaryKeyConstraint("id", name="pk_hotline_case"),
        sa.UniqueConstraint("code", name="uq_hotline_case_code"),
    )
    with op.batch_alter_table("hotline_case", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_case_org_id", ["org_id"], unique=False)
        batch_op.create_index("ix_hotline_case_state", ["state"], unique=False)
        batch_op.create_index("ix_hotline_case_township_filed", ["township_id", "filed_at"], unique=False)

    op.create_table(
        "hotline_case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _fk("hotline_case_event", "case_id", "hotline_case"),
        _fk("hotline_case_event", "user_id", "account_user"),
        sa.PrimaryKeyConstraint("id", name="pk_hotline_case_event"),
    )
    with op.batch_alter_table("hotline_case_event", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_case_event_case_id", ["case_id"], unique=False)

    op.create_table(
        "hotline_stats_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("pub_id", sa.Integer(), nullable=False),
        _fk("hotline_stats_publication", "org_id", "org_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_hotline_stats_publication"),
        sa.UniqueConstraint("org_id", "month", name="uq_hotline_stats_publication_org_id"),
    )


def downgrade():
    op.drop_table("hotline_stats_publication")
    op.drop_table("hotline_case_event")
    op.drop_table("hotline_case")
