"""Dashboard sections of the bi-weekly call: the next meetings and the open follow-ups.

Each runs a fixed number of queries whatever the number of series, meetings and follow-ups:
the series with their rules and stored occurrences (selectin), then one GROUP BY per count.
Schedules are expanded in Python, as everywhere else (``webapp.meetings.services``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings import services as meetings
from webapp.meetings.schedule import Slot
from webapp.minutes import services as minutes_services
from webapp.models import (
    AgendaItem,
    FollowUp,
    FollowUpState,
    Minutes,
    Occurrence,
    Person,
    Review,
    ReviewState,
    Series,
    User,
)

#: Follow-ups listed on the dashboard (the oldest first); the series pages list them all.
FOLLOW_UP_LIMIT = 100
#: How far back the "last meeting" is looked for.
LOOKBACK = timedelta(days=120)


@dataclass
class NextMeeting:
    series: Series
    tz: Any
    slot: Slot | None
    last: Slot | None
    open_follow_ups: int
    open_reviews: int
    agenda_items: int
    #: "draft", "published", or None when the last meeting has no minutes.
    last_minutes: str | None
    #: The same for the next meeting (for "Take minutes" once it is about to start).
    next_minutes: str | None = None


def _occurrence_id(series: Series, slot: Slot | None) -> int | None:
    if slot is None:
        return None
    return next((o.id for o in series.occurrences if o.key == slot.key), None)


def _last_held(series: Series, now: datetime) -> Slot | None:
    before = meetings.occurrences(series, now - LOOKBACK, now, include_cancelled=False)
    started = [s for s in before if s.start <= now]
    return started[-1] if started else None


def _counts(query: sa.Select[Any, Any]) -> dict[Any, int]:
    return {key: int(n) for key, n in db.session.execute(query)}


def next_meetings(now: datetime, user: User) -> dict[str, Any] | None:
    all_series = meetings.list_series()
    plans = []
    for series in all_series:
        slot = meetings.next_occurrence(series, now)
        last = _last_held(series, now)
        if last is not None and slot is not None and last.key == slot.key:
            last = None  # under way: it is the next one, and its minutes are being written
        plans.append((series, slot, last))
    next_ids = [i for s, slot, _ in plans if (i := _occurrence_id(s, slot))]
    last_ids = {s.id: _occurrence_id(s, last) for s, _, last in plans}
    open_follow_ups = _counts(
        sa.select(FollowUp.series_id, sa.func.count())
        .where(FollowUp.state == FollowUpState.OPEN)
        .group_by(FollowUp.series_id)
    )
    open_reviews = _counts(
        sa.select(Review.series_id, sa.func.count())
        .where(Review.state == ReviewState.OPEN)
        .group_by(Review.series_id)
    )
    agenda = _counts(
        sa.select(AgendaItem.occurrence_id, sa.func.count())
        .where(AgendaItem.occurrence_id.in_(next_ids))
        .group_by(AgendaItem.occurrence_id)
    )
    minutes_state: dict[int, str] = {
        occurrence_id: state
        for occurrence_id, state in db.session.execute(
            sa.select(Minutes.occurrence_id, Minutes.state).where(
                Minutes.occurrence_id.in_([i for i in last_ids.values() if i] + next_ids)
            )
        )
    }
    rows = []
    for series, slot, last in plans:
        next_id = _occurrence_id(series, slot)
        last_id = last_ids[series.id]
        rows.append(
            NextMeeting(
                series=series,
                tz=schedule.zone(series.timezone),
                slot=slot,
                last=last,
                open_follow_ups=open_follow_ups.get(series.id, 0),
                open_reviews=open_reviews.get(series.id, 0),
                agenda_items=agenda.get(next_id, 0) if next_id else 0,
                last_minutes=minutes_state.get(last_id) if last_id else None,
                next_minutes=minutes_state.get(next_id) if next_id else None,
            )
        )
    return {"rows": rows, "now": now}


@dataclass
class OpenFollowUp:
    item: FollowUp
    series: Series
    raised: date
    #: Meetings it has been carried through (``minutes.services.age_in_meetings``).
    carried: int


def open_follow_ups(now: datetime, user: User) -> dict[str, Any] | None:
    series_by_id = {s.id: s for s in meetings.list_series()}  # identity map: no new rows loaded
    raised = aliased(Occurrence)
    base = (
        sa.select(FollowUp)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(FollowUp.state == FollowUpState.OPEN)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    items = db.session.scalars(
        base.order_by(raised.original_date, FollowUp.id).limit(FOLLOW_UP_LIMIT)
    ).all()
    upcoming: dict[int, date] = {}
    for series in series_by_id.values():
        slot = meetings.next_occurrence(series, now)
        upcoming[series.id] = slot.original_date if slot else now.date()
    ages = {
        series.id: minutes_services.ages_in_meetings(
            series,
            (i.raised_at.original_date for i in items if i.series_id == series.id),
            upcoming[series.id],
        )
        for series in series_by_id.values()
    }
    groups: dict[int | None, tuple[Person | None, list[OpenFollowUp]]] = {}
    for item in items:
        series = series_by_id[item.series_id]
        day = item.raised_at.original_date
        carried = ages[series.id][day]
        groups.setdefault(item.owner_id, (item.owner, []))[1].append(
            OpenFollowUp(item, series, day, carried)
        )
    # Owners in the order of their oldest follow-up: who has been waiting longest comes first.
    owners = sorted(groups.values(), key=lambda g: (g[1][0].raised, g[1][0].item.id))
    return {"owners": owners, "total": total, "shown": len(items)}
