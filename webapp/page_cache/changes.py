"""The next instant at which a public page changes by itself, with no change of the data.

Public pages compare the data with the clock: the home page lists the next meetings and those of
the coming six weeks, a meeting's page shows its agenda until the meeting ends and its minutes
after, follow-ups count the meetings since they were raised, a conference shows "closes in 3
days", "opens", "closed", dates that say "today". One instant for all pages (so no page can
forget its own): the earliest of

- the start and end of every meeting of every series in the next eight days, and the instants
  at which a meeting enters the home page's six-week window;
- each conference's call opening and closing, and the next step of its countdown text (days,
  then hours, then minutes: ``webapp.cfp.services.closes_in``);
- the next midnight in UTC and in each series' and conference's zone;

and at most one day ahead. Stored page renders are valid until then (``webapp.page_cache``).
The same instants before ``now`` give the last one at which a page may have changed by itself:
the pages' ``Last-Modified`` is the later of it and the data's last change (``span``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp.extensions import db
from webapp.meetings import services
from webapp.models import Conference, Series

#: How far ahead meetings are looked at; beyond it the page is looked at again.
HORIZON = timedelta(days=8)
#: The home page's window of meetings ahead (``webapp.meetings.pages.home_context``).
HOME_WINDOW = timedelta(weeks=6)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _next_midnight(zone: str, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    midnight = datetime.combine(local.date() + DAY, datetime.min.time(), tzinfo=local.tzinfo)
    return midnight.astimezone(now.tzinfo)


def countdown_step(closes: datetime, now: datetime) -> datetime | None:
    """When "closes in N days/hours/minutes" next shows another text."""
    left = closes - now
    if left <= timedelta(0):
        return None
    unit = DAY if left >= 2 * DAY else HOUR if left >= 2 * HOUR else MINUTE
    step = closes - (left // unit) * unit
    return step if step > now else step + unit


def countdown_began(closes: datetime, now: datetime) -> datetime | None:
    """When the countdown's text shown at ``now`` began to be shown."""
    left = closes - now
    if left <= timedelta(0):
        return None
    unit = DAY if left >= 2 * DAY else HOUR if left >= 2 * HOUR else MINUTE
    return closes - -(-left // unit) * unit


def _meeting_instants(now: datetime) -> list[datetime]:
    instants: list[datetime] = []
    for series in db.session.scalars(sa.select(Series)):
        for start in (now, now + HOME_WINDOW):
            for slot in services.occurrences(series, start - DAY, start + HORIZON):
                shift = start - now
                instants += [slot.start - shift, slot.end - shift]
        instants += _midnights(series.timezone, now)
    return instants


def _conference_instants(now: datetime) -> list[datetime]:
    instants: list[datetime] = []
    for conference in db.session.scalars(sa.select(Conference)):
        closes = conference.cfp_closes_at
        instants += [conference.cfp_opens_at, closes]
        instants += [t for t in (countdown_step(closes, now), countdown_began(closes, now)) if t]
        instants += _midnights(conference.timezone, now)
    return instants


def _midnights(zone: str, now: datetime) -> list[datetime]:
    """The midnight that began ``now``'s day in ``zone``, and the next one."""
    local = now.astimezone(ZoneInfo(zone))
    began = datetime.combine(local.date(), datetime.min.time(), tzinfo=local.tzinfo)
    return [min(began.astimezone(now.tzinfo), now), _next_midnight(zone, now)]


def span(now: datetime) -> tuple[datetime, datetime]:
    """``(since, until)``: the last instant at or before ``now`` at which some public page may
    have begun to show what it shows now, and the first after ``now`` at which it may show
    something else. ``since`` is part of the pages' ``Last-Modified`` (with the data's last
    change), so a page that changed by itself says so, and the same data at the same time gives
    the same value, also after the stored renders are lost."""
    candidates = [now + DAY, *_midnights("UTC", now)]
    candidates += _meeting_instants(now) + _conference_instants(now)
    since = max(when for when in [*candidates, now - DAY] if when <= now)
    return since, min(when for when in candidates if when > now)


def next_change(now: datetime) -> datetime:
    """The first instant after ``now`` at which some public page may show something else."""
    return span(now)[1]
