"""archives: roles and absentees per attendance, shared names, follow-up lines, import runs

Revision ID: 0012a
Revises: 0011c
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

import webapp.models.base  # noqa: F401  (custom column types)

revision = "0012a"
down_revision = "0011c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_people_name"), type_="unique")
        batch_op.create_index(batch_op.f("ix_people_name"), ["name"], unique=False)
    with op.batch_alter_table("minutes_attendees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("absent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raised_line", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_line", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("close_note", sa.String(length=200), server_default="", nullable=False)
        )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("command", sa.String(length=1000), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("undone_at", webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["import_runs.id"],
            name=op.f("fk_import_changes_run_id_import_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_changes")),
    )
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_changes_run_id"), ["run_id"], unique=False)


def downgrade():
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_changes_run_id"))
    op.drop_table("import_changes")
    op.drop_table("import_runs")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_column("close_note")
        batch_op.drop_column("closed_line")
        batch_op.drop_column("raised_line")
    with op.batch_alter_table("minutes_attendees", schema=None) as batch_op:
        batch_op.drop_column("absent")
        batch_op.drop_column("role")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_name"))
        batch_op.create_unique_constraint(batch_op.f("uq_people_name"), ["name"])
