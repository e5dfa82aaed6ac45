"""The VTIMEZONEs we write, read back by other parsers, agree with zoneinfo hour by hour."""

from __future__ import annotations

import functools
import itertools
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Timezone
from icalendar.timezone import tzp

from tests.readers import (
    icaljs_wall_offsets,
    icaljs_zone_changes,
    node_available,
    private_tzids,
)
from webapp.ical import vtimezone

SPAN_START = datetime(2008, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2035, 1, 1, tzinfo=UTC)
ZONES = (
    "America/New_York",
    "Europe/Bucharest",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Europe/London",
    "America/Sao_Paulo",
)
# Harder cases: "Fri>=23" rules, Saturday-24:00 rules, negative DST in tzdata,
# a 45-minute offset, a 30-minute DST shift.
EXOTIC = (
    "Asia/Jerusalem",
    "America/Santiago",
    "Europe/Dublin",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
)
HOUR = 3600
# The eight zones above get the whole 27-year span; the extra ones 15 years, for speed.
SPANS = {tzid: (SPAN_START, SPAN_END) for tzid in ZONES} | {
    tzid: (datetime(2016, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)) for tzid in EXOTIC
}


def _span(tzid: str) -> tuple[int, int]:
    start, end = SPANS[tzid]
    return int(start.timestamp()), int(end.timestamp())


def _wrap(*zones: Timezone) -> bytes:
    """A minimal VCALENDAR around VTIMEZONEs, for the readers."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//Cadence tests//EN")
    for zone in zones:
        cal.add_component(zone)
    return cal.to_ical()


Runs = list[tuple[int, int]]


@functools.cache
def _zoneinfo_hourly(tzid: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """zoneinfo's offset at every UTC hour of the span, run-length encoded.

    The reference: evaluated at each of the ~237,000 hours, no shortcuts.
    """
    zone = ZoneInfo(tzid)
    at = datetime.fromtimestamp
    hours = range(start, end, HOUR)
    offsets = [at(ts, zone).utcoffset() for ts in hours]
    return tuple(
        (ts, int(offset.total_seconds()))
        for i, (ts, offset) in enumerate(zip(hours, offsets, strict=True))
        if offset is not None and (i == 0 or offset != offsets[i - 1])
    )


def _hourly_from_changes(changes: Runs, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """A reader's transition list, as its offset at every UTC hour (run-length encoded).

    Equivalent to evaluating the reader at each hour: the offset at hour ``h`` is that
    of the last change at or before ``h``, so a change counts from the next whole hour.
    """
    changes = sorted(changes)
    keys = [ts for ts, _ in changes]
    first = bisect_right(keys, start) - 1
    assert first >= 0, "the VTIMEZONE does not cover the span start"
    runs: Runs = [(start, changes[first][1])]
    for ts, offset in changes[first + 1 :]:
        hour = -(-ts // HOUR) * HOUR
        if hour >= end:
            break
        if runs[-1][0] == hour:
            runs.pop()  # two changes within one hour: only the later one is seen
        if not runs or runs[-1][1] != offset:
            runs.append((hour, offset))
    return tuple(runs)


@pytest.fixture(scope="module")
def components() -> dict[str, Timezone]:
    return {tzid: vtimezone(tzid, *SPANS[tzid]) for tzid in ZONES + EXOTIC}


@pytest.fixture(scope="module")
def icaljs_changes(components: dict[str, Timezone]) -> dict[str, Runs]:
    if not node_available():
        pytest.skip("node is not installed")
    return icaljs_zone_changes(_wrap(*components.values()), SPAN_END.year + 1)


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_icaljs_gives_zoneinfo_offset_every_hour(
    tzid: str, icaljs_changes: dict[str, Runs]
) -> None:
    span = _span(tzid)
    assert _hourly_from_changes(icaljs_changes[tzid], *span) == _zoneinfo_hourly(tzid, *span)


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_icalendar_gives_zoneinfo_offset_every_hour(
    tzid: str, components: dict[str, Timezone]
) -> None:
    parsed = Calendar.from_ical(_wrap(components[tzid])).timezones[0]
    times, infos = parsed.get_transitions()
    changes = [
        (int(t.replace(tzinfo=UTC).timestamp()), int(info[0].total_seconds()))
        for t, info in zip(times, infos, strict=True)
    ]
    span = _span(tzid)
    assert _hourly_from_changes(changes, *span) == _zoneinfo_hourly(tzid, *span)


def _expected_wall_offsets(zone: ZoneInfo, wall: int) -> set[int]:
    """The offsets (seconds) that map wall time ``wall`` to an instant in ``zone``.

    One offset normally, two in a fall-back fold (either reading is right), none in
    a spring-forward gap (that wall time does not exist).
    """
    first = datetime.fromtimestamp(wall, tz=UTC).replace(tzinfo=zone)
    earlier, later = first.utcoffset(), first.replace(fold=1).utcoffset()
    if earlier == later and earlier is not None:
        return {int(earlier.total_seconds())}
    good = set()
    for offset in (earlier, later):
        assert offset is not None
        seconds = int(offset.total_seconds())
        if datetime.fromtimestamp(wall - seconds, tz=zone).utcoffset() == offset:
            good.add(seconds)
    return good


def _wall_problems(tzid: str, runs: Runs, wall_start: int, wall_end: int) -> list[str]:
    """Compare a reader's wall-time offsets with zoneinfo at every wall hour."""
    zone = ZoneInfo(tzid)
    starts = [w for w, _ in runs]
    problems = []
    for wall in range(wall_start, wall_end, HOUR):
        got = runs[bisect_right(starts, wall) - 1][1]
        expected = _expected_wall_offsets(zone, wall)
        if expected and got not in expected:
            when = datetime.fromtimestamp(wall, tz=UTC).strftime("%Y-%m-%d %H:%M")
            problems.append(f"{tzid} {when} local: got {got}, expected {sorted(expected)}")
    return problems[:10]


