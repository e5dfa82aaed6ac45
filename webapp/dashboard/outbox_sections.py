"""Dashboard section of the mail outbox: messages still pending and those that failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp.cfp.forms import ButtonForm
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxState, User

#: Messages listed (failed first, then the oldest pending); the counts cover them all.
LIMIT = 20


def outbox(now: datetime, user: User) -> dict[str, Any] | None:
    waiting = (OutboxState.FAILED, OutboxState.PENDING)
    counts: dict[str, int] = {
        state: n
        for state, n in db.session.execute(
            sa.select(OutboxMessage.state, sa.func.count())
            .where(OutboxMessage.state.in_(waiting))
            .group_by(OutboxMessage.state)
        )
    }
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state.in_(waiting))
        .order_by((OutboxMessage.state == OutboxState.FAILED).desc(), OutboxMessage.id)
        .limit(LIMIT)
    ).all()
    return {
        "failed": counts.get(OutboxState.FAILED, 0),
        "pending": counts.get(OutboxState.PENDING, 0),
        "rows": rows,
        "form": ButtonForm(),
        "now": now,
    }
