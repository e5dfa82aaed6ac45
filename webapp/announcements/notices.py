"""Change notices: a meeting cancelled, moved, added or restored is told to the list at once.

``webapp.meetings.services`` calls ``change_notice`` in the transaction of the change, so the
notice exists exactly when the change was committed. Its key is (meeting, kind, SEQUENCE): a
meeting moved twice is told twice, a change seen twice (two nodes, a retried request) once.
Nothing is told for a meeting already past, for a series without announcements, or for
imports (the importer passes ``announce=False``).
"""

from __future__ import annotations

from datetime import datetime
from itertools import zip_longest
from typing import Any

import sqlalchemy as sa

from webapp import clock
from webapp.announcements import settings as announcement_settings
from webapp.announcements.deliver import agenda_key, deliver
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
    day = slot.original_date
    return deliver(
        series,
        settings,
        "announce_change",
        context,
        now,
        message_key=f"{kind}.{series.slug}.{day.isoformat()}.{sequence}",
        reply_to_key=agenda_key(series, day),
    )


def retime_notice(
    series: Series,
    rule_id: int,
    old: list[Slot],
    new: list[Slot],
    schedule_words: str,
    now: datetime,
) -> int:
    """Tell the list that the series was retimed: for each meeting that was, or now is, within
    HOURS (``old``: the old schedule's meetings the retime dropped, ``new``: the new schedule's
    first meetings, in order) the old and the new time. Nothing when none is that near (their
    agenda mails will give the new time).

    Its key is (the new schedule's first meeting, ``retimed``, the new schedule rule's id): a
    retime is told once, and a second retime, which makes another rule, is told again."""
    settings = announcement_settings.active(series)
    if settings is None or not (old or new):
        return 0
    zone = series.timezone
    first = new[0] if new else old[0]
    if not record(series, first.original_date, AnnouncementKind.RETIMED, rule_id, 0):
        return 0
    changed = [
        {
            "old": local_text(a.start, a.end, zone) if a else "(no meeting)",
            "new": local_text(b.start, b.end, zone) if b else "(no meeting)",
        }
        for a, b in zip_longest(old, new)
    ]
    context = {
        "series": {"title": series.title, "slug": series.slug, "zone": zone},
        "kind": str(AnnouncementKind.RETIMED),
        "reason": "",
        "title": first.title,
        "old": changed[0]["old"],
        "schedule": schedule_words,
        "changed": changed,
        "meeting": {
            "date": first.original_date.isoformat(),
            "join_url": series.join_url,
            **when(series, first.start, first.end, settings.zone_list),
            **meeting_links(series, first.original_date),
        },
    }
    return deliver(
        series,
        settings,
        "announce_change",
        context,
        now,
        message_key=f"retimed.{series.slug}.{first.original_date.isoformat()}.{rule_id}",
        reply_to_key=agenda_key(series, old[0].original_date) if old else None,
    )
