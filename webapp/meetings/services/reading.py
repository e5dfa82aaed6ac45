"""Reading series and their occurrences (nothing here changes anything)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.base import NO_VALUE

from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings.schedule import (
    Change,
    NotAnOccurrence,
    Rule,
    ScheduleError,
    Slot,
)
from webapp.meetings.services.validation import in_range
from webapp.models import Occurrence, OccurrenceStatus, ScheduleRule, Series


class SeriesNotFound(ScheduleError):
    pass


def get_series(slug: str) -> Series:
    series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
    if series is None:
        raise SeriesNotFound(f"there is no series {slug!r}")
    return series


def list_series(public_only: bool = False) -> list[Series]:
    query = sa.select(Series).order_by(Series.title)
    if public_only:
        query = query.where(Series.public.is_(True))
    return list(db.session.scalars(query))


def rules_of(series: Series) -> list[Rule]:
    return [
        Rule(
            r.id,
            r.first_date,
            r.start_time,
            r.duration_minutes,
            r.interval_weeks,
            r.until_date,
            r.sequence,
        )
        for r in series.rules
    ]


def _change(o: Occurrence) -> Change | None:
    """The stored occurrence as a schedule change; None when it changes nothing (a plain
    scheduled meeting stored only because something is attached to it)."""
    if o.status == OccurrenceStatus.SCHEDULED and not (o.start_at or o.duration_minutes or o.title):
        return None
    return Change(
        o.id,
        o.original_date,
        o.status,
        o.start_at,
        o.duration_minutes,
        o.title,
        o.cancel_reason,
        o.sequence,
        o.suffix,
    )


def changes_of(series: Series) -> list[Change]:
    return [c for c in map(_change, series.occurrences) if c is not None]


class _DayIndex:
    """A series' loaded occurrences by identity date. Occurrences appended to the collection
    wait in ``added`` and are placed by their date when next looked up (a new row gets its date
    after it joins its series); anything else (one leaves, the collection is read again, an
    identity date changes) makes it again."""

    def __init__(self, loaded: list[Occurrence]) -> None:
        self.loaded = loaded
        self.generation = _dates_set[0]
        self.by_day: dict[date, list[Occurrence]] = {}
        self.added: list[Occurrence] = []
        self.size = 0
        self._place(loaded)

    def _place(self, rows: list[Occurrence]) -> None:
        for o in rows:
            self.by_day.setdefault(o.original_date, []).append(o)
        self.size += len(rows)

    def current(self, loaded: list[Occurrence]) -> bool:
        """Still true of ``loaded`` (with the occurrences appended since at its end)?"""
        if loaded is not self.loaded or self.generation != _dates_set[0]:
            return False
        added = self.added
        if added:
            if len(loaded) != self.size + len(added) or any(
                a is not b for a, b in zip(loaded[self.size :], added, strict=True)
            ):
                return False
            self._place(added)
            self.added = []
        return len(loaded) == self.size


#: Where a series keeps its ``_DayIndex`` (an attribute the mapper does not know).
_BY_DAY = "_occurrences_by_day"
#: Moves on whenever a stored occurrence's identity date changes: every index is made again.
_dates_set = [0]


def _on_day(series: Series, day: date) -> list[Occurrence]:
    """The series' stored occurrences whose identity date is ``day`` (same-day meetings too), in
    the order of ``series.occurrences``: looking up one date reads neither every meeting of the
    series nor the database (an archive import looks up each of its files' dates)."""
    loaded = series.occurrences
    index: _DayIndex | None = getattr(series, _BY_DAY, None)
    if index is None or not index.current(loaded):
        index = _DayIndex(loaded)
        setattr(series, _BY_DAY, index)
    return index.by_day.get(day, [])


@sa.event.listens_for(Series.occurrences, "append")
def _occurrence_added(series: Series, occurrence: Occurrence, _initiator: object) -> None:
    index: _DayIndex | None = getattr(series, _BY_DAY, None)
    if index is not None:
        index.added.append(occurrence)


@sa.event.listens_for(Series.occurrences, "remove")
def _occurrence_removed(series: Series, _occurrence: Occurrence, _initiator: object) -> None:
    setattr(series, _BY_DAY, None)


@sa.event.listens_for(Occurrence.original_date, "set")
def _date_set(_occurrence: Occurrence, value: object, old: object, _initiator: object) -> None:
    """A new row's first date is placed with it; a stored occurrence's new date is not."""
    if old is not NO_VALUE and value != old:
        _dates_set[0] += 1


def occurrences(
    series: Series, start: datetime, end: datetime, *, include_cancelled: bool = True
) -> list[Slot]:
    """Every occurrence of ``series`` overlapping [start, end), in time order."""
    return schedule.expand(
        rules_of(series),
        changes_of(series),
        schedule.zone(series.timezone),
        start,
        end,
        include_cancelled=include_cancelled,
    )


_IN_SCOPE: ContextVar[tuple[int, date, str] | None] = ContextVar("same_day_meeting", default=None)


@contextmanager
def same_day_meeting(series: Series, day: date, suffix: str) -> Iterator[None]:
    """While one imported file is written, its date means its own meeting: the follow-ups,
    reviews and minutes it writes for ``day`` go to the meeting ``day``-``suffix``. Other dates
    (a follow-up closed at an earlier meeting) keep meaning their date's meeting."""
    token = _IN_SCOPE.set((series.id, day, suffix))
    try:
        yield
    finally:
        _IN_SCOPE.reset(token)


def suffix_for(series: Series, day: date, suffix: str | None = None) -> str:
    """``suffix`` when given; else the same-day meeting in scope for ``day``, else ''."""
    if suffix is not None:
        return suffix
    scope = _IN_SCOPE.get()
    if scope is not None and scope[:2] == (series.id, day):
        return scope[2]
    return ""


def find_occurrence(series: Series, day: date, suffix: str | None = None) -> Slot:
    """The meeting ``day`` (with ``suffix``, a second meeting that day), or ``NotAnOccurrence``."""
    if not in_range(day):
        raise NotAnOccurrence(f"{day.isoformat()} is outside the dates Cadence accepts")
    suffix = suffix_for(series, day, suffix)
    tz = schedule.zone(series.timezone)
    # Only that date's changes: ``schedule.find`` looks at no other.
    changes = [c for c in map(_change, _on_day(series, day)) if c is not None]
    slot = schedule.find(rules_of(series), changes, tz, day, suffix)
    if slot is None and suffix:
        raise NotAnOccurrence(f"{day.isoformat()} has no meeting {suffix!r} in {series.slug}")
    if slot is None:
        raise NotAnOccurrence(
            f"{day.isoformat()} is not a meeting date of {series.slug}{_nearby_hint(series, day)}"
        )
    return slot


def _nearby_hint(series: Series, day: date) -> str:
    if not in_range(day):
        return ""
    tz = schedule.zone(series.timezone)
    around = datetime.combine(day, time(12), tzinfo=tz)
    try:
        slots = occurrences(series, around - timedelta(days=21), around + timedelta(days=21))
    except OverflowError:  # a day at the edge of the calendar (0001-01-01): no hint
        return ""
    dates = [s.original_date.isoformat() for s in slots]
    return f" (nearby meeting dates: {', '.join(dates)})" if dates else ""


_EVERY = {1: "Every", 2: "Every other", 4: "Every fourth"}


def describe_rule(rule: Rule | ScheduleRule, timezone: str) -> str:
    """The rule in words: "Every other Thursday at 16:00 America/New_York"."""
    words = f"{_EVERY.get(rule.interval_weeks, f'Every {rule.interval_weeks} weeks on a')} "
    words += f"{rule.first_date:%A} at {rule.start_time:%H:%M} {timezone}"
    return words


def describe_schedule(series: Series) -> str:
    """The current rule in words, with its first or last date when that matters."""
    rule = series.current_rule
    text = describe_rule(rule, series.timezone)
    if rule.until_date:
        text += f", until {rule.until_date.isoformat()}"
    return text


def next_occurrence(series: Series, now: datetime, *, horizon_days: int = 400) -> Slot | None:
    """The first occurrence still to end after ``now`` that is not cancelled."""
    upcoming = occurrences(series, now, now + timedelta(days=horizon_days), include_cancelled=False)
    return upcoming[0] if upcoming else None


def neighbours(
    series: Series, day: date, suffix: str | None = None
) -> tuple[Slot | None, Slot | None]:
    """The held occurrences just before and after the one with identity ``day`` (``suffix``)."""
    slot = find_occurrence(series, day, suffix)
    before = occurrences(
        series, slot.start - timedelta(days=120), slot.start, include_cancelled=False
    )
    after = occurrences(series, slot.end, slot.end + timedelta(days=120), include_cancelled=False)
    previous = next((s for s in reversed(before) if s.key != slot.key), None)
    following = next((s for s in after if s.key != slot.key), None)
    return previous, following


def stored_row(series: Series, day: date, suffix: str | None = None) -> Occurrence | None:
    """The stored occurrence of the meeting, if one exists (reading never creates one)."""
    suffix = suffix_for(series, day, suffix)
    return next((o for o in _on_day(series, day) if o.suffix == suffix), None)


def occurrence_row(series: Series, day: date, suffix: str | None = None) -> Occurrence:
    """The stored occurrence for ``day``, created when something is first attached to it."""
    find_occurrence(series, day, suffix)  # refuses dates that are not occurrences
    row = stored_row(series, day, suffix)
    if row is None:
        row = Occurrence(series=series, original_date=day, status=OccurrenceStatus.SCHEDULED)
        db.session.add(row)
        db.session.flush()
    return row
