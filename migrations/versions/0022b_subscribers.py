"""Personal subscriptions: subscribers (address sealed, keyed hash), their outbox copies.

Revision ID: 0022b
Revises: 0023p
Create Date: 2026-12-03 08:05:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.models.base

revision = '0022b'
down_revision = '0023p'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'subscribers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('confirm_hash', sa.String(length=64), nullable=True),
        sa.Column('unsubscribe_hash', sa.String(length=64), nullable=True),
        sa.Column('unsubscribe_token', sa.Text(), nullable=True),
        sa.Column('bounces', sa.Integer(), nullable=False),
        sa.Column('requested_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('changed_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'confirmed', 'paused', 'unsubscribed')",
            name=op.f('ck_subscribers_state_known'),
        ),
        sa.ForeignKeyConstraint(
            ['series_id'], ['series.id'],
            name=op.f('fk_subscribers_series_id_series'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
        sa.UniqueConstraint('confirm_hash', name=op.f('uq_subscribers_confirm_hash')),
        sa.UniqueConstraint(
            'series_id', 'address_hash', name=op.f('uq_subscribers_series_id_address_hash')
        ),
        sa.UniqueConstraint('unsubscribe_hash', name=op.f('uq_subscribers_unsubscribe_hash')),
    )
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscribers_series_id'), ['series_id'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subscriber_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_outbox_messages_subscriber_id'), ['subscriber_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_messages_subscriber_id_subscribers'),
            'subscribers', ['subscriber_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_messages_subscriber_id_subscribers'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_outbox_messages_subscriber_id'))
        batch_op.drop_column('subscriber_id')
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscribers_series_id'))
    op.drop_table('subscribers')
