"""Announcements: per-series settings and the log that queues each mail once

Revision ID: 0020n
Revises: 0018l
Create Date: 2026-12-02 17:35:00

"""
from alembic import op
import sqlalchemy as sa
import webapp.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0020n'
down_revision = '0018l'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcement_settings',
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('addresses', sa.Text(), nullable=False),
        sa.Column('hours_before', sa.Integer(), nullable=False),
        sa.Column('zones', sa.Text(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'hours_before BETWEEN 1 AND 336',
            name=op.f('ck_announcement_settings_hours_before_range'),
        ),
        sa.ForeignKeyConstraint(
            ['series_id'], ['series.id'],
            name=op.f('fk_announcement_settings_series_id_series'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('series_id', name=op.f('pk_announcement_settings')),
    )
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('meeting_date', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('agenda', 'cancelled', 'moved', 'added', 'restored')",
            name=op.f('ck_announcements_kind_known'),
        ),
        sa.ForeignKeyConstraint(
            ['series_id'], ['series.id'],
            name=op.f('fk_announcements_series_id_series'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
        sa.UniqueConstraint(
            'series_id', 'meeting_date', 'kind', 'sequence',
            name=op.f('uq_announcements_series_id_meeting_date_kind_sequence'),
        ),
    )


def downgrade():
    op.drop_table('announcements')
    op.drop_table('announcement_settings')
