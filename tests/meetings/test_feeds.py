"""The served feeds, read by readers that did not write them, say what the JSON API says.

Series in five zones (northern and southern DST, half-hour offset, no DST) get cancelled, moved,
extra and retimed meetings, some across DST changes and some before the feed window, through the
``flask series`` commands; then ``/calendar/SLUG.ics`` as served is expanded by ical.js, by the
strict ``ical`` package and by ``recurring-ical-events`` over the whole span from the feed's start
to three years ahead, and compared, as UTC instants, with ``/api/v1/series/SLUG/occurrences``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.conftest import service_missing
from tests.meetings.conftest import NOW
from tests.readers import (
    LibicalUnavailable,
    icaljs_zone_changes,
    node_available,
    occurrences_icaljs,
    occurrences_libical,
    occurrences_recurring_ical_events,
    occurrences_strict_ical,
)
from webapp.extensions import db
from webapp.models import RenderedFeed

# The window: FEED_PAST_MONTHS (12) back from NOW, from a UTC midnight.
WINDOW_START = datetime(2025, 1, 15, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=3 * 366)
HOUR = 3600

ZONES = [
    ("ny", "America/New_York", "2024-03-07 16:00"),
    ("bucharest", "Europe/Bucharest", "2024-03-28 18:00"),
    ("sydney", "Australia/Sydney", "2024-04-04 09:00"),
    ("kolkata", "Asia/Kolkata", "2024-01-04 19:30"),
    ("tokyo", "Asia/Tokyo", "2024-01-11 21:00"),
]


def cli(runner, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["series", *args])
    assert result.exit_code == 0, (args, result.output)
    return result.output


def api(client, slug: str, first: date, last: date) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/series/{slug}/occurrences?from={first}&to={last}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["occurrences"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def crosses_dst(zone: ZoneInfo, day: date, days: int) -> bool:
    a = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
    b = datetime.combine(day + timedelta(days=days), time(12), tzinfo=zone).utcoffset()
    return a != b


def local(o: dict, zone: ZoneInfo) -> datetime:
    return instant(o["start"]).astimezone(zone)


def build(runner, client, slug: str, tzid: str, start: str) -> None:  # type: ignore[no-untyped-def]
    """A series with every kind of exception, several across DST changes."""
    zone = ZoneInfo(tzid)
    cli(
        runner,
        "create",
        slug,
        "--title",
        f"{slug} call",
        "--timezone",
        tzid,
        "--start",
        start,
        "--duration",
        "60",
        "--join-url",
        f"https://meet.example.org/{slug}",
    )
    before = api(client, slug, date(2024, 1, 1), date(2024, 12, 31))
    # Before the window: dropped from the feed (the master then starts inside the window).
    cli(runner, "cancel", slug, before[1]["date"], "--reason", "long ago")
    cli(
        runner,
        "move",
        slug,
        before[2]["date"],
        "--to",
        (local(before[2], zone) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
    )

    year = [
        o
        for o in api(client, slug, date(2025, 1, 14), date(2026, 5, 20))
        if o["status"] == "scheduled" and instant(o["start"]) >= WINDOW_START
    ]
    # The master's first occurrence in the window is itself an exception in two zones.
    if slug == "tokyo":
        cli(runner, "cancel", slug, year[0]["date"], "--reason", "first in window")
    if slug == "sydney":
        cli(
            runner,
            "move",
            slug,
            year[0]["date"],
            "--to",
            (local(year[0], zone) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        )
    across = [o for o in year[2:] if crosses_dst(zone, date.fromisoformat(o["date"]), 4)] or [
        year[9],
        year[20],
    ]
    moved = across[0]
    new = local(moved, zone) + timedelta(days=4, hours=1)
    cli(
        runner,
        "move",
        slug,
        moved["date"],
        "--to",
        new.strftime("%Y-%m-%d %H:%M"),
        "--duration",
        "90",
    )
    after_change = next(o for o in year if o["date"] > across[-1]["date"])
    cli(runner, "cancel", slug, after_change["date"], "--reason", "clocks changed")
    holiday = next(o for o in year[1:] if o not in (moved, after_change))
    cli(runner, "cancel", slug, holiday["date"], "--reason", "holiday")
    extra_day = date.fromisoformat(year[5]["date"]) + timedelta(days=3)
    cli(
        runner, "add", slug, f"{extra_day} 11:00", "--duration", "30", "--title", "Release planning"
    )
    gone_day = date.fromisoformat(year[7]["date"]) + timedelta(days=3)
    cli(runner, "add", slug, f"{gone_day} 12:00", "--title", "Cancelled extra")
    cli(runner, "cancel", slug, gone_day.isoformat(), "--reason", "not needed")

    # For good: weekly on Tuesdays at 08:30 from June 2026.
    first_tuesday = date(2026, 6, 2)
    cli(
        runner,
        "retime",
        slug,
        "--from",
        "2026-06-01",
        "--start",
        f"{first_tuesday} 08:30",
        "--duration",
        "45",
        "--every",
        "1",
    )
    later = api(client, slug, date(2026, 6, 1), date(2027, 12, 31))
    cli(runner, "cancel", slug, later[2]["date"])
    cli(
        runner,
        "move",
        slug,
        later[4]["date"],
        "--to",
        (local(later[4], zone) + timedelta(days=1, hours=2)).strftime("%Y-%m-%d %H:%M"),
    )
    crossing = [o for o in later[6:] if crosses_dst(zone, date.fromisoformat(o["date"]), 3)]
    if crossing:
        cli(
            runner,
            "move",
            slug,
            crossing[0]["date"],
            "--to",
            (local(crossing[0], zone) + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        )


@pytest.fixture
def series(runner, client):  # type: ignore[no-untyped-def]
    for slug, tzid, start in ZONES:
        build(runner, client, slug, tzid, start)
    return ZONES


def expected(client, slug: str) -> list[tuple[datetime, datetime]]:  # type: ignore[no-untyped-def]
    items = api(
        client, slug, WINDOW_START.date() - timedelta(days=1), WINDOW_END.date() + timedelta(days=1)
    )
    return sorted(
        (instant(o["start"]), instant(o["end"]))
        for o in items
        if o["status"] != "cancelled" and WINDOW_START <= instant(o["start"]) < WINDOW_END
    )


def libical(ics: bytes, start: datetime, end: datetime, **options: bool) -> list:
    """libical's reading, or a skip (a failure in CI) without gcc or libical-dev."""
    try:
        return occurrences_libical(ics, start, end, **options)
    except LibicalUnavailable as exc:
        service_missing(str(exc))
        raise


