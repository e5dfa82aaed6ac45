"""occurrences: a suffix for a second meeting on one day (``2019-02-07-guests``)

Revision ID: 0024d
Revises: 0022b
Create Date: 2026-12-03 08:00:00

Existing occurrences get the empty suffix: they keep their identity (series, date).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024d'
down_revision = '0022b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suffix', sa.String(length=40), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_occurrences_series_id_original_date'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_occurrences_series_id_original_date_suffix'),
            ['series_id', 'original_date', 'suffix'],
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_occurrences_suffix_only_extra'),
            "suffix = '' OR status IN ('extra', 'cancelled')",
        )


def downgrade():
    op.execute("DELETE FROM occurrences WHERE suffix != ''")
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_occurrences_suffix_only_extra'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('uq_occurrences_series_id_original_date_suffix'), type_='unique'
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_occurrences_series_id_original_date'), ['series_id', 'original_date']
        )
        batch_op.drop_column('suffix')
