"""All-day events in the shared renderer (the private feeds' follow-ups): VALUE=DATE, the end the
day after, no VTIMEZONE for them, and no recurrence."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.ical import FeedCalendar, FeedEvent, WeeklyRule, render_calendar

ZONE = ZoneInfo("Asia/Tokyo")
STAMP = datetime(2026, 11, 19, 12, tzinfo=UTC)


def _event(**overrides: object) -> FeedEvent:
    values: dict[str, object] = {
        "uid": "follow-up-1@example.org",
        "summary": "Follow-up: write it",
        "start": datetime(2026, 12, 10, tzinfo=ZONE),
        "end": datetime(2026, 12, 11, tzinfo=ZONE),
        "tzid": "Asia/Tokyo",
        "last_modified": STAMP,
        "all_day": True,
    }
    values.update(overrides)
    return FeedEvent(**values)  # type: ignore[arg-type]


def test_an_all_day_event_is_written_as_dates_without_a_zone() -> None:
    body = render_calendar(FeedCalendar(name="x", events=(_event(),))).decode()
    assert "DTSTART;VALUE=DATE:20261210\r\n" in body
    assert "DTEND;VALUE=DATE:20261211\r\n" in body
    assert "VTIMEZONE" not in body
    assert "TZID" not in body


def test_the_date_is_the_wall_date_in_the_events_zone() -> None:
    # 15:00 UTC on the 9th is already the 10th in Tokyo.
    event = _event(
        start=datetime(2026, 12, 9, 15, tzinfo=UTC), end=datetime(2026, 12, 10, 15, tzinfo=UTC)
    )
    assert (
        "DTSTART;VALUE=DATE:20261210"
        in render_calendar(FeedCalendar(name="x", events=(event,))).decode()
    )


def test_an_all_day_event_cannot_recur_or_last_less_than_a_day() -> None:
    with pytest.raises(ValueError, match="cannot recur"):
        _event(rule=WeeklyRule())
    with pytest.raises(ValueError, match="at least a day"):
        _event(end=datetime(2026, 12, 10, 12, tzinfo=ZONE))
