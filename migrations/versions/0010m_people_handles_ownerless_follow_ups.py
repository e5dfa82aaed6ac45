"""minutes: people have a handle; follow-ups may have no owner

Revision ID: 0010m
Revises: 0009s
Create Date: 2026-11-30 12:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010m"
down_revision = "0009s"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle", sa.String(length=60), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_people_handle"), ["handle"])
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_people_handle"), type_="unique")
        batch_op.drop_column("handle")
