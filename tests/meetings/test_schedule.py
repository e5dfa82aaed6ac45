"""The schedule core: rules to UTC instants across DST, and every kind of exception."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from webapp import audit
from webapp.extensions import db
from webapp.meetings import schedule, services
from webapp.meetings.schedule import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    NotAnOccurrence,
    OccurrenceClash,
    ScheduleError,
    UnknownTimeZone,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_time_is_kept_across_dst_in_new_york() -> None:
    rule = schedule.Rule(None, date(2026, 2, 26), time(16), 60, 2, None)
    tz = schedule.zone("America/New_York")
    slots = schedule.expand([rule], [], tz, utc(2026, 2, 1), utc(2026, 4, 1))
    assert [s.start for s in slots] == [
        utc(2026, 2, 26, 21),
        utc(2026, 3, 12, 20),
        utc(2026, 3, 26, 20),
    ]
    assert all(s.start.astimezone(tz).hour == 16 for s in slots)


def test_southern_hemisphere_and_half_hour_zone() -> None:
    sydney = schedule.zone("Australia/Sydney")
    rule = schedule.Rule(None, date(2026, 3, 26), time(9), 60, 2, None)
    slots = schedule.expand([rule], [], sydney, utc(2026, 3, 20), utc(2026, 4, 20))
    # AEDT (+11) until 5 April 2026, then AEST (+10)
    assert [s.start for s in slots] == [utc(2026, 3, 25, 22), utc(2026, 4, 8, 23)]
    kolkata = schedule.zone("Asia/Kolkata")
    assert schedule.to_utc(date(2026, 7, 2), time(16), kolkata) == utc(2026, 7, 2, 10, 30)


def test_rule_dates_and_membership() -> None:
    rule = schedule.Rule(None, date(2026, 1, 1), time(16), 60, 2, date(2026, 2, 12))
    assert list(rule.dates(date(2026, 1, 2), date(2026, 12, 31))) == [
        date(2026, 1, 15),
        date(2026, 1, 29),
        date(2026, 2, 12),
    ]
    assert rule.has_date(date(2026, 1, 29))
    assert not rule.has_date(date(2026, 1, 22))
    assert not rule.has_date(date(2026, 2, 26))


def test_gap_and_repeated_hour_are_refused_for_typed_input() -> None:
    ny = schedule.zone("America/New_York")
    with pytest.raises(
        NonexistentLocalTime, match="2026-03-08 02:30 does not exist in America/New_York"
    ):
        schedule.strict_local(date(2026, 3, 8), time(2, 30), ny)
    with pytest.raises(AmbiguousLocalTime, match="2026-11-01 01:30 happens twice"):
        schedule.strict_local(date(2026, 11, 1), time(1, 30), ny)
    assert schedule.strict_local(date(2026, 3, 8), time(3, 30), ny) == utc(2026, 3, 8, 7, 30)


@pytest.mark.parametrize(
    "name",
    [
        "+05:00",
        "UTC+2",
        "Mars/Olympus",
        "",
        " Europe/Paris",
        "../etc/passwd",
        "EST",
        "EST5EDT",
        "CET",
        "Etc/GMT+5",
    ],
)
def test_unknown_zone_is_refused(name: str) -> None:
    with pytest.raises(UnknownTimeZone):
        schedule.zone(name)


@pytest.mark.parametrize(
    "name", ["UTC", "Etc/UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires"]
)
def test_place_zones_and_utc_are_accepted(name: str) -> None:
    assert schedule.zone(name).key == name


@pytest.fixture
def series(app):
    with app.app_context():
        services.create_series(
            "bhyve",
            services.SeriesDetails(title="bhyve call"),
            "America/New_York",
            date(2026, 1, 8),
            time(16),
            60,
            audit.CLI,
        )
        db.session.commit()
    return "bhyve"


def slots(slug: str, start: datetime, end: datetime):
    return services.occurrences(services.get_series(slug), start, end)


def test_cancel_move_extra_and_restore(app, series) -> None:
    with app.app_context():
        s = services.get_series(series)
        services.cancel(s, date(2026, 1, 22), audit.CLI, reason="FOSDEM")
        services.move(
            s, date(2026, 2, 5), date(2026, 2, 6), time(17), audit.CLI, duration_minutes=90
        )
        services.add_extra(s, date(2026, 2, 12), time(16), audit.CLI, title="Release planning")
        db.session.commit()
        got = [
            (x.original_date, x.status, x.start, x.end - x.start)
            for x in slots(series, utc(2026, 1, 1), utc(2026, 2, 20))
        ]
        assert got == [
            (date(2026, 1, 8), "scheduled", utc(2026, 1, 8, 21), timedelta(hours=1)),
            (date(2026, 1, 22), "cancelled", utc(2026, 1, 22, 21), timedelta(hours=1)),
            (date(2026, 2, 5), "moved", utc(2026, 2, 6, 22), timedelta(minutes=90)),
            (date(2026, 2, 12), "extra", utc(2026, 2, 12, 21), timedelta(hours=1)),
            (date(2026, 2, 19), "scheduled", utc(2026, 2, 19, 21), timedelta(hours=1)),
        ]
        assert services.find_occurrence(s, date(2026, 1, 22)).cancel_reason == "FOSDEM"
        services.restore(s, date(2026, 1, 22), audit.CLI)
        db.session.commit()
        assert services.find_occurrence(s, date(2026, 1, 22)).status == "scheduled"


def test_one_date_lookups_see_each_change_made_since_the_last(app, series) -> None:
    """Looking up a date uses only that date's stored meetings (kept indexed between lookups):
    each meeting added, cancelled, moved or restored in the same session is seen at once."""
    with app.app_context():
        s = services.get_series(series)
        extra, second = date(2026, 2, 12), date(2026, 1, 22)
        with pytest.raises(NotAnOccurrence):
            services.find_occurrence(s, extra)
        assert services.stored_row(s, extra) is None
        services.add_extra(s, extra, time(16), audit.CLI, title="Release planning")
        assert services.find_occurrence(s, extra).status == "extra"
        assert services.stored_row(s, extra) is not None
        assert services.find_occurrence(s, second).status == "scheduled"
        services.cancel(s, second, audit.CLI, reason="FOSDEM")
        assert services.find_occurrence(s, second).cancel_reason == "FOSDEM"
        services.add_extra(s, second, time(18), audit.CLI, suffix="guests")
        assert services.find_occurrence(s, second, "guests").start == utc(2026, 1, 22, 23)
        assert services.find_occurrence(s, second).cancelled  # the date's meeting is apart
        db.session.commit()
        services.restore(s, second, audit.CLI)
        services.move(s, second, second, time(17), audit.CLI)
        assert services.find_occurrence(s, second).start == utc(2026, 1, 22, 22)
        db.session.rollback()  # the collection is read again
        assert services.find_occurrence(s, second).cancelled
        assert services.find_occurrence(s, extra).title == "Release planning"


def test_bad_requests_name_the_problem(app, series) -> None:
    with app.app_context():
        s = services.get_series(series)
        with pytest.raises(NotAnOccurrence, match="2026-01-09 is not a meeting date of bhyve"):
            services.cancel(s, date(2026, 1, 9), audit.CLI)
        with pytest.raises(OccurrenceClash, match="already has the meeting of 2026-01-22"):
            services.move(s, date(2026, 1, 8), date(2026, 1, 22), time(10), audit.CLI)
        with pytest.raises(OccurrenceClash, match="already a meeting date"):
            services.add_extra(s, date(2026, 1, 22), time(10), audit.CLI)
        with pytest.raises(NonexistentLocalTime):
            services.move(s, date(2026, 3, 5), date(2026, 3, 8), time(2, 15), audit.CLI)
        with pytest.raises(ScheduleError, match="choose 1, 2 or 4"):
            services.retime(
                s, date(2026, 3, 1), date(2026, 3, 4), time(15), audit.CLI, interval_weeks=3
            )


def test_retime_keeps_earlier_occurrences(app, series) -> None:
    with app.app_context():
        s = services.get_series(series)
        services.cancel(s, date(2026, 1, 22), audit.CLI)
        services.cancel(s, date(2026, 3, 19), audit.CLI)  # dropped with the old schedule
        services.retime(
            s, date(2026, 3, 1), date(2026, 3, 4), time(15, 30), audit.CLI, duration_minutes=45
        )
        db.session.commit()
        got = [
            (x.original_date, x.status, x.start)
            for x in slots(series, utc(2026, 1, 1), utc(2026, 4, 2))
        ]
        assert got == [
            (date(2026, 1, 8), "scheduled", utc(2026, 1, 8, 21)),
            (date(2026, 1, 22), "cancelled", utc(2026, 1, 22, 21)),
            (date(2026, 2, 5), "scheduled", utc(2026, 2, 5, 21)),
            (date(2026, 2, 19), "scheduled", utc(2026, 2, 19, 21)),
            (date(2026, 3, 4), "scheduled", utc(2026, 3, 4, 20, 30)),
            (date(2026, 3, 18), "scheduled", utc(2026, 3, 18, 19, 30)),
            (date(2026, 4, 1), "scheduled", utc(2026, 4, 1, 19, 30)),
        ]
        assert [r.until_date for r in s.rules] == [date(2026, 2, 19), None]
