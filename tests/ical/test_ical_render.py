"""The bytes render_calendar writes: header, determinism, line format, content rules."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.ical.scenarios import EDITED, scenario
from webapp.ical import (
    PRODID,
    EventStatus,
    FeedCalendar,
    FeedEvent,
    Organizer,
    WeeklyRule,
    google_calendar_url,
    render_calendar,
    webcal_url,
)

NY = "America/New_York"


def _lines(ics: bytes) -> list[str]:
    """Unfolded content lines."""
    return ics.decode().replace("\r\n ", "").split("\r\n")


def _event_lines(ics: bytes) -> list[str]:
    """Unfolded lines of the VEVENTs only (VTIMEZONE observances use local times)."""
    lines, inside = [], False
    for line in _lines(ics):
        inside = (inside or line == "BEGIN:VEVENT") and line != "END:VEVENT"
        if inside:
            lines.append(line)
    return lines


def _props(ics: bytes, name: str) -> list[str]:
    return [line for line in _event_lines(ics) if re.match(rf"{name}[;:]", line)]


@pytest.fixture(scope="module")
def feed() -> FeedCalendar:
    return scenario(NY).calendar


@pytest.fixture(scope="module")
def ics(feed: FeedCalendar) -> bytes:
    return render_calendar(feed)


def test_same_input_same_bytes(feed: FeedCalendar, ics: bytes) -> None:
    assert render_calendar(feed) == ics
    shuffled = list(feed.events)
    random.Random(4).shuffle(shuffled)
    assert render_calendar(replace(feed, events=tuple(shuffled))) == ics


def test_a_material_change_changes_the_bytes(feed: FeedCalendar, ics: bytes) -> None:
    first = feed.events[0]
    edited = replace(first, summary="Community call (new agenda)", sequence=3)
    assert render_calendar(replace(feed, events=(edited, *feed.events[1:]))) != ics


def test_header(ics: bytes) -> None:
    lines = _lines(ics)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}"]
    assert PRODID == "-//Cadence//Cadence//EN"
    for expected in (
        "METHOD:PUBLISH",
        f"NAME:Calls ({NY})",
        f"X-WR-CALNAME:Calls ({NY})",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        f"X-WR-TIMEZONE:{NY}",
        "CALSCALE:GREGORIAN",
    ):
        assert lines.count(expected) == 1, expected
    assert lines[-2:] == ["END:VCALENDAR", ""]


def test_refresh_interval_is_configurable(feed: FeedCalendar) -> None:
    ics = render_calendar(replace(feed, refresh_interval=timedelta(hours=1, minutes=30)))
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M" in _lines(ics)
    assert "X-PUBLISHED-TTL:PT1H30M" in _lines(ics)


def test_lines_are_crlf_and_at_most_75_octets() -> None:
    long_text = "Ünïcödé agenda — " * 40
    event = replace(
        scenario("Asia/Tokyo").calendar.events[0],
        summary=long_text,
        description=long_text,
        location="会議室 " * 30,
    )
    ics = render_calendar(FeedCalendar(name="Long lines", events=(event,)))
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    for raw in ics.split(b"\r\n"):
        assert len(raw) <= 75, raw
        raw.decode("utf-8")  # folding never splits a UTF-8 character
    assert "SUMMARY:" + long_text.replace(",", "\\,") in _lines(ics)


def test_no_alarms_attendees_or_floating_times(ics: bytes) -> None:
    text = ics.decode()
    assert "VALARM" not in text
    assert "ATTENDEE" not in text
    for line in _event_lines(ics):
        if re.match(r"(DTSTART|DTEND|EXDATE|RECURRENCE-ID)[;:]", line):
            # Either TZID=... or a UTC "Z" value: never floating.
            assert ";TZID=" in line or line.endswith("Z"), line


def test_one_vtimezone_per_zone_sorted() -> None:
    events: list[FeedEvent] = []
    for tzid in ("Europe/Bucharest", "Asia/Tokyo", "America/New_York"):
        events += scenario(tzid).calendar.events
    ics = render_calendar(FeedCalendar(name="All", events=tuple(events)))
    tzids = [line for line in _lines(ics) if line.startswith("TZID:")]
    assert tzids == ["TZID:America/New_York", "TZID:Asia/Tokyo", "TZID:Europe/Bucharest"]
    used = {m for m in re.findall(r";TZID=([^:;]+)", ics.decode())}
    assert used == {"America/New_York", "Asia/Tokyo", "Europe/Bucharest"}
    assert ics.index(b"BEGIN:VTIMEZONE") < ics.index(b"BEGIN:VEVENT")


def test_the_series_master(ics: bytes) -> None:
    [rrule, _] = _props(ics, "RRULE")
    assert rrule == "RRULE:FREQ=WEEKLY;UNTIL=20260129T210000Z;INTERVAL=2;BYDAY=TH;WKST=MO"
    assert _props(ics, "EXDATE")[:2] == [
        f"EXDATE;TZID={NY}:20250313T160000",
        f"EXDATE;TZID={NY}:20251023T160000",
    ]
    assert f"DTSTART;TZID={NY}:20250102T160000" in _lines(ics)


def test_until_is_utc_whatever_zone_it_was_given_in() -> None:
    event = scenario("Australia/Sydney").calendar.events[0]
    assert event.rule is not None
    assert event.rule.until is not None
    local_until = event.rule.until.astimezone(ZoneInfo("Australia/Sydney"))
    moved = replace(event, rule=WeeklyRule(2, local_until))
    ics = render_calendar(FeedCalendar(name="x", events=(moved,)))
    [rrule] = _props(ics, "RRULE")
    assert "UNTIL=20260129T050000Z" in rrule


def test_overrides(ics: bytes) -> None:
    assert _props(ics, "RECURRENCE-ID") == [
        f"RECURRENCE-ID;TZID={NY}:20250327T160000",
        f"RECURRENCE-ID;TZID={NY}:20250410T160000",
        f"RECURRENCE-ID;TZID={NY}:20251106T160000",
    ]
    blocks = ics.decode().split("BEGIN:VEVENT")[1:]
    calls = [b for b in blocks if "UID:calls-america" in b]
    master = next(b for b in calls if "RRULE" in b)
    assert "SEQUENCE:2" in master
    for block in calls:
        if "RECURRENCE-ID" in block:
            assert "SEQUENCE:3" in block
    assert sum("STATUS:CANCELLED" in b for b in blocks) == 1


def test_an_override_always_outranks_its_master() -> None:
    master, *rest = scenario("Asia/Tokyo").calendar.events
    overrides = [replace(e, sequence=0) for e in rest if e.recurrence_id is not None]
    ics = render_calendar(FeedCalendar(name="x", events=(master, *overrides)))
    assert _props(ics, "SEQUENCE") == ["SEQUENCE:2", "SEQUENCE:3", "SEQUENCE:3", "SEQUENCE:3"]


def test_dtstamp_is_last_modified_not_now(ics: bytes) -> None:
    stamp = f"{EDITED:%Y%m%dT%H%M%S}Z"
    assert set(_props(ics, "DTSTAMP")) == {f"DTSTAMP:{stamp}"}
    assert set(_props(ics, "LAST-MODIFIED")) == {f"LAST-MODIFIED:{stamp}"}


def test_uids_are_the_ones_given(feed: FeedCalendar, ics: bytes) -> None:
    assert {line.removeprefix("UID:") for line in _props(ics, "UID")} == {
        e.uid for e in feed.events
    }


def test_url_and_plain_text_description(ics: bytes) -> None:
    assert "URL;VALUE=URI:https://cadence.test/calls" in _lines(ics)
    assert "DESCRIPTION:Agenda and notes in the minutes.\\n\\nhttps://cadence.test/calls" in _lines(
        ics
    )


def test_categories_location_and_organizer() -> None:
    event = replace(
        scenario("Asia/Tokyo").calendar.events[0],
        categories=("call", "community"),
        location="https://meet.cadence.test/room",
        organizer=Organizer("calls@cadence.test", "Cadence calls"),
    )
    ics = render_calendar(FeedCalendar(name="x", events=(event,)))
    lines = _lines(ics)
    assert "CATEGORIES:call,community" in lines
    assert "LOCATION:https://meet.cadence.test/room" in lines
    assert 'ORGANIZER;CN="Cadence calls":mailto:calls@cadence.test' in lines


def test_cancelled_single_event_is_kept_with_its_status() -> None:
    event = replace(scenario("Asia/Tokyo").calendar.events[-2], status=EventStatus.CANCELLED)
    ics = render_calendar(FeedCalendar(name="x", events=(event,)))
    assert "STATUS:CANCELLED" in _lines(ics)


# --- what the data classes refuse ------------------------------------------------------

ZONE = ZoneInfo(NY)
START = datetime(2025, 1, 2, 16, tzinfo=ZONE)


def _event(**changes: object) -> FeedEvent:
    base: dict[str, object] = {
        "uid": "calls@cadence.test",
        "summary": "Call",
        "start": START,
        "end": START + timedelta(hours=1),
        "tzid": NY,
        "last_modified": EDITED,
        "rule": WeeklyRule(2),
    }
    base.update(changes)
    return FeedEvent(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2025, 1, 2, 16)}, "aware"),  # noqa: DTZ001
        ({"last_modified": datetime(2025, 1, 1)}, "aware"),  # noqa: DTZ001
        ({"end": START}, "after start"),
        ({"exdates": (START + timedelta(days=14, hours=1),)}, "wall time"),
        ({"exdates": (START + timedelta(days=7),)}, "not an occurrence"),
        ({"rule": None, "exdates": (START,)}, "need a recurrence rule"),
        ({"uid": " "}, "uid"),
        ({"sequence": -1}, "negative"),
    ],
)
def test_bad_events_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _event(**changes)


def test_an_exdate_may_be_given_in_any_zone_if_it_is_the_same_instant() -> None:
    excluded = datetime.combine(date(2025, 1, 16), time(16), tzinfo=ZONE)
    event = _event(exdates=(excluded.astimezone(UTC),))
    ics = render_calendar(FeedCalendar(name="x", events=(event,)))
    assert f"EXDATE;TZID={NY}:20250116T160000" in _lines(ics)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"recurrence_id": START + timedelta(days=7)}, "not an occurrence"),
        ({"recurrence_id": START, "tzid": "Europe/Bucharest"}, "master's zone"),
        ({"recurrence_id": START + timedelta(days=14), "uid": "other@x"}, "no recurring"),
    ],
)
def test_bad_overrides_are_refused(override: dict[str, object], message: str) -> None:
    master = _event()
    changed = {"rule": None, **override}
    if "tzid" in changed:
        zone = ZoneInfo(str(changed["tzid"]))
        changed |= {"start": START.astimezone(zone), "end": (START + timedelta(hours=1))}
    with pytest.raises(ValueError, match=message):
        render_calendar(FeedCalendar(name="x", events=(master, _event(**changed))))


def test_excluded_and_moved_at_once_is_refused() -> None:
    moved = START + timedelta(days=14)
    master = _event(exdates=(moved,))
    override = _event(
        rule=None,
        recurrence_id=moved,
        start=moved + timedelta(hours=1),
        end=moved + timedelta(hours=2),
    )
    with pytest.raises(ValueError, match="both excluded and moved"):
        render_calendar(FeedCalendar(name="x", events=(master, override)))


def test_duplicate_uids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate UID"):
        render_calendar(FeedCalendar(name="x", events=(_event(), _event())))


def test_x_wr_timezone_must_match_the_events() -> None:
    with pytest.raises(ValueError, match="X-WR-TIMEZONE"):
        FeedCalendar(name="x", events=(_event(),), x_wr_timezone="Europe/London")
    assert FeedCalendar(name="x", events=(_event(),), x_wr_timezone=NY).x_wr_timezone == NY


# --- links ---------------------------------------------------------------------------------


def test_webcal_url() -> None:
    assert webcal_url("https://cadence.test/calls.ics") == "webcal://cadence.test/calls.ics"
    assert webcal_url("http://cadence.test/a.ics?t=1") == "webcal://cadence.test/a.ics?t=1"
    with pytest.raises(ValueError, match="absolute"):
        webcal_url("/calls.ics")


def test_google_calendar_url() -> None:
    assert (
        google_calendar_url("https://cadence.test/calls.ics")
        == "https://calendar.google.com/calendar/r?cid=webcal://cadence.test/calls.ics"
    )
    assert google_calendar_url("https://cadence.test/c.ics?token=a&b=1").endswith(
        "cid=webcal://cadence.test/c.ics%3Ftoken%3Da%26b%3D1"
    )
    with pytest.raises(ValueError, match="longer"):
        google_calendar_url("https://cadence.test/" + "x" * 300)
