"""Announcements: the minutes mail and retime notices are two more kinds in the log

Revision ID: 0021a
Revises: 0021h
Create Date: 2026-12-03 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021a'
down_revision = '0021h'
branch_labels = None
depends_on = None

OLD = "kind IN ('agenda', 'cancelled', 'moved', 'added', 'restored')"
NEW = "kind IN ('agenda', 'cancelled', 'moved', 'added', 'restored', 'retimed', 'minutes')"


def _kinds(condition):
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_announcements_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_announcements_kind_known'), condition)


def upgrade():
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM announcements WHERE kind IN ('retimed', 'minutes')")
    _kinds(OLD)
