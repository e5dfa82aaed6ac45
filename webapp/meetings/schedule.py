"""Occurrences from rules: pure functions over plain values, no database.

Local wall times become UTC instants the way RFC 5545 reads them: a time that does not exist
(a DST gap) takes the offset before the gap, an ambiguous one (the hour repeated in autumn) its
first occurrence. That is zoneinfo's ``fold=0``, so the app, its feeds and calendar clients agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from webapp import dates
from webapp.models.meetings import OccurrenceStatus


class ScheduleError(ValueError):
    """A schedule request that cannot be carried out; the message names what was wrong."""


class UnknownTimeZone(ScheduleError):
    pass


class NotAnOccurrence(ScheduleError):
    pass


class NonexistentLocalTime(ScheduleError):
    pass


class AmbiguousLocalTime(ScheduleError):
    pass


class OccurrenceClash(ScheduleError):
    pass


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; refuses anything else (abbreviations, offsets, paths)."""
    if not name or name != name.strip() or name not in _zone_names():
        raise UnknownTimeZone(
            f"{name!r} is not an IANA time zone name "
            "(for example America/New_York, Europe/Bucharest)"
        )
    if _legacy(name):
        # tzdata keeps "EST", "CET", "EST5EDT", "Etc/GMT+5" for old systems; none follows a
        # community's local clock (EST never has summer time; Etc/GMT+5 is UTC-5).
        raise UnknownTimeZone(
            f"{name!r} is not an IANA time zone name of a place: use an Area/City name "
            "(for example America/New_York, Europe/Bucharest), or UTC"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"{name!r} is not an IANA time zone name") from None


_ZONES: frozenset[str] | None = None


def _legacy(name: str) -> bool:
    if name == "UTC":
        return False
    return "/" not in name or (name.startswith("Etc/") and name != "Etc/UTC")


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local date and time, read as RFC 5545 does (fold=0)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The local date and time as written in a feed (RRULE instance, RECURRENCE-ID, EXDATE):
    the nominal wall time, which may not exist (a gap) or happen twice (a fold)."""
    return datetime.combine(day, at, tzinfo=tz)


def _off_clock(local: datetime) -> bool:
    """Whether a wall time is skipped or repeated by its zone's clock."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    return first.utcoffset() != second.utcoffset()


def skipped(day: date, at: time, tz: ZoneInfo) -> bool:
    """Whether the clock skips this wall time (a daylight-saving gap)."""
    local = wall(day, at, tz)
    return local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None)


def irregular(day: date, at: time, minutes: int, tz: ZoneInfo) -> bool:
    """Whether a meeting at this wall time touches a clock change: its start or its (wall) end
    is skipped or repeated, or the clocks change while it runs. Calendar readers resolve such
    occurrences of a recurring event differently, so the feeds spell each one out."""
    start = wall(day, at, tz)
    end = start + timedelta(minutes=minutes)  # wall-clock arithmetic: what readers add
    return (
        _off_clock(start)
        or _off_clock(end)
        or to_utc(day, at, tz) + timedelta(minutes=minutes) != end.astimezone(UTC)
    )


