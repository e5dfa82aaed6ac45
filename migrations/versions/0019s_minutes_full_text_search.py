"""minutes: full-text index (SQLite FTS5 table and triggers; PostgreSQL GIN expression index)

Revision ID: 0019s
Revises: 0017g
Create Date: 2026-12-02 16:20:00

The objects are described in webapp/models/search.py and kept out of ``flask db check`` by
migrations/env.py (include_object). On SQLite a later batch migration that rebuilds ``minutes``
drops its triggers: such a migration calls ``search.install(op.get_bind())`` again afterwards
(idempotent; it also indexes the minutes written meanwhile).
"""
from alembic import op

from webapp.models import search


# revision identifiers, used by Alembic.
revision = '0019s'
down_revision = '0017g'
branch_labels = None
depends_on = None


def upgrade():
    search.install(op.get_bind(), attendees=False)  # 0025l adds the attendees


def downgrade():
    search.uninstall(op.get_bind())
