"""Feeds at the edges of time: meetings on hours the clock skips or repeats, read by readers that
did not write them, as served and with the zone names hidden, and compared with the JSON API.

The rule (RFC 5545 section 3.3.5) is the API's: a skipped wall time takes the offset before the
gap (02:30 on New York's spring-forward day is 03:30 EDT), a repeated one means its first
instance. Every reader must say the same, so the feeds spell out each such occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.conftest import service_missing
from tests.meetings.test_feeds import (
    WINDOW_END,
    WINDOW_START,
    api,
    cli,
    expected,
    instant,
    libical,
)
from tests.readers import (
    node_available,
    occurrences_icaljs,
    occurrences_recurring_ical_events,
    occurrences_strict_ical,
    private_tzids,
)

# slug, zone, first meeting (a day the clock is regular), minutes, weeks, extra CLI arguments.
EDGES = [
    ("ny-gap", "America/New_York", "2026-01-04 02:30", 60),  # Sundays; 2026-03-08, 2027-03-14
    ("ny-fold", "America/New_York", "2026-01-04 01:30", 60),  # 2026-11-01, 2027-11-07
    ("cairo-gap", "Africa/Cairo", "2026-01-02 00:30", 60),  # Fridays; 2026-04-24
    ("cairo-fold", "Africa/Cairo", "2026-01-01 23:30", 60),  # Thursdays; 2026-10-29
    ("lhi-gap", "Australia/Lord_Howe", "2026-01-04 02:15", 60),  # Sundays; 2026-10-04
    ("lhi-fold", "Australia/Lord_Howe", "2026-01-04 01:45", 60),  # 2026-04-05
    ("scl-evening", "America/Santiago", "2026-01-03 23:30", 60),  # Saturdays; both changes
    ("bucharest", "Europe/Bucharest", "2024-10-01 18:00", 60),  # north, regular
    ("sydney", "Australia/Sydney", "2026-01-07 09:00", 90),  # south, regular
]


def _build(runner) -> None:  # type: ignore[no-untyped-def]
    for slug, tzid, start, minutes in EDGES:
        cli(runner, "create", slug, "--title", slug, "--timezone", tzid, "--start", start,
            "--duration", str(minutes), "--every", "1")  # fmt: skip
    # Cancel and move on gap days (these answered 500).
    cli(runner, "cancel", "ny-gap", "2026-03-08", "--reason", "clocks change")
    cli(runner, "move", "cairo-gap", "2026-04-24", "--to", "2026-04-24 10:00")
    cli(runner, "move", "lhi-fold", "2026-04-05", "--to", "2026-04-05 09:00")
    # Moved from before the feed window into it.
    cli(runner, "move", "bucharest", "2024-12-31", "--to", "2025-01-30 18:00")
    # The last meeting on a repeated hour.
    cli(runner, "create", "ny-until", "--title", "until", "--timezone", "America/New_York",
        "--start", "2026-09-06 01:30", "--duration", "60", "--every", "1",
        "--until", "2026-11-01")  # fmt: skip
    cli(runner, "retime", "cairo-fold", "--from", "2027-01-01", "--start", "2027-01-07 22:00")
    # A retime whose old rule's last meeting is on a repeated hour.
    cli(runner, "create", "ny-retime", "--title", "retime", "--timezone", "America/New_York",
        "--start", "2026-09-06 01:30", "--duration", "60", "--every", "1")  # fmt: skip
    cli(runner, "retime", "ny-retime", "--from", "2026-11-02", "--start", "2026-11-03 18:00")


@pytest.fixture
def edges(runner):  # type: ignore[no-untyped-def]
    _build(runner)
    return [e[0] for e in EDGES] + ["ny-until", "ny-retime"]


def _icaljs(ics: bytes, start: datetime, end: datetime, *, hide_zones: bool = True) -> list:
    if not node_available():
        service_missing("node is not installed (ical.js reader)")
    return occurrences_icaljs(private_tzids(ics)[0] if hide_zones else ics, start, end)


READERS = {
    "ical.js": _icaljs,
    "libical": libical,
    "ical": occurrences_strict_ical,
    "recurring-ical-events": occurrences_recurring_ical_events,
}


@pytest.mark.parametrize("hide_zones", [True, False], ids=["zones-hidden", "as-served"])
@pytest.mark.parametrize("reader", list(READERS))
def test_readers_agree_with_the_api_on_clock_changes(client, edges, reader, hide_zones) -> None:
    read = READERS[reader]
    for slug in edges:
        response = client.get(f"/calendar/{slug}.ics")
        assert response.status_code == 200, slug
        got = read(response.data, WINDOW_START, WINDOW_END, hide_zones=hide_zones)
        assert [(s, e) for _u, s, e in got] == expected(client, slug), (reader, slug)
    combined = client.get("/calendar.ics")
    assert combined.status_code == 200
    got = read(combined.data, WINDOW_START, WINDOW_END, hide_zones=hide_zones)
    assert len(got) == sum(len(expected(client, slug)) for slug in edges)


def test_the_api_states_the_rfc_rule(client, edges) -> None:
    def start(slug: str, day: str) -> str:
        (found,) = [o for o in api(client, slug, date.fromisoformat(day), date.fromisoformat(day))]
        return found["start"]

    assert start("ny-gap", "2027-03-14") == "2027-03-14T07:30:00Z"  # 03:30 EDT
    assert start("ny-fold", "2026-11-01") == "2026-11-01T05:30:00Z"  # the first 01:30 (EDT)
    assert start("cairo-fold", "2026-10-29") == "2026-10-29T20:30:00Z"  # the first 23:30
    assert start("lhi-gap", "2026-10-04") == "2026-10-03T15:45:00Z"  # 02:45 +11
    page = client.get("/meetings/ny-gap/2027-03-14")
    assert page.status_code == 200
    assert b"03:30 EDT" in page.data


def test_single_meeting_files_on_clock_changes(client, edges) -> None:
    for slug, day in [("ny-gap", "2027-03-14"), ("ny-fold", "2026-11-01"),
                      ("cairo-fold", "2026-10-29"), ("lhi-fold", "2027-04-04"),
                      ("scl-evening", "2026-09-05")]:  # fmt: skip
        ics = client.get(f"/meetings/{slug}/{day}.ics").data
        assert b"X-WR-TIMEZONE" not in ics
        (o,) = api(client, slug, date.fromisoformat(day), date.fromisoformat(day))
        want = [(instant(o["start"]), instant(o["end"]))]
        window = (instant(o["start"]) - timedelta(days=2), instant(o["end"]) + timedelta(days=2))
        for name, read in READERS.items():
            for hide in (True, False):
                got = [(s, e) for _u, s, e in read(ics, *window, hide_zones=hide)]
                assert got == want, (name, slug, day, hide)


def test_until_on_a_repeated_hour_keeps_the_last_meeting(client, edges) -> None:
    cal = Calendar.from_ical(client.get("/calendar/ny-until.ics").data)
    (master,) = [e for e in cal.walk("VEVENT") if "RRULE" in e]
    retimed = Calendar.from_ical(client.get("/calendar/ny-retime.ics").data)
    old = next(e for e in retimed.walk("VEVENT") if "RRULE" in e and "UNTIL" in e["RRULE"])
    assert old["RRULE"]["UNTIL"][0] == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    # The later instance of 01:30 on 2026-11-01 (06:30Z), so readers that take it still keep it.
    assert master["RRULE"]["UNTIL"][0] == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_a_move_back_is_a_change_subscribers_see(client, runner) -> None:
    cli(runner, "create", "undo", "--title", "Undo", "--timezone", "Europe/Bucharest",
        "--start", "2026-01-06 18:00", "--duration", "60")  # fmt: skip
    before = client.get("/calendar/undo.ics")
    cli(runner, "move", "undo", "2026-02-03", "--to", "2026-02-04 18:00")
    cli(runner, "move", "undo", "2026-02-03", "--to", "2026-02-03 18:00")
    after = client.get("/calendar/undo.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]

    def master_sequence(ics: bytes) -> int:
        (master,) = [e for e in Calendar.from_ical(ics).walk("VEVENT") if "RRULE" in e]
        return int(master["SEQUENCE"])

    assert master_sequence(after.data) > master_sequence(before.data)


def test_changes_on_gap_and_fold_days_through_the_pages(client, client_as, runner) -> None:
    _build(runner)
    organizer = client_as("organizer")
    posts = [
        ("/organize/series/ny-gap/2027-03-14/cancel", {"reason": "gap"}),
        ("/organize/series/ny-fold/2026-11-01/move",
         {"new_date": "2026-11-01", "new_time": "09:00", "duration": "60"}),
        ("/organize/series/ny-fold/2027-11-07/move",
         {"new_date": "2027-11-07", "new_time": "01:30", "duration": "60"}),  # typed: refused
        ("/organize/series/cairo-gap/add",
         {"day": "2026-04-23", "start_time": "00:30", "duration": "60"}),
        ("/organize/series/lhi-gap/retime",
         {"from_date": "2026-10-04", "first_date": "2026-10-04", "start_time": "10:00",
          "duration": "60", "interval": "1"}),
    ]  # fmt: skip
    for path, data in posts:
        assert organizer.post(path, data=data).status_code in (200, 302), path
    for slug in ("ny-gap", "ny-fold", "cairo-gap", "lhi-gap"):
        assert client.get(f"/calendar/{slug}.ics").status_code == 200
    assert client.get("/calendar.ics").status_code == 200


def test_a_move_ending_in_the_repeated_hour_reads_right_as_served(client, runner) -> None:
    """No X-WR-TIMEZONE in series or site feeds: recurring-ical-events read this move's UTC DTEND
    (01:45 happens twice) through it as a wall time, and the meeting ended before it began."""
    cli(runner, "create", "owls", "--title", "owls", "--timezone", "America/New_York",
        "--start", "2027-10-03 22:00", "--duration", "60", "--every", "1")  # fmt: skip
    cli(runner, "move", "owls", "2027-11-07", "--to", "2027-11-07 00:45")
    (moved,) = api(client, "owls", date(2027, 11, 7), date(2027, 11, 7))
    want = (instant(moved["start"]), instant(moved["end"]))
    window = (want[0] - timedelta(hours=2), want[1] + timedelta(hours=2))
    for path in ("/calendar/owls.ics", "/calendar.ics"):
        ics = client.get(path).data
        assert b"X-WR-TIMEZONE" not in ics, path
        for name, read in READERS.items():
            got = [(s, e) for _u, s, e in read(ics, *window, hide_zones=False)]
            assert got == [want], (name, path)
