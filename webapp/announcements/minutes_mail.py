"""The minutes mail: when a meeting's minutes are first published, the list is told what the
meeting decided.

``webapp.minutes.services.save_minutes`` calls ``minutes_published`` in the transaction that
publishes (the minutes editor, the call page's Publish, anything else that saves minutes as
published), after the follow-ups of the notes are synced. Its log row's key is (meeting,
``minutes``): publishing, unpublishing and publishing again, two nodes, a retried request all
tell the list once. Imports pass ``announce=False`` and tell nobody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webapp.announcements import settings as announcement_settings
from webapp.announcements.deliver import agenda_key, deliver
from webapp.announcements.notices import record
from webapp.announcements.times import meeting_links, when
from webapp.meetings import services as meetings
from webapp.minutes import services as minutes_services
from webapp.models import AnnouncementKind, FollowUp, Minutes, Series
from webapp.urls import external_url


def _item(item: FollowUp) -> dict[str, Any]:
    return {
        "owner": minutes_services.owner_label(item),
        "text": item.text,
        "due": item.due_date.isoformat() if item.due_date else "",
        "state": item.state,
        "note": item.close_note,
        "raised": item.raised_at.original_date.isoformat(),
    }


def minutes_context(series: Series, minutes: Minutes, zones: list[str]) -> dict[str, Any]:
    day = minutes.occurrence.original_date
    slot = meetings.find_occurrence(series, day)
    path = f"/meetings/{series.slug}/{day.isoformat()}/minutes"
    return {
        "series": {"title": series.title, "slug": series.slug, "zone": series.timezone},
        "meeting": {
            "date": day.isoformat(),
            "title": slot.title,
            "join_url": series.join_url,
            "place": series.place,
            **when(series, slot.start, slot.end, zones),
            **meeting_links(series, day),
        },
        "minutes_url": external_url(path),
        "attendees": [row.person.name for row in minutes.present_rows],
        "absent": [row.person.name for row in minutes.absent_rows],
        "decisions": [line for line in minutes.decisions.splitlines() if line.strip()],
        "new_follow_ups": [_item(f) for f in minutes_services.raised_at(series, day)],
        "closed_follow_ups": [_item(f) for f in minutes_services.closed_at(series, day)],
    }


def minutes_published(minutes: Minutes, now: datetime) -> int:
    """Queue the minutes mail of ``minutes`` (just published) once; the messages queued."""
    series = minutes.occurrence.series
    settings = announcement_settings.active(series)
    if settings is None:
        return 0
    day = minutes.occurrence.original_date
    if not record(series, day, AnnouncementKind.MINUTES, 0, len(settings.address_list)):
        return 0
    return deliver(
        series,
        settings,
        "announce_minutes",
        minutes_context(series, minutes, settings.zone_list),
        now,
        message_key=f"minutes.{series.slug}.{day.isoformat()}",
        reply_to_key=agenda_key(series, day),
    )
