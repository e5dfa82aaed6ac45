"""VTIMEZONE components built from ``zoneinfo``, written as yearly RRULE observances.

icalendar's ``Timezone.from_tzid()`` writes one RDATE per transition; Outlook and some
JavaScript readers misread those lists, so we find the zone's transitions ourselves and
fold the regular ones back into ``FREQ=YEARLY`` rules ("second Sunday of March at
02:00"); a rule that stopped within the span ends with COUNT. Irregular transitions
become single-onset observances.
"""

from __future__ import annotations

import calendar
import functools
import struct
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import TypeAlias
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["Transition", "vtimezone", "zone_transitions"]

# How far an open-ended feed's zone is expanded at least (and beyond the zone's last explicit
# transition: Gaza, Hebron and Morocco have them into the 2080s); the last yearly rule is left
# open (no COUNT), which matches the POSIX footer rule that zoneinfo applies afterwards.
OPEN_ENDED_SCAN_YEAR = 2040
# Scanning step: no zone has had two transitions within a day since 1970.
_STEP = 86400
# How far back to look for the transition in force at the span start.
_EARLIEST = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_State: TypeAlias = tuple[timedelta, str, timedelta]  # offset, abbreviation, dst


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of a zone's offset or abbreviation.

    ``local_onset`` is the wall time just before the change (UTC + ``offset_from``),
    which is what an observance's DTSTART holds.
    """

    utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_onset(self) -> datetime:
        """Naive wall-clock time of the onset, in the offset before the change."""
        return (self.utc + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, ts: int) -> _State:
    local = datetime.fromtimestamp(ts, tz=zone)
    offset = local.utcoffset()
    assert offset is not None  # noqa: S101 - ZoneInfo always knows its offset
    return offset, local.tzname() or "", local.dst() or timedelta(0)


def _bisect(zone: ZoneInfo, lo: int, hi: int, before: _State) -> int:
    """First second in (lo, hi] whose state differs from ``before``."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _state(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _make(zone: ZoneInfo, ts: int, before: _State) -> Transition:
    offset_to, name, dst = _state(zone, ts)
    # tzdata gives Europe/Dublin (and Morocco in Ramadan) a *negative* DST in winter;
    # calendar readers expect the opposite labels, with the summer time as DAYLIGHT,
    # and some of them resolve the fall-back fold by that label.
    is_dst = dst > timedelta(0) or (dst == timedelta(0) and before[2] < timedelta(0))
    return Transition(
        utc=datetime.fromtimestamp(ts, tz=UTC),
        offset_from=before[0],
        offset_to=offset_to,
        name=name,
        is_dst=is_dst,
    )


def zone_transitions(tzid: str, start: datetime, end: datetime) -> list[Transition]:
    """Every transition of ``tzid`` in ``(start, end]``, found by scanning and bisecting."""
    zone = ZoneInfo(tzid)
    lo = int(start.timestamp())
    stop = int(end.timestamp())
    result: list[Transition] = []
    state = _state(zone, lo)
    while lo < stop:
        hi = min(lo + _STEP, stop)
        new = _state(zone, hi)
        if new != state:
            ts = _bisect(zone, lo, hi, state)
            result.append(_make(zone, ts, state))
            state = _state(zone, ts)
            lo = ts
            continue
        lo = hi
    return result


def _previous_transition(tzid: str, before: datetime) -> Transition | None:
    """The last transition at or before ``before``, searching back to 1900."""
    zone = ZoneInfo(tzid)
    hi = int(before.timestamp())
    state = _state(zone, hi)
    step = 7 * 86400
    while hi > _EARLIEST:
        lo = max(hi - step, _EARLIEST)
        old = _state(zone, lo)
        if old != state:
            # Find the last change in (lo, hi]: bisect on "equals the state at hi".
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(zone, mid) == state:
                    hi = mid
                else:
                    lo = mid
            return _make(zone, hi, _state(zone, lo))
        hi = lo
    return None


# --- grouping transitions into yearly rules -------------------------------------------

_Pattern: TypeAlias = tuple[str, int]  # ("nth", 1..4), ("last", -1) or ("from", first day)


