"""merge feeds (0004) and site settings (0006)

Revision ID: 0004m
Revises: 0004, 0006
Create Date: 2026-11-27 08:09:08.860435

"""
from alembic import op
import sqlalchemy as sa
import webapp.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0004m'
down_revision = ('0004', '0006')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
