"""Dashboard sections that belong to no single area: recent activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditEntry, User


def recent_activity(now: datetime, user: User) -> dict[str, Any] | None:
    entries = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(12)
    ).all()
    return {"entries": entries}
