"""The way into the call page: when a scribe sees "Take minutes", and for which meeting.

From ``WINDOW`` before a meeting's start until its minutes are published, the meeting is open for
minutes. A series offers the meeting under way (or about to start) first, else the last one held
whose minutes are not published yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.meetings import services as meetings
from webapp.meetings.schedule import Slot
from webapp.models import MinutesState, Series

#: How long before its start a meeting offers "Take minutes".
WINDOW = timedelta(minutes=30)
#: How far back the last meeting held is looked for.
LOOKBACK = timedelta(days=120)


def cancelled_reason(series: Series, slot: Slot) -> str | None:
    """Why a meeting takes no minutes (it was cancelled), or None."""
    if not slot.cancelled:
        return None
    day = slot.original_date.isoformat()
    return f"The {series.title} meeting of {day} was cancelled: cancelled meetings take no minutes."


def window_open(slot: Slot, state: str | None, now: datetime) -> bool:
    """``state``: the meeting's minutes ("draft", "published") or None when there are none."""
    if slot.cancelled or now < slot.start - WINDOW:
        return False
    return state != MinutesState.PUBLISHED


def current_or_last(series: Series, now: datetime) -> Slot | None:
    """The meeting whose minutes are taken now: the next one once its window opens (also while it
    runs), else the last one held."""
    upcoming = meetings.next_occurrence(series, now)
    if upcoming is not None and now >= upcoming.start - WINDOW:
        return upcoming
    held = meetings.occurrences(series, now - LOOKBACK, now, include_cancelled=False)
    started = [s for s in held if s.start <= now]
    return started[-1] if started else None
