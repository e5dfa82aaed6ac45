"""minutes: attendee_names (the attendees' names and handles), searched with the notes

Revision ID: 0025l
Revises: 0024d
Create Date: 2026-12-03 08:10:00

The full-text index (webapp/models/search.py) is remade to include the new column: on SQLite
the FTS5 table gets a third column, on PostgreSQL the generated vector a third part.
"""
import sqlalchemy as sa
from alembic import op

from webapp.models import search


# revision identifiers, used by Alembic.
revision = '0025l'
down_revision = '0024d'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    search.uninstall(bind)
    op.add_column(
        'minutes', sa.Column('attendee_names', sa.Text(), server_default='', nullable=False)
    )
    # Present attendees in their order, each as "name handle", one a line.
    rows = bind.execute(
        sa.text(
            "SELECT a.minutes_id, p.name, p.handle FROM minutes_attendees a "
            "JOIN people p ON p.id = a.person_id WHERE NOT a.absent "
            "ORDER BY a.minutes_id, a.position"
        )
    ).all()
    names: dict[int, list[str]] = {}
    for minutes_id, name, handle in rows:
        names.setdefault(minutes_id, []).extend([name, handle] if handle else [name])
    for minutes_id, parts in names.items():
        bind.execute(
            sa.text("UPDATE minutes SET attendee_names = :names WHERE id = :id"),
            {"names": "\n".join(parts), "id": minutes_id},
        )
    search.install(bind)


def downgrade():
    bind = op.get_bind()
    search.uninstall(bind)
    with op.batch_alter_table('minutes') as batch_op:
        batch_op.drop_column('attendee_names')
    search.install(bind, attendees=False)
