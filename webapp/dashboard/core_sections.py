"""Dashboard sections that belong to no single area: upcoming meetings and recent activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp.dashboard.sections import section
from webapp.extensions import db
from webapp.meetings import schedule, services
from webapp.models import AuditEntry


@section(10, "dashboard/_meetings.html")
def next_meetings(now: datetime) -> dict[str, Any] | None:
    rows = []
    for series in services.list_series():
        slot = services.next_occurrence(series, now)
        rows.append({"series": series, "slot": slot, "tz": schedule.zone(series.timezone)})
    return {"rows": rows, "now": now}


@section(90, "dashboard/_activity.html", roles=("organizer",))
def recent_activity(now: datetime) -> dict[str, Any] | None:
    entries = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(12)
    ).all()
    return {"entries": entries}
