"""Calendar scenarios for the feed tests, with the UTC schedule each should produce.

The expected schedule is computed with plain zoneinfo arithmetic (a local date and a
wall time in the series' zone), never with the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.readers import Occurrence
from webapp.ical import EventStatus, FeedCalendar, FeedEvent, WeeklyRule

ZONES = (
    "America/New_York",
    "Europe/Bucharest",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Tokyo",
)
WINDOW = (datetime(2024, 12, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
EDITED = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
ONE_HOUR = timedelta(hours=1)


def at(day: date, clock: time, tzid: str) -> datetime:
    """The instant of a wall time in a zone (zoneinfo does the arithmetic)."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tzid))


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Scenario:
    """A community's calls in one zone, and the UTC schedule they should produce."""

    calendar: FeedCalendar
    expected: list[Occurrence]


def scenario(tzid: str) -> Scenario:
    """Biweekly Thursday 16:00 calls, with every kind of change a real series sees.

    - two cancelled calls (EXDATE), one cancelled by an override (STATUS:CANCELLED);
    - two calls moved (RECURRENCE-ID), one of them across a DST change;
    - a one-off talk;
    - the Thursday series ends (UNTIL) and a Tuesday 15:00 series (new UID) follows,
      open-ended, with one cancelled call of its own.
    """
    slug = tzid.lower().replace("/", "-")
    calls, tuesdays, talk = (
        f"calls-{slug}@cadence.test",
        f"calls-tue-{slug}@cadence.test",
        f"talk-{slug}@cadence.test",
    )
    four, three, eleven = time(16), time(15), time(11)
    first, last = date(2025, 1, 2), date(2026, 1, 29)
    excluded = {date(2025, 3, 13), date(2025, 10, 23)}
    moved = {
        date(2025, 4, 10): (date(2025, 4, 11), time(17, 30)),
        date(2025, 3, 27): (date(2025, 3, 30), time(10)),
    }
    cancelled = date(2025, 11, 6)
    series = FeedEvent(
        uid=calls,
        summary="Community call",
        start=at(first, four, tzid),
        end=at(first, four, tzid) + ONE_HOUR,
        tzid=tzid,
        last_modified=EDITED,
        sequence=2,
        description="Agenda and notes in the minutes.",
        url="https://cadence.test/calls",
        rule=WeeklyRule(interval=2, until=utc(at(last, four, tzid))),
        exdates=tuple(at(d, four, tzid) for d in sorted(excluded)),
    )
    overrides = [
        FeedEvent(
            uid=calls,
            summary="Community call (moved)",
            start=at(new_day, new_time, tzid),
            end=at(new_day, new_time, tzid) + ONE_HOUR,
            tzid=tzid,
            last_modified=EDITED,
            sequence=3,
            recurrence_id=at(old_day, four, tzid),
        )
        for old_day, (new_day, new_time) in moved.items()
    ]
    overrides.append(
        FeedEvent(
            uid=calls,
            summary="Community call (cancelled)",
            start=at(cancelled, four, tzid),
            end=at(cancelled, four, tzid) + ONE_HOUR,
            tzid=tzid,
            last_modified=EDITED,
            sequence=3,
            status=EventStatus.CANCELLED,
            recurrence_id=at(cancelled, four, tzid),
        )
    )
    one_off = FeedEvent(
        uid=talk,
        summary="Talk: release engineering",
        start=at(date(2025, 6, 15), eleven, tzid),
        end=at(date(2025, 6, 15), eleven, tzid) + timedelta(minutes=90),
        tzid=tzid,
        last_modified=EDITED,
    )
    tue_first = date(2026, 2, 3)
    tue_excluded = date(2026, 3, 31)
    successor = FeedEvent(
        uid=tuesdays,
        summary="Community call",
        start=at(tue_first, three, tzid),
        end=at(tue_first, three, tzid) + ONE_HOUR,
        tzid=tzid,
        last_modified=EDITED,
        rule=WeeklyRule(interval=2),
        exdates=(at(tue_excluded, three, tzid),),
    )

    expected: list[Occurrence] = []
    day = first
    while day <= last:
        if day in moved:
            new_day, new_time = moved[day]
            start = at(new_day, new_time, tzid)
            expected.append((calls, utc(start), utc(start + ONE_HOUR)))
        elif day not in excluded and day != cancelled:
            start = at(day, four, tzid)
            expected.append((calls, utc(start), utc(start + ONE_HOUR)))
        day += timedelta(days=14)
    start = at(date(2025, 6, 15), eleven, tzid)
    expected.append((talk, utc(start), utc(start + timedelta(minutes=90))))
    day = tue_first
    while at(day, three, tzid) < WINDOW[1]:
        if day != tue_excluded:
            start = at(day, three, tzid)
            expected.append((tuesdays, utc(start), utc(start + ONE_HOUR)))
        day += timedelta(days=14)
    expected.sort(key=lambda o: (o[1], o[0], o[2]))

    calendar = FeedCalendar(
        name=f"Calls ({tzid})",
        description="The community's bi-weekly call",
        events=(series, *overrides, one_off, successor),
        x_wr_timezone=tzid,
    )
    return Scenario(calendar, expected)
