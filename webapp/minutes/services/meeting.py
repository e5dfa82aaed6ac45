"""Everything the meeting page shows about one occurrence, assembled in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from webapp.meetings import services as meetings
from webapp.meetings.schedule import Slot
from webapp.minutes.services.agenda import agenda_items
from webapp.minutes.services.follow_ups import closed_at, open_at, raised_at
from webapp.minutes.services.records import get_minutes
from webapp.minutes.services.reviews import ReviewNode, review_tree
from webapp.models import (
    AgendaItem,
    FollowUp,
    Minutes,
    Series,
)


@dataclass
class Meeting:
    """Everything the meeting page shows about one occurrence."""

    series: Series
    slot: Slot
    day: date
    past: bool
    minutes: Minutes | None  # only when the viewer may see them
    draft_hidden: bool  # minutes exist but are a draft the viewer may not see
    carried: list[tuple[FollowUp, int]]
    raised: list[FollowUp]
    closed: list[FollowUp]
    reviews: list[ReviewNode]
    items: list[AgendaItem]
    previous: Slot | None
    next: Slot | None


def meeting(series: Series, day: date, now: datetime, *, can_edit: bool) -> Meeting:
    """The agenda (before) and the minutes and follow-ups (after) of one occurrence.

    Raises ``NotAnOccurrence`` for a date that is not one of the series' meetings."""
    slot = meetings.find_occurrence(series, day)
    minutes = get_minutes(series, day)
    hidden = minutes is not None and not minutes.published and not can_edit
    previous, following = meetings.neighbours(series, day)
    return Meeting(
        series=series,
        slot=slot,
        day=day,
        past=slot.end <= now,
        minutes=None if hidden else minutes,
        draft_hidden=hidden,
        carried=open_at(series, day),
        raised=raised_at(series, day),
        closed=closed_at(series, day),
        reviews=review_tree(series, open_only=True),
        items=agenda_items(series, day),
        previous=previous,
        next=following,
    )
