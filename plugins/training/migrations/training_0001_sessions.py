"""training: sessions and attendance, on the training branch

Revision ID: training_0001
Revises:
Create Date: 2026-11-22 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "training_0001"
down_revision = None
branch_labels = ("training",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("lecturer", sa.String(length=60), nullable=True),
        sa.Column("place", sa.String(length=120), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["org_unit.id"], name="fk_training_session_org_id_org_unit"),
        sa.ForeignKeyConstraint(["created_by_id"], ["account_user.id"],
                                name="fk_training_session_created_by_id_account_user"),
        sa.PrimaryKeyConstraint("id", name="pk_training_session"),
    )
    op.create_index("ix_training_session_org_id", "training_session", ["org_id"])
    op.create_index("ix_training_session_starts_at", "training_session", ["starts_at"])
    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["training_session.id"],
                                name="fk_training_attendance_session_id_training_session"),
        sa.ForeignKeyConstraint(["person_id"], ["org_person.id"],
                                name="fk_training_attendance_person_id_org_person"),
        sa.PrimaryKeyConstraint("id", name="pk_training_attendance"),
        sa.UniqueConstraint("session_id", "person_id", name="uq_training_attendance_session_id"),
    )
    op.create_index("ix_training_attendance_session_id", "training_attendance", ["session_id"])
    op.create_index("ix_training_attendance_person_id", "training_attendance", ["person_id"])


def downgrade():
    op.drop_table("training_attendance")
    op.drop_table("training_session")
