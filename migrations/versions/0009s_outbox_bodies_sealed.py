"""outbox bodies sealed: no working link at rest

Unsent messages (pending, failed) get their bodies sealed with the key derived from SECRET_KEY;
sent ones keep their text with every private link redacted. Downgrade opens the sealed ones
again (the redacted links cannot come back).

Revision ID: 0009s
Revises: 0008s
Create Date: 2026-11-30 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009s'
down_revision = '0008s'
branch_labels = None
depends_on = None

outbox = sa.table(
    "outbox_messages", sa.column("id", sa.Integer), sa.column("state", sa.String),
    sa.column("body", sa.Text),
)


def _rewrite(change):
    conn = op.get_bind()
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.state, outbox.c.body)).all():
        body = change(row.state, row.body)
        if body != row.body:
            conn.execute(outbox.update().where(outbox.c.id == row.id).values(body=body))


def upgrade():
    from webapp import sealed
    from webapp.redact import redact

    def seal_or_redact(state, body):
        if state == "sent":
            return redact(sealed.unseal(body))
        return body if sealed.is_sealed(body) else sealed.seal(body)

    _rewrite(seal_or_redact)


def downgrade():
    from webapp import sealed

    _rewrite(lambda state, body: sealed.unseal(body))