def _patterns(onset: datetime) -> set[_Pattern]:
    """Every BYDAY-style rule that puts a transition on this day of its month."""
    day = onset.day
    month_days = calendar.monthrange(onset.year, onset.month)[1]
    found: set[_Pattern] = set()
    if day <= 28:
        found.add(("nth", (day - 1) // 7 + 1))
    if day + 7 > month_days:
        found.add(("last", -1))
    # "Weekday on or after day N" (tzdata's "Fri>=23"); N + 6 must fit in the month
    # in every year, so February counts as 28 days.
    shortest = 28 if onset.month == 2 else month_days
    for first in range(max(1, day - 6), min(day, shortest - 6) + 1):
        found.add(("from", first))
    return found


def _choose(patterns: set[_Pattern]) -> _Pattern:
    """Prefer the plain forms (2SU, -1SU) that every reader understands."""
    for kind in ("nth", "last", "from"):
        matching = sorted(p for p in patterns if p[0] == kind)
        if matching:
            return matching[0]
    raise ValueError("no pattern")  # pragma: no cover - callers pass a non-empty set


@dataclass(frozen=True, slots=True)
class _Run:
    transitions: tuple[Transition, ...]
    pattern: _Pattern | None
    ongoing: bool


def _rule_key(t: Transition) -> tuple[object, ...]:
    onset = t.local_onset
    return (
        t.offset_from,
        t.offset_to,
        t.name,
        t.is_dst,
        onset.month,
        onset.weekday(),
        onset.time(),
    )


def _runs(transitions: list[Transition], scan_end: datetime) -> list[_Run]:
    """Group transitions that recur yearly on the same rule into runs."""
    by_key: dict[tuple[object, ...], list[Transition]] = defaultdict(list)
    for t in transitions:
        by_key[_rule_key(t)].append(t)
    runs: list[_Run] = []
    for group in by_key.values():
        current: list[Transition] = []
        patterns: set[_Pattern] = set()
        for t in group:
            year = t.local_onset.year
            candidate = patterns & _patterns(t.local_onset)
            if current and year == current[-1].local_onset.year + 1 and candidate:
                current.append(t)
                patterns = candidate
                continue
            if current:
                runs.append(_close(current, patterns, scan_end))
            current, patterns = [t], _patterns(t.local_onset)
        if current:
            runs.append(_close(current, patterns, scan_end))
    return runs


def _close(current: list[Transition], patterns: set[_Pattern], scan_end: datetime) -> _Run:
    if len(current) == 1:
        return _Run(tuple(current), None, ongoing=False)
    pattern = _choose(patterns)
    last = current[-1]
    following = _onset_in_year(last.local_onset, pattern, last.local_onset.year + 1)
    # Still going if the scan stopped before the rule's next onset was due.
    ongoing = following - last.offset_from > scan_end.replace(tzinfo=None)
    return _Run(tuple(current), pattern, ongoing)


def _onset_in_year(onset: datetime, pattern: _Pattern, year: int) -> datetime:
    """Where a yearly rule puts its onset in ``year`` (naive wall time)."""
    kind, value = pattern
    month_days = calendar.monthrange(year, onset.month)[1]
    first = {"nth": 7 * (value - 1) + 1, "last": month_days - 6, "from": value}[kind]
    day = datetime(year, onset.month, first)  # noqa: DTZ001 - a wall time
    day += timedelta(days=(onset.weekday() - day.weekday()) % 7)
    return datetime.combine(day.date(), onset.time())


def _rrule(run: _Run) -> vRecur:
    assert run.pattern is not None  # noqa: S101 - only multi-year runs get a rule
    onset = run.transitions[0].local_onset
    weekday = _WEEKDAYS[onset.weekday()]
    kind, value = run.pattern
    rule: dict[str, object] = {"FREQ": "YEARLY", "BYMONTH": onset.month}
    if kind == "nth":
        rule["BYDAY"] = f"{value}{weekday}"
    elif kind == "last":
        rule["BYDAY"] = f"-1{weekday}"
    else:
        rule["BYDAY"] = weekday
        rule["BYMONTHDAY"] = list(range(value, value + 7))
    if not run.ongoing:
        # COUNT, not UNTIL. A UTC UNTIL (what RFC 5545 requires in a VTIMEZONE) makes
        # the strict `ical` package fail outright (dateutil refuses a UTC UNTIL with
        # the observance's local DTSTART), and dateutil-based readers compare it with
        # the local onset, dropping the last onset east of Greenwich.
        rule["COUNT"] = len(run.transitions)
    return vRecur(rule)


#: Years after the scan in which an open rule is checked against the zone (a whole cycle of
#: weekdays and leap years).
_CHECK_YEARS = 28


@functools.lru_cache(maxsize=512)
def _future_transitions(tzid: str, year: int) -> tuple[Transition, ...]:
    """The zone's transitions in the ``_CHECK_YEARS`` after ``year`` (once per process)."""
    start = datetime(year + 1, 1, 1, tzinfo=UTC)
    return tuple(zone_transitions(tzid, start, start.replace(year=year + 1 + _CHECK_YEARS)))


def _onsets_after(tzid: str, run: _Run, year: int) -> list[datetime]:
    """The zone's own onsets of ``run``'s kind of change in the ``_CHECK_YEARS`` after ``year``."""
    first = run.transitions[0]
    found = _future_transitions(tzid, year)
    return [
        t.local_onset
        for t in found
        if (t.offset_from, t.offset_to, t.is_dst)
        == (first.offset_from, first.offset_to, first.is_dst)
    ]


def _final_rule(tzid: str, run: _Run, rrule: vRecur, year: int) -> vRecur:
    """The open rule, checked against the zone's final (POSIX footer) rule after the scan.

    A footer like Cairo's "last Thursday of October at 24:00" falls on the Friday after, which is
    in November when October ends on a Thursday: no BYMONTH rule says that, but "the Friday among
    the year's 68th to 62nd last days" does (the days from October on have the same number in
    every year), so the open end stays exact.
    """
    onsets = _onsets_after(tzid, run, year)
    first = run.transitions[0].local_onset
    expected = [_onset_in_year(first, run.pattern, o.year) for o in onsets] if run.pattern else []
    if expected == onsets or not onsets:
        return rrule
    back = sorted({(date(o.year, 12, 31) - o.date()).days + 1 for o in onsets})
    same = {o.weekday() for o in onsets} == {first.weekday()} and {o.time() for o in onsets} == {
        first.time()
    }
    if not same or back[-1] - back[0] > 6 or first.month < 3:
        return rrule
    window = list(range(-(back[0] + 6), -back[0] + 1))  # seven days: one of each weekday
    return vRecur({"FREQ": "YEARLY", "BYDAY": _WEEKDAYS[first.weekday()], "BYYEARDAY": window})


def _observance(first: Transition, rrule: vRecur | None) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if first.is_dst else TimezoneStandard()
    component.add("tzname", first.name)
    component.add("tzoffsetfrom", first.offset_from)
    component.add("tzoffsetto", first.offset_to)
    component.add("dtstart", first.local_onset)
    if rrule is not None:
        component.add("rrule", rrule)
    else:
        # A one-off onset. RFC 5545 counts DTSTART as the first onset, but the strict
        # `ical` package only expands RRULE/RDATE and would ignore the observance (and
        # read the zone as UTC). One RDATE equal to DTSTART changes nothing for the
        # readers that follow the RFC; it is not the long RDATE list Outlook misreads.
        component.add("rdate", first.local_onset)
    return component


def _baseline(tzid: str, at: datetime) -> Transition:
    """A stand-in onset for zones that never changed: same offset before and after."""
    zone = ZoneInfo(tzid)
    offset, name, dst = _state(zone, int(at.timestamp()))
    onset = datetime(1970, 1, 1, tzinfo=UTC) - offset
    return Transition(onset, offset, offset, name, dst > timedelta(0))


@functools.cache
def last_explicit_transition(tzid: str) -> datetime:
    """The last transition listed in the zone's TZif file (the ``tzdata`` package's, which
    ``webapp.zonedata`` pins); after it only the POSIX footer rule applies."""
    try:
        data = resources.files("tzdata.zoneinfo").joinpath(*tzid.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return datetime(1970, 1, 1, tzinfo=UTC)
    header = struct.Struct(">4s c 15x 6l")
    _magic, version, isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = header.unpack_from(
        data
    )
    if version == b"\x00":  # version 1 only: 32-bit times
        times = struct.unpack_from(f">{timecnt}l", data, header.size)
    else:  # skip the 32-bit block, read the 64-bit one
        offset = header.size + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8
        offset += isstdcnt + isutcnt
        counts = header.unpack_from(data, offset)
        times = struct.unpack_from(f">{counts[5]}q", data, offset + header.size)
    last = max(times, default=0)
    return datetime.fromtimestamp(last, tz=UTC)


def vtimezone(tzid: str, start: datetime, end: datetime | None) -> Timezone:
    """A VTIMEZONE for ``tzid`` that is exact, to the second, from ``start`` to ``end``.

    ``end=None`` means the feed has an open-ended series: the zone is expanded to
    2040 and the rules still in force then are left open (no COUNT), as the zone's
    POSIX footer rule is. The first observance starts at or before ``start``.
    """
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise ValueError("vtimezone() needs timezone-aware datetimes")
    if end is not None and end < start:
        raise ValueError("vtimezone(): end is before start")
    ZoneInfo(tzid)  # raises ZoneInfoNotFoundError for an unknown name
    # A year either side, so the rules in force at both ends are seen twice.
    scan_start = start.astimezone(UTC) - timedelta(days=370)
    if end is None:
        scan_end = max(
            datetime(OPEN_ENDED_SCAN_YEAR, 12, 31, tzinfo=UTC),
            start.astimezone(UTC) + timedelta(days=366 * 2),
            last_explicit_transition(tzid) + timedelta(days=366 * 2),
        )
    else:
        scan_end = end.astimezone(UTC) + timedelta(days=370)
    transitions = zone_transitions(tzid, scan_start, scan_end)
    if not transitions or transitions[0].utc > start:
        earlier = _previous_transition(tzid, scan_start)
        transitions.insert(0, earlier or _baseline(tzid, scan_start))

    observances = []
    for run in _runs(transitions, scan_end):
        rrule = _rrule(run) if run.pattern is not None else None
        if end is None and run.ongoing and rrule is not None:
            rrule = _final_rule(tzid, run, rrule, scan_end.year)
        observances.append((run.transitions[0].utc, _observance(run.transitions[0], rrule)))
    observances.sort(key=lambda item: item[0])

    component = Timezone()
    component.add("tzid", tzid)
    for _, observance in observances:
        component.add_component(observance)
    return component
