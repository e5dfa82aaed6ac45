"""Change notices: a meeting cancelled, moved, added or restored is told to the list at once.

``webapp.meetings.services`` calls ``change_notice`` in the transaction of the change, so the
notice exists exactly when the change was committed. Its key is (meeting, kind, SEQUENCE): a
meeting moved twice is told twice, a change seen twice (two nodes, a retried request) once.
Nothing is told for a meeting already past, for a series without announcements, or for
imports (the importer passes ``announce=False``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp import clock, mail
from webapp.announcements import settings as announcement_settings
from webapp.announcements.subscribers import subscriber_copies
from webapp.announcements.times import local_text, meeting_links, when
from webapp.extensions import db
from webapp.meetings.schedule import Slot
from webapp.models import Announcement, AnnouncementKind, Series


def record(
    series: Series, day: Any, kind: AnnouncementKind, sequence: int, recipients: int
) -> bool:
    """Insert the announcement's log row in a savepoint; False when it exists already (another
    worker or node queued it): the caller then queues nothing."""
    row = Announcement(
        series_id=series.id, meeting_date=day, kind=kind, sequence=sequence, recipients=recipients
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError:
        return False
    return True


def change_notice(
    series: Series,
    slot: Slot,
    kind: AnnouncementKind,
    sequence: int,
    *,
    before: Slot | None = None,
    now: datetime | None = None,
) -> int:
    """Queue the notice of ``kind`` for the meeting ``slot`` (as it is now; ``before`` as it
    was) to the series' list; the number of messages queued."""
    settings = announcement_settings.active(series)
    now = now or clock.now()
    latest_end = max(slot.end, before.end if before else slot.end)
    if settings is None or latest_end <= now:
        return 0
    targets = settings.address_list
    if not record(series, slot.original_date, kind, sequence, len(targets)):
        return 0
    context = {
        "series": {"title": series.title, "slug": series.slug, "zone": series.timezone},
        "kind": str(kind),
        "reason": slot.cancel_reason,
        "title": slot.title,
        "old": local_text(before.start, before.end, series.timezone) if before else "",
        "meeting": {
            "date": slot.original_date.isoformat(),
            "join_url": series.join_url,
            **when(series, slot.start, slot.end, settings.zone_list),
            **meeting_links(series, slot.original_date),
        },
    }
    for address in targets:
        mail.enqueue(address, "announce_change", context, now)
    return len(targets) + subscriber_copies(series, "announce_change", context, now)