READERS = {
    "ical.js": occurrences_icaljs,
    "libical": libical,
    "ical": occurrences_strict_ical,
    "recurring-ical-events": occurrences_recurring_ical_events,
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_sees_the_schedule_the_api_states(client, series, reader: str) -> None:
    if reader == "ical.js" and not node_available():
        service_missing("node is not installed (ical.js reader)")
    for slug, _tzid, _start in series:
        response = client.get(f"/calendar/{slug}.ics")
        assert response.status_code == 200
        ics = response.data
        got = READERS[reader](ics, WINDOW_START, WINDOW_END)
        want = expected(client, slug)
        assert len(want) > 100
        assert [(s, e) for _uid, s, e in got] == want, f"{reader} disagrees with the API for {slug}"
        uids = {uid for uid, _s, _e in got}
        assert f"series-{slug}-2026-06-02@localhost" in uids
        assert any(uid.startswith(f"meeting-{slug}-") for uid in uids)
        assert all(uid.startswith((f"series-{slug}-", f"meeting-{slug}-")) for uid in uids)


def test_feed_structure(client, series) -> None:
    cal = Calendar.from_ical(client.get("/calendar/ny.ics").data)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "X-WR-TIMEZONE" not in cal
    events = cal.walk("VEVENT")
    masters = [e for e in events if "RRULE" in e]
    assert [str(m["UID"]) for m in masters] == [
        "series-ny-2024-03-07@localhost",
        "series-ny-2026-06-02@localhost",
    ]
    old, new = masters
    # The old rule began before the window: its DTSTART is its first occurrence inside it.
    assert old.decoded("DTSTART") == datetime(2025, 1, 23, 16, tzinfo=ZoneInfo("America/New_York"))
    assert old["RRULE"]["UNTIL"][0] == datetime(2026, 5, 28, 20, tzinfo=UTC)
    assert "UNTIL" not in new["RRULE"]
    overrides = [e for e in events if "RECURRENCE-ID" in e]
    assert len(overrides) == 2  # one before the retime (across DST), one after
    for event in events:
        assert str(event["URL"]).startswith("http://localhost/")
        assert str(event["URL"]) in str(event["DESCRIPTION"])
    cancelled_extra = [e for e in events if str(e.get("STATUS")) == "CANCELLED"]
    assert len(cancelled_extra) == 1
    assert "not needed" in str(cancelled_extra[0]["DESCRIPTION"])
    # Nothing from before the window.
    assert b"long ago" not in client.get("/calendar/ny.ics").data


def test_combined_feed_has_every_public_series(client, series) -> None:
    ics = client.get("/calendar.ics").data
    for slug, tzid, _start in series:
        assert f"TZID:{tzid}".encode() in ics
        assert f"UID:series-{slug}-2026-06-02@localhost".encode() in ics
    got = occurrences_recurring_ical_events(ics, WINDOW_START, WINDOW_END)
    assert len(got) == sum(len(expected(client, slug)) for slug, _t, _s in series)


def _hourly(changes: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    changes = sorted(changes)
    keys = [ts for ts, _ in changes]
    first = bisect_right(keys, start) - 1
    assert first >= 0, "the VTIMEZONE does not cover the span start"
    runs = [(start, changes[first][1])]
    for ts, offset in changes[first + 1 :]:
        hour = -(-ts // HOUR) * HOUR
        if hour >= end:
            break
        if runs[-1][1] != offset:
            runs.append((hour, offset))
    return runs


def _zoneinfo_hourly(tzid: str, start: int, end: int) -> list[tuple[int, int]]:
    zone = ZoneInfo(tzid)
    runs: list[tuple[int, int]] = []
    for ts in range(start, end, HOUR):
        offset = datetime.fromtimestamp(ts, zone).utcoffset()
        assert offset is not None
        seconds = int(offset.total_seconds())
        if not runs or runs[-1][1] != seconds:
            runs.append((ts, seconds))
    return runs


def test_served_vtimezones_match_zoneinfo_hour_by_hour(client, series) -> None:
    if not node_available():
        service_missing("node is not installed (ical.js reader)")
    ics = client.get("/calendar.ics").data
    changes = icaljs_zone_changes(ics, WINDOW_END.year + 1)
    assert set(changes) == {tzid for _s, tzid, _t in series}
    start, end = int(WINDOW_START.timestamp()), int(WINDOW_END.timestamp())
    for tzid, runs in changes.items():
        assert _hourly(runs, start, end) == _zoneinfo_hourly(tzid, start, end), tzid
    # icalendar (under recurring-ical-events) reads the same VTIMEZONEs the same way.
    for component in Calendar.from_ical(ics).walk("VTIMEZONE"):
        tzid = str(component["TZID"])
        times, infos = component.get_transitions()
        parsed = [
            (int(t.replace(tzinfo=UTC).timestamp()), int(i[0].total_seconds()))
            for t, i in zip(times, infos, strict=True)
        ]
        assert _hourly(parsed, start, end) == _zoneinfo_hourly(tzid, start, end), tzid


# --- HTTP: caching, validators, SEQUENCE ---------------------------------------------------


@pytest.fixture
def bhyve(runner):  # type: ignore[no-untyped-def]
    cli(
        runner,
        "create",
        "bhyve",
        "--title",
        "bhyve bi-weekly call",
        "--timezone",
        "America/New_York",
        "--start",
        "2025-12-04 16:00",
        "--duration",
        "60",
    )
    cli(runner, "move", "bhyve", "2026-01-29", "--to", "2026-01-30 16:00")
    cli(runner, "move", "bhyve", "2026-02-12", "--to", "2026-02-13 16:00")
    return "bhyve"


def sequences(ics: bytes) -> dict[tuple[str, str], int]:
    cal = Calendar.from_ical(ics)
    return {
        (str(e["UID"]), e["RECURRENCE-ID"].to_ical().decode() if "RECURRENCE-ID" in e else ""): int(
            e["SEQUENCE"]
        )
        for e in cal.walk("VEVENT")
    }


def test_headers_and_conditional_requests(client, bhyve) -> None:
    first = client.get("/calendar/bhyve.ics")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.headers["Cache-Control"] == "public, max-age=900"
    assert "Set-Cookie" not in first.headers
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    again = client.get("/calendar/bhyve.ics")
    assert again.data == first.data
    assert again.headers["ETag"] == etag
    by_etag = client.get("/calendar/bhyve.ics", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    by_date = client.get("/calendar/bhyve.ics", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    assert (
        client.get("/calendar/bhyve.ics", headers={"If-None-Match": '"other"'}).status_code == 200
    )
    single = client.get("/meetings/bhyve/2026-01-29.ics")
    assert single.status_code == 200
    assert b"UID:meeting-bhyve-2026-01-29@localhost" in single.data
    assert b"RECURRENCE-ID" not in single.data
    assert client.get("/calendar/nope.ics").status_code == 404
    assert client.get("/meetings/bhyve/2026-01-28.ics").status_code == 404


def test_fast_path_answers_exactly_like_the_view(app, client, bhyve) -> None:
    """Repeated requests are answered below Flask (FastFeeds): same bytes, same headers."""

    def headers(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {k: v for k, v in response.headers.items() if k != "Date"}

    app.config["FEED_FAST_PATH"] = False
    plain = client.get("/calendar/bhyve.ics")
    plain_304 = client.get("/calendar/bhyve.ics", headers={"If-None-Match": plain.headers["ETag"]})
    app.config["FEED_FAST_PATH"] = True
    recorded = client.get("/calendar/bhyve.ics")
    replayed = client.get("/calendar/bhyve.ics")
    assert replayed.data == recorded.data == plain.data
    assert headers(replayed) == headers(recorded) == headers(plain)
    fast_304 = client.get("/calendar/bhyve.ics", headers={"If-None-Match": plain.headers["ETag"]})
    assert fast_304.status_code == plain_304.status_code == 304
    assert headers(fast_304)["ETag"] == headers(plain_304)["ETag"]
    head = client.head("/calendar/bhyve.ics")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(plain.data))
    # A change is seen at once, by every path.
    with app.app_context():
        from webapp import audit
        from webapp.meetings import services

        services.cancel(services.get_series("bhyve"), date(2026, 2, 26), audit.CLI)
        db.session.commit()
    changed = client.get("/calendar/bhyve.ics", headers={"If-None-Match": plain.headers["ETag"]})
    assert changed.status_code == 200
    assert b"EXDATE;TZID=America/New_York:20260226T160000" in changed.data


def test_rendered_once_per_change_and_shared_through_the_table(app, client, bhyve) -> None:
    client.get("/calendar/bhyve.ics")
    with app.app_context():
        row = db.session.get(RenderedFeed, "series:bhyve")
        assert row is not None
        rendered_at, version = row.rendered_at, row.data_version
    client.get("/calendar/bhyve.ics")
    with app.app_context():
        assert db.session.get(RenderedFeed, "series:bhyve").rendered_at == rendered_at
    # A day later the window has moved: rendered again, same validators while the bytes agree.
    app.config["CADENCE_NOW"] = NOW + timedelta(days=1)
    later = client.get("/calendar/bhyve.ics")
    with app.app_context():
        row = db.session.get(RenderedFeed, "series:bhyve")
        assert row.data_version != version
        assert row.etag == later.headers["ETag"].strip('"')


def test_changes_change_etag_and_the_affected_sequence(
    app, client, client_as, runner, bhyve
) -> None:
    organizer = client_as("organizer")
    first = client.get("/calendar/bhyve.ics")
    seq = sequences(first.data)
    master = ("series-bhyve-2025-12-04@localhost", "")
    jan = ("series-bhyve-2025-12-04@localhost", "20260129T160000")
    feb = ("series-bhyve-2025-12-04@localhost", "20260212T160000")
    assert seq[jan] > seq[master]
    assert seq[feb] > seq[master]

    # Move one meeting again: only its override's SEQUENCE goes up.
    assert (
        organizer.post(
            "/organize/series/bhyve/2026-01-29/move",
            data={"new_date": "2026-01-30", "new_time": "17:00", "duration": "60"},
        ).status_code
        == 302
    )
    moved = client.get("/calendar/bhyve.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200
    assert moved.headers["ETag"] != first.headers["ETag"]
    after = sequences(moved.data)
    assert after[jan] > seq[jan]
    assert after[master] == seq[master]
    assert after[feb] == seq[feb]

    # Cancel one: the master gains an EXDATE and a higher SEQUENCE (overrides stay above it).
    assert (
        organizer.post(
            "/organize/series/bhyve/2026-02-26/cancel", data={"reason": "snow"}
        ).status_code
        == 302
    )
    cancelled = client.get("/calendar/bhyve.ics")
    assert cancelled.headers["ETag"] != moved.headers["ETag"]
    assert b"EXDATE;TZID=America/New_York:20260226T160000" in cancelled.data
    after_cancel = sequences(cancelled.data)
    assert after_cancel[master] > after[master]
    assert after_cancel[jan] > after_cancel[master]
    assert after_cancel[feb] > after_cancel[master]

    # Edit the details: every event changes.
    assert (
        organizer.post(
            "/organize/series/bhyve/edit",
            data={"title": "bhyve call", "public": "y", "join_url": "https://meet.example.org/new"},
        ).status_code
        == 302
    )
    edited = client.get("/calendar/bhyve.ics")
    assert edited.headers["ETag"] != cancelled.headers["ETag"]
    assert b"https://meet.example.org/new" in edited.data
    final = sequences(edited.data)
    assert all(final[key] > after_cancel[key] for key in after_cancel)
    assert (
        client.get(
            "/calendar/bhyve.ics", headers={"If-None-Match": edited.headers["ETag"]}
        ).status_code
        == 304
    )
