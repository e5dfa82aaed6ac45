"""Cadence computes with the zone data it pins (the tzdata package), not the system's copy."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import tzdata

from tests.meetings.test_feeds import api, cli
from tests.readers import occurrences_recurring_ical_events
from webapp import create_app, zonedata


def test_healthz_names_the_zone_data_version(client) -> None:
    body = client.get("/healthz").get_json()
    assert body["tzdata"] == tzdata.IANA_VERSION
    assert zoneinfo.TZPATH == ()


def test_vancouver_after_the_2026_rule_change_follows_the_pinned_data(client, runner) -> None:
    """tzdata 2026 keeps Vancouver on UTC-7 from 2026-11-01; older system data says UTC-8."""
    assert tzdata.IANA_VERSION.startswith("2026")
    cli(runner, "create", "yvr", "--title", "YVR", "--timezone", "America/Vancouver",
        "--start", "2026-10-20 10:00", "--duration", "60", "--every", "1")  # fmt: skip
    meeting = next(o for o in api(client, "yvr", date(2026, 11, 3), date(2026, 11, 3)))
    assert meeting["start"] == "2026-11-03T17:00:00Z"
    # The VTIMEZONE in the feed says the same (read with the zone name hidden).
    ics = client.get("/calendar/yvr.ics").data
    day = (datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC))
    ((_uid, start, _end),) = occurrences_recurring_ical_events(ics, *day)
    assert start == datetime(2026, 11, 3, 17, tzinfo=UTC)


def test_create_app_pins_the_zone_data_whatever_came_before(app_config) -> None:
    zoneinfo.reset_tzpath()  # the system's search path, as in a process that did not pin
    zoneinfo.ZoneInfo.clear_cache()
    try:
        create_app(app_config)
        assert zoneinfo.TZPATH == ()
        vancouver = zoneinfo.ZoneInfo("America/Vancouver")
        assert datetime(2026, 11, 3, 10, tzinfo=vancouver).utcoffset() == timedelta(hours=-7)
    finally:
        zonedata.pin()
