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


def _meeting_instants(now: datetime) -> list[datetime]:
    instants: list[datetime] = []
    for series in db.session.scalars(sa.select(Series)):
        for start in (now, now + HOME_WINDOW):
            for slot in services.occurrences(series, start, start + HORIZON):
                shift = start - now
                instants += [slot.start - shift, slot.end - shift]
        instants.append(_next_midnight(series.timezone, now))
    return instants


def _conference_instants(now: datetime) -> list[datetime]:
    instants: list[datetime] = []
    for conference in db.session.scalars(sa.select(Conference)):
        instants += [conference.cfp_opens_at, conference.cfp_closes_at]
        step = countdown_step(conference.cfp_closes_at, now)
        if step is not None:
            instants.append(step)
        instants.append(_next_midnight(conference.timezone, now))
    return instants


def next_change(now: datetime) -> datetime:
    """The first instant after ``now`` at which some public page may show something else."""
    candidates = [now + DAY, _next_midnight("UTC", now)]
    candidates += _meeting_instants(now) + _conference_instants(now)
    return min(when for when in candidates if when > now)
