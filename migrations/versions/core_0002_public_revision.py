"""public revision counter (part of the ETag of public pages)

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-22 08:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('public_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_revision'))
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade():
    op.drop_table('public_revision')
