"""Meetings on clock changes are spelled out through the feeds' horizon (30 years after today,
moving with the window's day), read alike by all four readers, with zone names hidden and as
served; beyond the horizon a rule that has such meetings ends (UNTIL), in every reader.

A weekly Sunday 01:30 Europe/Dublin call meets in the hour the clock skips (last Sunday of March)
and in the one it repeats (last Sunday of October) every year, and libical moves the meeting after
each skipped one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.meetings.conftest import NOW
from tests.meetings.test_feeds import api, cli, instant
from tests.meetings.test_feeds_edges import READERS


def schedule(client, slug: str, start: datetime, end: datetime) -> list:  # type: ignore[no-untyped-def]
    """The API's meetings starting in [start, end), asked for in spans of at most ten years."""
    found = []
    first = start.date() - timedelta(days=1)
    while first <= end.date():
        last = min(first + timedelta(days=3650), end.date() + timedelta(days=1))
        found += api(client, slug, first, last)
        first = last + timedelta(days=1)
    return sorted(
        {
            (instant(o["start"]), instant(o["end"]))
            for o in found
            if o["status"] != "cancelled" and start <= instant(o["start"]) < end
        }
    )


def dublin(runner, slug: str, first: str) -> None:  # type: ignore[no-untyped-def]
    cli(runner, "create", slug, "--title", "Night owls", "--timezone", "Europe/Dublin",
        "--start", f"{first} 01:30", "--duration", "60", "--every", "1")  # fmt: skip


def until_of(ics: bytes) -> datetime | None:
    (master,) = [e for e in Calendar.from_ical(ics).walk("VEVENT") if "RRULE" in e]
    values = master["RRULE"].get("UNTIL")
    return values[0] if values else None


@pytest.mark.parametrize("hide_zones", [True, False], ids=["zones-hidden", "as-served"])
@pytest.mark.parametrize("reader", list(READERS))
def test_an_open_series_on_clock_changes_in_2036_to_2045(
    client, runner, reader, hide_zones
) -> None:
    dublin(runner, "owls", "2026-01-04")
    window = (datetime(2036, 1, 1, tzinfo=UTC), datetime(2046, 1, 1, tzinfo=UTC))
    want = schedule(client, "owls", *window)
    assert len(want) == 522
    ics = client.get("/calendar/owls.ics").data
    got = READERS[reader](ics, *window, hide_zones=hide_zones)
    assert [(s, e) for _u, s, e in got] == want


@pytest.mark.app_config(FEED_PAST_MONTHS=120)
@pytest.mark.parametrize("hide_zones", [True, False], ids=["zones-hidden", "as-served"])
@pytest.mark.parametrize("reader", list(READERS))
def test_a_ten_year_past_window_for_a_series_begun_in_2014(
    client, runner, reader, hide_zones
) -> None:
    dublin(runner, "since-2014", "2014-01-05")
    window = (datetime(2016, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    want = schedule(client, "since-2014", *window)
    ics = client.get("/calendar/since-2014.ics").data
    got = [(s, e) for _u, s, e in READERS[reader](ics, *window, hide_zones=hide_zones)]
    assert got[0][0] >= datetime(2016, 1, 1, tzinfo=UTC)  # the feed reaches back ten years
    assert got == [w for w in want if w[0] >= got[0][0]]
    # 2027-03-28, the day the horizon of "ten years from the feed's first meeting" missed.
    assert (
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 2, 30, tzinfo=UTC),
    ) in got


@pytest.mark.parametrize("reader", list(READERS))
def test_beyond_the_horizon_the_rule_ends_in_every_reader(client, runner, reader) -> None:
    dublin(runner, "owls", "2026-01-04")
    ics = client.get("/calendar/owls.ics").data
    until = until_of(ics)
    # The last Sunday on or before the horizon, 30 years after today (2026-01-15).
    assert until == datetime(2056, 1, 9, 1, 30, tzinfo=UTC)
    got = READERS[reader](ics, until - timedelta(days=60), until + timedelta(days=400))
    assert got[-1][1] == until
    assert len(got) == 9


def test_the_horizon_moves_with_the_windows_day(app, client, runner) -> None:
    dublin(runner, "owls", "2026-01-04")
    cli(runner, "create", "noon", "--title", "Noon", "--timezone", "Europe/Dublin",
        "--start", "2026-01-04 12:00", "--duration", "60")  # fmt: skip
    before = client.get("/calendar/owls.ics")
    app.config["CADENCE_NOW"] = NOW + timedelta(days=7)
    after = client.get("/calendar/owls.ics")
    assert until_of(after.data) == until_of(before.data) + timedelta(days=7)
    assert after.headers["ETag"] != before.headers["ETag"]
    # A rule with no meeting on a clock change stays open.
    assert until_of(client.get("/calendar/noon.ics").data) is None
    assert date(2056, 1, 16) == (until_of(after.data) or NOW).date()
