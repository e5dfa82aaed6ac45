"""Markdown stored as HTML beside its text; one data version for the stored page renders

Revision ID: 0013r
Revises: 0014m
Create Date: 2026-12-02 16:25:00

"""
from alembic import op
import sqlalchemy as sa
import webapp.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0013r'
down_revision = '0014m'
branch_labels = None
depends_on = None

#: (table, HTML column): filled by the app when the text is next saved, or at once by
#: ``flask markdown render`` (pages render a text whose HTML is still NULL).
HTML_COLUMNS = (
    ('minutes', 'notes_html'),
    ('agenda_items', 'text_html'),
    ('series', 'description_html'),
    ('series', 'agenda_template_html'),
    ('conferences', 'description_html'),
    ('conferences', 'call_text_html'),
)


def upgrade():
    for table, column in HTML_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))
    op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('counter', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_version_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.execute("INSERT INTO data_version (id, counter, changed_at) VALUES (1, 0, CURRENT_TIMESTAMP)")


def downgrade():
    op.drop_table('data_version')
    for table, column in reversed(HTML_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
