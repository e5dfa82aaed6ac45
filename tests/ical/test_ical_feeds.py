"""Feeds rendered by webapp.ical, expanded by four independent readers.

The expected schedules come from tests/ical/scenarios.py (plain zoneinfo arithmetic).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests import readers
from tests.conftest import service_missing
from tests.ical.scenarios import EDITED, WINDOW, ZONES, at, scenario, utc
from tests.readers import (
    LibicalUnavailable,
    Occurrence,
    node_available,
    occurrences_icaljs,
    occurrences_libical,
    occurrences_recurring_ical_events,
    occurrences_strict_ical,
    private_tzids,
)
from webapp.ical import FeedCalendar, FeedEvent, WeeklyRule, render_calendar

Reader = Callable[[bytes, datetime, datetime], list[Occurrence]]


def _icaljs(ics: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    if not node_available():
        pytest.skip("node is not installed")
    return occurrences_icaljs(ics, start, end)


def _libical(ics: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    """libical as a client reads the file: it resolves known zone names (in EXDATEs) with its
    own zone data and the rest with the file's VTIMEZONE."""
    try:
        return occurrences_libical(ics, start, end, hide_zones=False)
    except LibicalUnavailable as exc:
        service_missing(str(exc))
        raise


def _libical_hidden(ics: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    return _libical(private_tzids(ics)[0], start, end)


READERS: dict[str, Reader] = {
    "ical.js": _icaljs,
    "libical": _libical,
    "libical-zones-hidden": _libical_hidden,
    "ical": occurrences_strict_ical,
    "recurring_ical_events": occurrences_recurring_ical_events,
}


@pytest.fixture(scope="module", params=ZONES)
def rendered(request: pytest.FixtureRequest) -> tuple[bytes, list[Occurrence]]:
    built = scenario(request.param)
    return render_calendar(built.calendar), built.expected


@pytest.mark.parametrize("reader", READERS)
def test_readers_see_the_schedule(reader: str, rendered: tuple[bytes, list[Occurrence]]) -> None:
    ics, expected = rendered
    assert READERS[reader](ics, *WINDOW) == expected


def test_the_expected_schedule_is_not_trivial() -> None:
    """Guard the guard: DST really shifts the UTC time of the same wall time."""
    expected = scenario("Europe/Bucharest").expected
    zone = ZoneInfo("Europe/Bucharest")
    regular = [s for _, s, _ in expected if s.astimezone(zone).time() == time(16)]
    assert {start.hour for start in regular} == {13, 14}
    assert len(expected) > 45


@pytest.mark.parametrize("reader", READERS)
def test_one_feed_with_every_zone(reader: str) -> None:
    events: list[FeedEvent] = []
    expected: list[Occurrence] = []
    for tzid in ZONES:
        built = scenario(tzid)
        events += built.calendar.events
        expected += built.expected
    ics = render_calendar(FeedCalendar(name="Everything", events=tuple(events)))
    assert ics.count(b"BEGIN:VTIMEZONE") == len(ZONES)
    expected.sort(key=lambda o: (o[1], o[0], o[2]))
    assert READERS[reader](ics, *WINDOW) == expected


@pytest.mark.parametrize("reader", READERS)
def test_a_single_event_calendar(reader: str) -> None:
    tzid = "Asia/Kolkata"
    start = at(date(2026, 4, 5), time(9, 30), tzid)
    event = FeedEvent(
        uid="talk-42@cadence.test",
        summary="Keynote",
        start=start,
        end=start + timedelta(hours=2),
        tzid=tzid,
        last_modified=EDITED,
        url="https://cadence.test/talks/42",
    )
    ics = render_calendar(FeedCalendar(name="Keynote", events=(event,)))
    assert b"DTSTART;TZID=Asia/Kolkata:20260405T093000\r\n" in ics
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    got = READERS[reader](ics, *window)
    assert got == [(event.uid, utc(start), utc(start + timedelta(hours=2)))]


@pytest.mark.parametrize("fold", [0, 1])
@pytest.mark.parametrize("reader", READERS)
def test_an_ambiguous_wall_time_is_written_in_utc(reader: str, fold: int) -> None:
    """02:30 happens twice in Adelaide on 2026-04-05; readers disagree on which.

    (ical.js takes the second, the RFC and the Python readers the first.)
    """
    tzid = "Australia/Adelaide"
    start = at(date(2026, 4, 5), time(2, 30), tzid).replace(fold=fold)
    event = FeedEvent(
        uid="talk-43@cadence.test",
        summary="Night owls",
        start=start,
        end=start + timedelta(hours=2),
        tzid=tzid,
        last_modified=EDITED,
    )
    ics = render_calendar(FeedCalendar(name="Owls", events=(event,)))
    instant = utc(start)
    assert f"DTSTART:{instant:%Y%m%dT%H%M%S}Z\r\n".encode() in ics
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    got = READERS[reader](ics, *window)
    # (start + 2h is wall-clock arithmetic in Python: 04:30, three real hours later.)
    assert got == [(event.uid, instant, utc(event.end))]


@pytest.mark.parametrize("reader", READERS)
def test_window_is_respected(reader: str) -> None:
    built = scenario("Asia/Tokyo")
    ics = render_calendar(built.calendar)
    window = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
    expected = [o for o in built.expected if o[1] < window[1] and o[2] > window[0]]
    assert READERS[reader](ics, *window) == expected
    assert len(expected) == 3  # 2025-06-12, the talk on 06-15, 06-26


def test_icaljs_reader_says_clearly_when_ical_js_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(readers, "ICALJS_PACKAGE", tmp_path / "missing" / "package.json")
    if node_available():
        with pytest.raises(readers.IcaljsUnavailable, match="npm ci"):
            occurrences_icaljs(b"", *WINDOW)
    monkeypatch.setattr(readers.shutil, "which", lambda _name: None)
    with pytest.raises(readers.IcaljsUnavailable, match="node is not installed"):
        occurrences_icaljs(b"", *WINDOW)


def test_libical_reader_says_clearly_when_gcc_or_libical_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(readers, "LIBICAL_HEADER", tmp_path / "missing" / "ical.h")
    if readers.shutil.which("gcc"):
        with pytest.raises(readers.LibicalUnavailable, match="apt-get install libical-dev"):
            occurrences_libical(b"", *WINDOW)
    monkeypatch.setattr(readers.shutil, "which", lambda _name: None)
    with pytest.raises(readers.LibicalUnavailable, match="gcc is not installed"):
        occurrences_libical(b"", *WINDOW)


@pytest.mark.parametrize("reader", READERS)
def test_an_override_and_an_exdate_at_a_wall_time_the_clock_skips(reader: str) -> None:
    """RECURRENCE-ID and EXDATE name the rule's wall time (02:30) even on the day it does not
    exist; the override carries the resolved instant (RFC 5545 3.3.5: 03:30 EDT). The EXDATE is
    also written in UTC: libical, reading a TZID it knows with its own data, keeps the meeting
    otherwise. The wall times come in another instance of the zone (as after zoneinfo's cache is
    cleared): still kept."""
    tzid = "America/New_York"
    zone = ZoneInfo.no_cache(tzid)
    first = at(date(2026, 1, 4), time(2, 30), tzid)
    gap_2026 = datetime.combine(date(2026, 3, 8), time(2, 30), tzinfo=zone)
    gap_2027 = datetime.combine(date(2027, 3, 14), time(2, 30), tzinfo=zone)
    until = utc(at(date(2027, 6, 27), time(2, 30), tzid))
    master = FeedEvent(
        uid="owls@cadence.test",
        summary="Night owls",
        start=first,
        end=first + timedelta(hours=1),
        tzid=tzid,
        last_modified=EDITED,
        rule=WeeklyRule(interval=1, until=until),
        exdates=(gap_2027,),
    )
    resolved = utc(gap_2026)  # fold=0: the offset before the gap
    override = FeedEvent(
        uid="owls@cadence.test",
        summary="Night owls",
        start=resolved,
        end=resolved + timedelta(hours=1),
        tzid=tzid,
        last_modified=EDITED,
        sequence=1,
        recurrence_id=gap_2026,
    )
    ics = render_calendar(FeedCalendar(name="Owls", events=(master, override)))
    assert b"RECURRENCE-ID;TZID=America/New_York:20260308T023000\r\n" in ics
    assert b"EXDATE;TZID=America/New_York:20270314T023000\r\n" in ics
    # Beside it, its instant in UTC (02:30 read with the offset before the gap: 03:30 EDT).
    assert b"EXDATE;TZID=America/New_York:20270314T023000\r\nEXDATE:20270314T073000Z\r\n" in ics
    assert b"DTSTART;TZID=America/New_York:20260308T033000\r\n" in ics
    expected = []
    day = date(2026, 1, 4)
    while day <= date(2027, 6, 27):
        if day != date(2027, 3, 14):
            start = utc(datetime.combine(day, time(2, 30), tzinfo=zone))
            expected.append(("owls@cadence.test", start, start + timedelta(hours=1)))
        day += timedelta(days=7)
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
    if reader == "libical":
        # With a zone name it knows, libical's rule iterator moves the meeting after a gap-day one
        # by the gap (what the app spells out, tests/meetings/test_feeds_edges.py): read up to
        # the cancelled gap day and the week after it.
        window = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 3, 20, tzinfo=UTC))
        expected = [o for o in expected if window[0] <= o[1] < window[1]]
    got = READERS[reader](ics, *window)
    assert [o for o in got if o[1] != resolved] == [o for o in expected if o[1] != resolved]
    if reader != "libical":
        assert ("owls@cadence.test", resolved, resolved + timedelta(hours=1)) in got