def latest_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The later of the instants a reader may give this wall time (for an UNTIL that keeps it)."""
    local = wall(day, at, tz)
    return max(local.replace(fold=0).astimezone(UTC), local.replace(fold=1).astimezone(UTC))


def strict_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Like ``to_utc`` but refuses a local time in a DST gap or in the repeated hour: for input
    typed by a person, who must say which instant they mean."""
    when = f"{day.isoformat()} {at.strftime('%H:%M')}"
    if not dates.FIRST_DATE <= day <= dates.LAST_DATE:
        # Far dates overflow the date arithmetic of time zones and schedules (year 1, year 9999).
        raise ScheduleError(
            f"{when} is outside the dates Cadence accepts ({dates.FIRST_DATE} to {dates.LAST_DATE})"
        )
    first = datetime.combine(day, at, tzinfo=tz)
    second = first.replace(fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise NonexistentLocalTime(
            f"{when} does not exist in {tz.key}: "
            "the clocks skip that hour (daylight saving time begins)"
        )
    if first.utcoffset() != second.utcoffset():
        raise AmbiguousLocalTime(
            f"{when} happens twice in {tz.key}: the clocks go back that night; choose another time"
        )
    return first.astimezone(UTC)


@dataclass(frozen=True)
class Rule:
    """A schedule rule as plain values (see ``webapp.models.ScheduleRule``)."""

    id: int | None
    first_date: date
    start_time: time
    duration_minutes: int
    interval_weeks: int
    until_date: date | None
    sequence: int = 0

    def dates(self, start: date, end: date) -> Iterator[date]:
        """The rule's local dates in [start, end]."""
        step = timedelta(weeks=self.interval_weeks)
        last = min(end, self.until_date) if self.until_date else end
        if last < self.first_date:
            return
        first = self.first_date
        if start > first:
            skipped = (start - first).days // step.days
            first = first + skipped * step
            if first < start:
                first += step
        day = first
        while day <= last:
            yield day
            day += step

    def has_date(self, day: date) -> bool:
        if day < self.first_date or (self.until_date and day > self.until_date):
            return False
        return (day - self.first_date).days % (7 * self.interval_weeks) == 0


@dataclass(frozen=True)
class Change:
    """A stored occurrence (see ``webapp.models.Occurrence``) as plain values."""

    id: int | None
    original_date: date
    status: str
    start_at: datetime | None
    duration_minutes: int | None
    title: str = ""
    cancel_reason: str = ""
    sequence: int = 0
    #: '' for the date's meeting; a second meeting that day has its own (an extra meeting).
    suffix: str = ""


@dataclass(frozen=True)
class Slot:
    """One occurrence as people see it: where it is in time, and what became of it."""

    original_date: date
    start: datetime  # UTC
    end: datetime  # UTC
    status: str
    rule: Rule | None  # None for extra meetings
    change: Change | None
    #: Where the rule put it (for moved and cancelled occurrences), UTC.
    rule_start: datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED

    @property
    def suffix(self) -> str:
        """'' for the date's meeting, ``guests`` for a second meeting that day."""
        return self.change.suffix if self.change else ""

    @property
    def key(self) -> str:
        """How addresses, UIDs and exports name it: ``2019-02-07`` or ``2019-02-07-guests``."""
        return dates.meeting_key(self.original_date, self.suffix)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def title(self) -> str:
        return self.change.title if self.change else ""

    @property
    def cancel_reason(self) -> str:
        return self.change.cancel_reason if self.change else ""


def rule_for(rules: Iterable[Rule], day: date) -> Rule | None:
    for rule in rules:
        if rule.has_date(day):
            return rule
    return None


def slot_of(rule: Rule | None, change: Change | None, day: date, tz: ZoneInfo) -> Slot:
    rule_start = to_utc(day, rule.start_time, tz) if rule else None
    if change is not None and change.start_at is not None:
        start = change.start_at
    elif rule_start is not None:
        start = rule_start
    else:  # pragma: no cover - an extra always has a start (database constraint)
        raise ValueError(f"occurrence {day} has neither a rule nor a start")
    minutes = (change.duration_minutes if change and change.duration_minutes else None) or (
        rule.duration_minutes if rule else 60
    )
    status = change.status if change else OccurrenceStatus.SCHEDULED
    return Slot(
        original_date=day,
        start=start,
        end=start + timedelta(minutes=minutes),
        status=status,
        rule=rule,
        change=change,
        rule_start=rule_start,
    )


def expand(
    rules: list[Rule],
    changes: list[Change],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    include_cancelled: bool = True,
) -> list[Slot]:
    """Every occurrence that overlaps [start, end), in time order."""
    by_date = {c.original_date: c for c in changes if not c.suffix}
    # Local dates can be a day either side of the UTC window's dates.
    first_day = (start - timedelta(days=2)).date()
    last_day = (end + timedelta(days=2)).date()
    slots: list[Slot] = []
    for rule in rules:
        for day in rule.dates(first_day, last_day):
            if day in by_date:
                continue  # placed below, where it really is
            slots.append(slot_of(rule, None, day, tz))
    for change in changes:
        own = None if change.suffix else rule_for(rules, change.original_date)
        slots.append(slot_of(own, change, change.original_date, tz))
    return sorted(
        (
            s
            for s in slots
            if s.end > start and s.start < end and (include_cancelled or not s.cancelled)
        ),
        key=lambda s: (s.start, s.original_date, s.suffix),
    )


def find(
    rules: list[Rule], changes: list[Change], tz: ZoneInfo, day: date, suffix: str = ""
) -> Slot | None:
    """The occurrence whose identity is ``day`` (and ``suffix``), or None."""
    change = next((c for c in changes if (c.original_date, c.suffix) == (day, suffix)), None)
    if suffix:  # a same-day meeting is an extra: it exists only as stored
        return slot_of(None, change, day, tz) if change else None
    rule = rule_for(rules, day)
    if change is None and rule is None:
        return None
    return slot_of(rule, change, day, tz)


def count_between(rules: list[Rule], changes: list[Change], after: date, upto: date) -> int:
    """How many held (not cancelled) occurrences have identity dates in (after, upto]."""
    cancelled = {
        c.original_date for c in changes if c.status == OccurrenceStatus.CANCELLED and not c.suffix
    }
    extras = {c.original_date for c in changes if c.status == OccurrenceStatus.EXTRA}
    days: set[date] = set()
    for rule in rules:
        days.update(rule.dates(after + timedelta(days=1), upto))
    days |= {d for d in extras if after < d <= upto}
    return len(days - cancelled)
