"""The agenda mails that are due: HOURS before each meeting, once per (meeting, kind).

``queue_due`` looks at every series with announcements on, takes its meetings that start
within its HOURS and have not started, and for each inserts the announcement's log row and the
outbox messages in one transaction. The log row's UNIQUE key decides: a second run, worker or
node fails to insert it and queues nothing (no check-then-insert). It flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.announcements.agenda import agenda_context
from webapp.announcements.deliver import agenda_key, deliver
from webapp.announcements.notices import record
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.models import AnnouncementKind, AnnouncementSettings, Series


@dataclass
class Queued:
    #: ``(series slug, meeting date, recipients)`` of each agenda queued by this run.
    agendas: list[tuple[str, str, int]] = field(default_factory=list)
    #: Meetings due whose agenda another run had queued already.
    already: int = 0
    #: Subscribers' personal copies queued by this run.
    copies: int = 0


def queue_due(now: datetime) -> Queued:
    done = Queued()
    rows = db.session.execute(
        sa.select(Series, AnnouncementSettings)
        .join(AnnouncementSettings, AnnouncementSettings.series_id == Series.id)
        .where(AnnouncementSettings.enabled.is_(True))
        .order_by(Series.id)
    ).all()
    for series, settings in rows:
        targets = settings.address_list
        if not targets:
            continue
        horizon = now + timedelta(hours=settings.hours_before)
        for slot in meetings.occurrences(series, now, horizon, include_cancelled=False):
            if slot.start <= now or slot.start > horizon:
                continue
            day = slot.original_date
            if not record(series, day, AnnouncementKind.AGENDA, 0, len(targets)):
                done.already += 1
                continue
            context = agenda_context(series, slot, settings.zone_list, now)
            count = deliver(
                series,
                settings,
                "announce_agenda",
                context,
                now,
                message_key=agenda_key(series, day),
            )
            done.agendas.append((series.slug, day.isoformat(), len(targets)))
            done.copies += count - len(targets)
    return done
