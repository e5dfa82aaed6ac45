"""mail contexts sealed and rendered by the worker; speakers' address keys; password throttles

Outbox messages keep their context (sealed) and the template's text until the worker renders
them, and a note when it had to use the default text. Speakers get ``email_key``, the address as
limits count it (filled here from the stored addresses with the pinned email-validator, as
``webapp.addresses.key`` does). Wrong passwords are counted per account in
``password_throttles``.

Revision ID: 0014m
Revises: 0012a
Create Date: 2026-12-02 16:12:33.197242

"""
from alembic import op
import sqlalchemy as sa
import webapp.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0014m'
down_revision = '0012a'
branch_labels = None
depends_on = None

speakers = sa.table(
    "speakers", sa.column("id", sa.Integer), sa.column("email", sa.String),
    sa.column("email_key", sa.String),
)


def _key(address):
    from webapp.addresses import key

    try:
        return key(address)
    except ValueError:  # an address stored before addresses were checked this way
        return address.strip().lower()[:254]


def upgrade():
    op.create_table('password_throttles',
    sa.Column('account_key', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_allowed_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('account_key', name=op.f('pk_password_throttles'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('template_subject', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('template_body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('render_note', sa.String(length=500), server_default='', nullable=False))

    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_speakers_email_key'), ['email_key'], unique=False)

    conn = op.get_bind()
    for row in conn.execute(sa.select(speakers.c.id, speakers.c.email)).all():
        conn.execute(
            sa.update(speakers).where(speakers.c.id == row.id).values(email_key=_key(row.email))
        )


def downgrade():
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speakers_email_key'))
        batch_op.drop_column('email_key')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('render_note')
        batch_op.drop_column('template_body')
        batch_op.drop_column('template_subject')
        batch_op.drop_column('context')

    op.drop_table('password_throttles')