@pytest.mark.skipif(not node_available(), reason="node is not installed")
def test_icaljs_resolves_wall_times_like_zoneinfo(components: dict[str, Timezone]) -> None:
    """Through ical.js's public utcOffset(), the path DTSTART;TZID= takes.

    Every wall-clock hour of 2025 (DST changes, folds and gaps in all zones; the
    whole span is covered hour by hour through the transition lists above).
    """
    ics = _wrap(*(components[tzid] for tzid in ZONES))
    wall_start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    wall_end = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    offsets = icaljs_wall_offsets(ics, wall_start, wall_end)
    assert set(offsets) == set(ZONES)
    problems = [
        p
        for tzid, runs in offsets.items()
        for p in _wall_problems(tzid, runs, wall_start, wall_end)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_dateutil_tzinfo_agrees_around_every_transition(
    tzid: str, components: dict[str, Timezone]
) -> None:
    """The tzinfo icalendar builds with dateutil (what recurring_ical_events uses).

    It is too slow for every hour, so: at each transition, a minute and an hour
    either side of it, and monthly.
    """
    parsed = Calendar.from_ical(_wrap(components[tzid])).timezones[0]
    theirs = tzp.create_timezone(parsed)
    zone = ZoneInfo(tzid)
    start, end = _span(tzid)
    probes: set[int] = set(range(start + 12 * HOUR, end, 30 * 86400))
    for ts, _ in _zoneinfo_hourly(tzid, start, end)[1:]:
        # ts is the first whole hour after the change.
        for delta in (-2 * HOUR, -HOUR - 60, -HOUR, -60, 0, 60, HOUR):
            probes.add(ts + delta)
    bad = []
    for ts in sorted(probes):
        instant = datetime.fromtimestamp(ts, tz=UTC)
        want = instant.astimezone(zone).utcoffset()
        got = instant.astimezone(theirs).utcoffset()
        if want != got:
            bad.append(f"{instant:%Y-%m-%d %H:%M}Z: got {got}, expected {want}")
    assert not bad, "\n".join(bad[:10])


# --- the shape of what we write ------------------------------------------------------


def _lines(component: Timezone) -> list[str]:
    return component.to_ical().decode().replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_observances_are_rules_not_rdate_lists(tzid: str, components: dict[str, Timezone]) -> None:
    lines = _lines(components[tzid])
    for before, line in zip(lines, lines[1:], strict=False):
        # RDATE only to repeat a one-off observance's DTSTART, never as a list.
        if line.startswith("RDATE"):
            assert line.removeprefix("RDATE:") == before.removeprefix("DTSTART:")
    for line in lines:
        if line.startswith("RRULE:"):
            assert "FREQ=YEARLY" in line
            assert "BYMONTH=" in line
            assert "BYDAY=" in line
            # Ended rules use COUNT: the strict `ical` reader fails on any UNTIL here.
            assert "UNTIL=" not in line


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_an_observance_starts_at_or_before_the_span(
    tzid: str, components: dict[str, Timezone]
) -> None:
    earliest = min(
        # The local onset, in the offset before it, as UTC.
        sub.decoded("DTSTART").replace(tzinfo=UTC) - sub.decoded("TZOFFSETFROM")
        for sub in components[tzid].walk()
        if sub.name in ("STANDARD", "DAYLIGHT")
    )
    assert earliest <= SPANS[tzid][0]


@pytest.mark.parametrize("tzid", ["Asia/Tokyo", "Asia/Kolkata"])
def test_zones_without_dst_have_one_standard_observance(tzid: str) -> None:
    component = vtimezone(tzid, SPAN_START, None)
    observances = [sub for sub in component.walk() if sub.name in ("STANDARD", "DAYLIGHT")]
    assert [sub.name for sub in observances] == ["STANDARD"]
    offset = datetime(2030, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(tzid)).utcoffset()
    assert offset == observances[0].decoded("TZOFFSETTO")
    assert "RRULE" not in observances[0]


def test_new_york_2005_to_2030_has_the_2007_rule_change() -> None:
    component = vtimezone(
        "America/New_York", datetime(2005, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    )
    rules = [line for line in _lines(component) if line.startswith(("RRULE", "DTSTART"))]
    assert rules == [
        "DTSTART:20040404T020000",
        "RRULE:FREQ=YEARLY;COUNT=3;BYDAY=1SU;BYMONTH=4",
        "DTSTART:20041031T020000",
        "RRULE:FREQ=YEARLY;COUNT=3;BYDAY=-1SU;BYMONTH=10",
        "DTSTART:20070311T020000",
        "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "DTSTART:20071104T020000",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    ]


def test_southern_hemisphere_rules() -> None:
    component = vtimezone("Australia/Sydney", datetime(2025, 1, 1, tzinfo=UTC), None)
    text = "\r\n".join(_lines(component))
    assert "BEGIN:DAYLIGHT" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4" in text
    assert "TZOFFSETTO:+1100" in text
    adelaide = "\r\n".join(_lines(vtimezone("Australia/Adelaide", SPAN_START, SPAN_END)))
    assert "TZOFFSETTO:+1030" in adelaide
    assert "TZOFFSETTO:+0930" in adelaide


def test_open_ended_rules_have_no_until() -> None:
    component = vtimezone("Europe/Bucharest", datetime(2025, 6, 1, tzinfo=UTC), None)
    rrules = [line for line in _lines(component) if line.startswith("RRULE")]
    assert sorted(rrules) == [
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    ]


def test_sao_paulo_rules_end_when_dst_was_abolished() -> None:
    component = vtimezone("America/Sao_Paulo", datetime(2016, 1, 1, tzinfo=UTC), None)
    lines = _lines(component)
    # DST ended for good on 2019-02-17; no rule may go on after that.
    assert all("COUNT=" in line for line in lines if line.startswith("RRULE"))
    zone = ZoneInfo("America/Sao_Paulo")
    start = datetime(2016, 1, 1, tzinfo=UTC)
    parsed = Calendar.from_ical(_wrap(component)).timezones[0]
    times, infos = parsed.get_transitions()
    keys = [t.replace(tzinfo=UTC) for t in times]
    for days in range(0, 365 * 20, 5):
        instant = start + timedelta(days=days)
        got = infos[bisect_right(keys, instant) - 1][0]
        assert got == instant.astimezone(zone).utcoffset(), instant


@pytest.mark.skipif(not node_available(), reason="node is not installed")
@pytest.mark.parametrize("tzid", ["Europe/Bucharest", "Australia/Sydney"])
def test_open_ended_zone_keeps_working_past_the_scan(tzid: str) -> None:
    """end=None: the ongoing rules (the POSIX footer rule) hold long after 2040."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    changes = icaljs_zone_changes(_wrap(vtimezone(tzid, start, None)), 2056)[tzid]
    first = int(datetime(2038, 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(2056, 1, 1, tzinfo=UTC).timestamp())
    assert _hourly_from_changes(changes, first, last) == _zoneinfo_hourly(tzid, first, last)


@pytest.mark.skipif(not node_available(), reason="node is not installed")
@pytest.mark.parametrize(
    "tzid", ["Africa/Cairo", "Asia/Gaza", "Asia/Hebron", "Africa/Casablanca", "Africa/El_Aaiun"]
)
def test_open_ended_zones_with_irregular_futures_stay_exact(tzid: str) -> None:
    """Zones listed far ahead in tzdata (Gaza, Hebron: to 2086), or whose final rule is no plain
    BYMONTH rule (Cairo's "last Thursday of October at 24:00"), exact to 2095 in ical.js."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    changes = icaljs_zone_changes(_wrap(vtimezone(tzid, start, None)), 2096)[tzid]
    first = int(datetime(2026, 1, 2, tzinfo=UTC).timestamp())
    last = int(datetime(2095, 1, 1, tzinfo=UTC).timestamp())
    assert _hourly_from_changes(changes, first, last) == _zoneinfo_hourly(tzid, first, last)


def test_naive_or_unknown_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        vtimezone("Europe/London", datetime(2025, 1, 1), None)  # noqa: DTZ001
    with pytest.raises(ValueError, match="before"):
        vtimezone("Europe/London", SPAN_END, SPAN_START)
    with pytest.raises(Exception, match="Nowhere"):
        vtimezone("Nowhere/Atlantis", SPAN_START, SPAN_END)


@pytest.mark.parametrize("tzid", ZONES + EXOTIC)
def test_strict_ical_resolves_wall_times_like_zoneinfo(
    tzid: str, components: dict[str, Timezone]
) -> None:
    """The strict `ical` package's tzinfo for the VTIMEZONE (TZID renamed so it cannot
    use its own zoneinfo), at wall times around every transition and monthly."""
    from ical.calendar_stream import IcsCalendarStream
    from ical.timezone import IcsTimezoneInfo

    text, _ = private_tzids(_wrap(components[tzid]))
    parsed = IcsCalendarStream.calendar_from_ics(text.decode()).timezones[0]
    theirs = IcsTimezoneInfo.from_timezone(parsed)
    zone = ZoneInfo(tzid)
    start, end = _span(tzid)
    runs = _zoneinfo_hourly(tzid, start, end)
    probes: set[int] = set(range(start + 12 * HOUR, end, 30 * 86400))
    for (_, before), (ts, _) in itertools.pairwise(runs):
        wall = ts + before  # the first whole hour after the change, on the old clock
        for delta in (-2 * HOUR, -HOUR - 60, -HOUR, -60, 0, 60, HOUR):
            probes.add(wall + delta)
    bad = []
    for wall in sorted(probes):
        expected = _expected_wall_offsets(zone, wall)
        local = datetime.fromtimestamp(wall, tz=UTC).replace(tzinfo=theirs)
        offset = local.utcoffset()
        assert offset is not None
        if expected and int(offset.total_seconds()) not in expected:
            bad.append(f"{local:%Y-%m-%d %H:%M} local: got {offset}, expected {expected}")
    assert not bad, "\n".join(bad[:10])
