"""Series and occurrences: every change to a schedule goes through these functions.

They are shared by the organizer pages and the ``flask series`` CLI. They validate, change,
audit and flush, and never commit: the caller commits once (or rolls back on an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from webapp import audit, wiring
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings.schedule import (
    Change,
    NotAnOccurrence,
    OccurrenceClash,
    Rule,
    ScheduleError,
    Slot,
)
from webapp.models import INTERVALS, Occurrence, OccurrenceStatus, ScheduleRule, Series, utcnow

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class SeriesNotFound(ScheduleError):
    pass


# --- reading -------------------------------------------------------------------------------


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


def changes_of(series: Series) -> list[Change]:
    return [
        Change(
            o.id,
            o.original_date,
            o.status,
            o.start_at,
            o.duration_minutes,
            o.title,
            o.cancel_reason,
            o.sequence,
        )
        for o in series.occurrences
        if o.status != OccurrenceStatus.SCHEDULED or o.start_at or o.duration_minutes or o.title
    ]


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


def find_occurrence(series: Series, day: date) -> Slot:
    slot = schedule.find(rules_of(series), changes_of(series), schedule.zone(series.timezone), day)
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


def neighbours(series: Series, day: date) -> tuple[Slot | None, Slot | None]:
    """The held occurrences just before and after the one with identity ``day``."""
    slot = find_occurrence(series, day)
    before = occurrences(
        series, slot.start - timedelta(days=120), slot.start, include_cancelled=False
    )
    after = occurrences(series, slot.end, slot.end + timedelta(days=120), include_cancelled=False)
    previous = next((s for s in reversed(before) if s.original_date != day), None)
    following = next((s for s in after if s.original_date != day), None)
    return previous, following


def occurrence_row(series: Series, day: date) -> Occurrence:
    """The stored occurrence for ``day``, created when something is first attached to it."""
    find_occurrence(series, day)  # refuses dates that are not occurrences
    row = next((o for o in series.occurrences if o.original_date == day), None)
    if row is None:
        row = Occurrence(series=series, original_date=day, status=OccurrenceStatus.SCHEDULED)
        db.session.add(row)
        db.session.flush()
    return row


# --- input helpers -------------------------------------------------------------------------


def in_range(day: date) -> bool:
    """Dates Cadence works with (``schedule.FIRST_YEAR`` to ``LAST_YEAR``)."""
    return schedule.FIRST_YEAR <= day.year <= schedule.LAST_YEAR


def _check_range(day: date, what: str, text: str) -> date:
    if not in_range(day):
        raise ScheduleError(
            f"{what} {text!r} is outside the years {schedule.FIRST_YEAR} to {schedule.LAST_YEAR}"
        )
    return day


def parse_date(text: str, what: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    return _check_range(day, what, text)


def parse_local(text: str, what: str = "start") -> tuple[date, time]:
    try:
        value = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - a local wall time, zone applied by the caller
    except ValueError:
        raise ScheduleError(
            f'{what} {text!r} is not a local date and time in the form "YYYY-MM-DD HH:MM"'
        ) from None
    return _check_range(value.date(), what, text), value.time()


def check_duration(minutes: int) -> int:
    if not 1 <= minutes <= 1440:
        raise ScheduleError(f"duration {minutes} is out of range: give minutes from 1 to 1440")
    return minutes


def check_interval(weeks: int) -> int:
    if weeks not in INTERVALS:
        raise ScheduleError(f"every {weeks} weeks is not offered: choose 1, 2 or 4")
    return weeks


# --- changing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesDetails:
    title: str
    description: str = ""
    join_url: str = ""
    place: str = ""
    agenda_template: str = ""
    public: bool = True


def create_series(
    slug: str,
    details: SeriesDetails,
    timezone: str,
    first_date: date,
    start_time: time,
    duration_minutes: int,
    actor: audit.Actor,
    *,
    interval_weeks: int = 2,
    until: date | None = None,
) -> Series:
    if not SLUG_RE.match(slug):
        raise ScheduleError(
            f"slug {slug!r} must be 1-60 lower-case letters, digits or dashes, starting with a letter or digit"
        )
    if db.session.scalar(sa.select(Series.id).where(Series.slug == slug)) is not None:
        raise ScheduleError(f"there is already a series {slug!r}")
    if not details.title.strip():
        raise ScheduleError("a series needs a title")
    tz = schedule.zone(timezone)
    schedule.strict_local(first_date, start_time, tz)
    check_duration(duration_minutes)
    check_interval(interval_weeks)
    if until is not None and until < first_date:
        raise ScheduleError(f"the last date {until} is before the first meeting {first_date}")
    series = Series(
        slug=slug,
        title=details.title.strip(),
        description=details.description,
        timezone=timezone,
        join_url=details.join_url.strip(),
        place=details.place.strip(),
        agenda_template=details.agenda_template,
        public=details.public,
    )
    series.rules.append(
        ScheduleRule(
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            interval_weeks=interval_weeks,
            until_date=until,
        )
    )
    db.session.add(series)
    db.session.flush()
    audit.record(
        actor,
        "series.create",
        "series",
        series.slug,
        f"created series {series.title}",
        {
            "timezone": timezone,
            "first": f"{first_date} {start_time:%H:%M}",
            "every_weeks": interval_weeks,
        },
    )
    return series


def update_details(series: Series, details: SeriesDetails, actor: audit.Actor) -> None:
    """Title, description, links and agenda: every event of the series changes, so every rule's
    SEQUENCE goes up."""
    if not details.title.strip():
        raise ScheduleError("a series needs a title")
    before = {f: getattr(series, f) for f in SeriesDetails.__dataclass_fields__}
    for field in SeriesDetails.__dataclass_fields__:
        value = getattr(details, field)
        setattr(series, field, value.strip() if field in {"title", "join_url", "place"} else value)
    after = {f: getattr(series, f) for f in SeriesDetails.__dataclass_fields__}
    changes = audit.diff(before, after)
    if changes:
        _bump_all(series)
        audit.record(
            actor, "series.update", "series", series.slug, f"edited {series.title}", changes
        )


def set_until(series: Series, until: date | None, actor: audit.Actor) -> None:
    rule = series.current_rule
    if until is not None and until < rule.first_date:
        raise ScheduleError(
            f"the last date {until} is before the current schedule's first meeting {rule.first_date}"
        )
    before = rule.until_date
    rule.until_date = until
    rule.sequence += 1
    audit.record(
        actor,
        "series.until",
        "series",
        series.slug,
        f"last date of {series.title}",
        {"until": [str(before), str(until)]},
    )


def _bump_all(series: Series) -> None:
    for rule in series.rules:
        rule.sequence += 1
    for occ in series.occurrences:
        if occ.status != OccurrenceStatus.SCHEDULED:
            occ.sequence += 1


def _rule_row(series: Series, rule: Rule | None) -> ScheduleRule | None:
    return next((r for r in series.rules if rule is not None and r.id == rule.id), None)


def cancel(series: Series, day: date, actor: audit.Actor, *, reason: str = "") -> Occurrence:
    """Cancel one occurrence; it stays visible, marked cancelled, with ``reason``."""
    slot = find_occurrence(series, day)
    if slot.cancelled:
        raise ScheduleError(f"the meeting of {day} is already cancelled")
    if len(reason) > 500:
        raise ScheduleError("the reason may have at most 500 characters")
    row = occurrence_row(series, day)
    was = row.status
    if was == OccurrenceStatus.EXTRA:
        # An extra meeting has no rule to make an exception to: it is marked cancelled itself.
        row.status = OccurrenceStatus.CANCELLED
        row.sequence += 1
    else:
        row.status = OccurrenceStatus.CANCELLED
        row.start_at = None
        row.duration_minutes = None
        row.sequence += 1
        rule_row = _rule_row(series, slot.rule)
        if rule_row is not None:
            rule_row.sequence += 1  # the master event gains an EXDATE
    row.cancel_reason = reason.strip()
    row.updated_at = utcnow()
    audit.record(
        actor,
        "occurrence.cancel",
        "occurrence",
        f"{series.slug}/{day}",
        f"cancelled {series.title} of {day}",
        {"status": [was, "cancelled"], "reason": reason},
    )
    return row


def restore(series: Series, day: date, actor: audit.Actor) -> Occurrence:
    """Undo a cancellation: the occurrence is held again at its rule's time."""
    slot = find_occurrence(series, day)
    if not slot.cancelled:
        raise ScheduleError(f"the meeting of {day} is not cancelled")
    row = occurrence_row(series, day)
    if slot.rule is None:
        row.status = OccurrenceStatus.EXTRA
    else:
        row.status = OccurrenceStatus.SCHEDULED
    row.cancel_reason = ""
    row.sequence += 1
    rule_row = _rule_row(series, slot.rule)
    if rule_row is not None:
        rule_row.sequence += 1
    audit.record(
        actor,
        "occurrence.restore",
        "occurrence",
        f"{series.slug}/{day}",
        f"restored {series.title} of {day}",
    )
    return row


def _check_no_clash(series: Series, start: datetime, end: datetime, own_date: date | None) -> None:
    """Refuse to put a meeting on the local day, or over the time, of another held occurrence."""
    tz = schedule.zone(series.timezone)
    local_day = start.astimezone(tz).date()
    around = occurrences(
        series, start - timedelta(days=2), end + timedelta(days=2), include_cancelled=False
    )
    for other in around:
        if other.original_date == own_date:
            continue
        if other.start.astimezone(tz).date() == local_day or (
            other.start < end and start < other.end
        ):
            raise OccurrenceClash(
                f"{local_day} already has the meeting of {other.original_date} "
                f"({other.start.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}); move or cancel that one first"
            )


def move(
    series: Series,
    day: date,
    new_date: date,
    new_time: time,
    actor: audit.Actor,
    *,
    duration_minutes: int | None = None,
) -> Occurrence:
    """Move one occurrence to another start and/or length; it keeps its identity (``day``)."""
    slot = find_occurrence(series, day)
    if slot.cancelled:
        raise ScheduleError(f"the meeting of {day} is cancelled; restore it before moving it")
    tz = schedule.zone(series.timezone)
    start = schedule.strict_local(new_date, new_time, tz)
    minutes = (
        check_duration(duration_minutes)
        if duration_minutes
        else int(slot.duration.total_seconds() // 60)
    )
    _check_no_clash(series, start, start + timedelta(minutes=minutes), day)
    row = occurrence_row(series, day)
    before = {"start": slot.start.isoformat(), "minutes": int(slot.duration.total_seconds() // 60)}
    if row.status == OccurrenceStatus.EXTRA:
        row.start_at = start
        row.duration_minutes = minutes
    elif slot.rule_start == start and (
        slot.rule is not None and minutes == slot.rule.duration_minutes
    ):
        row.status = OccurrenceStatus.SCHEDULED  # moved back where the rule puts it
        row.start_at = None
        row.duration_minutes = None
    else:
        row.status = OccurrenceStatus.MOVED
        row.start_at = start
        row.duration_minutes = (
            minutes if slot.rule is None or minutes != slot.rule.duration_minutes else None
        )
    row.sequence += 1
    row.updated_at = utcnow()
    audit.record(
        actor,
        "occurrence.move",
        "occurrence",
        f"{series.slug}/{day}",
        f"moved {series.title} of {day} to {new_date} {new_time:%H:%M}",
        {"start": [before["start"], start.isoformat()], "minutes": [before["minutes"], minutes]},
    )
    return row


def add_extra(
    series: Series,
    day: date,
    at: time,
    actor: audit.Actor,
    *,
    duration_minutes: int | None = None,
    title: str = "",
) -> Occurrence:
    """An extra meeting outside the rule; its local date is its identity."""
    tz = schedule.zone(series.timezone)
    start = schedule.strict_local(day, at, tz)
    minutes = check_duration(duration_minutes or series.current_rule.duration_minutes)
    if len(title) > 200:
        raise ScheduleError("the title may have at most 200 characters")
    existing = schedule.find(rules_of(series), changes_of(series), tz, day)
    if existing is not None:
        raise OccurrenceClash(
            f"{day} is already a meeting date of {series.slug}"
            f"{' (cancelled)' if existing.cancelled else ''}; move or restore that meeting instead"
        )
    _check_no_clash(series, start, start + timedelta(minutes=minutes), None)
    row = next((o for o in series.occurrences if o.original_date == day), None)
    if row is not None:  # an anchor left by something attached earlier; reuse it
        db.session.delete(row)
        db.session.flush()
    row = Occurrence(
        series=series,
        original_date=day,
        status=OccurrenceStatus.EXTRA,
        start_at=start,
        duration_minutes=minutes,
        title=title.strip(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "occurrence.add",
        "occurrence",
        f"{series.slug}/{day}",
        f"extra meeting of {series.title} on {day} {at:%H:%M}",
        {"minutes": minutes, "title": title},
    )
    return row


def retime(
    series: Series,
    from_date: date,
    new_first: date,
    new_time: time,
    actor: audit.Actor,
    *,
    duration_minutes: int | None = None,
    interval_weeks: int | None = None,
    now: datetime | None = None,
) -> ScheduleRule:
    """A permanent change of time or weekday from ``from_date`` on.

    The current rule ends before ``from_date`` (its occurrences, pages and anything attached stay);
    a new rule starts at ``new_first``. Occurrences of the old rule on or after ``from_date`` are
    dropped, and refused when minutes or follow-ups are attached to them.
    """
    tz = schedule.zone(series.timezone)
    schedule.strict_local(new_first, new_time, tz)
    current = series.current_rule
    if new_first < from_date:
        raise ScheduleError(f"the new first meeting {new_first} is before --from {from_date}")
    if from_date <= current.first_date:
        raise ScheduleError(
            f"--from {from_date} is not after the current schedule's first meeting {current.first_date}; "
            "edit the series instead"
        )
    minutes = check_duration(duration_minutes or current.duration_minutes)
    weeks = check_interval(interval_weeks or current.interval_weeks)
    dropped = [
        o
        for o in series.occurrences
        if o.original_date >= from_date and o.status != OccurrenceStatus.EXTRA
    ]
    for occ in dropped:
        if _has_attachments(occ):
            raise ScheduleError(
                f"the meeting of {occ.original_date} has minutes or follow-ups attached; "
                "retime from a later date"
            )
    old_rule = Rule(
        current.id,
        current.first_date,
        current.start_time,
        current.duration_minutes,
        current.interval_weeks,
        current.until_date,
    )
    last_old = max(
        (d for d in old_rule.dates(current.first_date, from_date - timedelta(days=1))), default=None
    )
    if last_old is None:
        raise ScheduleError(f"the current schedule has no meeting before {from_date}")
    for extra in series.occurrences:
        if extra.status == OccurrenceStatus.EXTRA and extra.original_date >= new_first:
            new_rule_probe = Rule(None, new_first, new_time, minutes, weeks, current.until_date)
            if new_rule_probe.has_date(extra.original_date):
                raise OccurrenceClash(
                    f"the extra meeting of {extra.original_date} falls on a date of the new schedule; cancel it first"
                )
    until = current.until_date
    if until is not None and until < new_first:
        raise ScheduleError(f"the series ends on {until}, before the new first meeting {new_first}")
    for occ in dropped:
        series.occurrences.remove(occ)
        db.session.delete(occ)
    current.until_date = last_old
    current.sequence += 1
    rule = ScheduleRule(
        first_date=new_first,
        start_time=new_time,
        duration_minutes=minutes,
        interval_weeks=weeks,
        until_date=until,
    )
    series.rules.append(rule)
    db.session.flush()
    audit.record(
        actor,
        "series.retime",
        "series",
        series.slug,
        f"{series.title} from {new_first}: {new_time:%H:%M} every {weeks} weeks",
        {
            "old_last": str(last_old),
            "new_first": f"{new_first} {new_time:%H:%M}",
            "minutes": minutes,
            "every_weeks": weeks,
            "dropped_changes": [str(o.original_date) for o in dropped],
        },
    )
    return rule


def _has_attachments(occ: Occurrence) -> bool:
    """Does anything another area registered (minutes, follow-ups) hang on ``occ``?"""
    return any(check(occ) for check in wiring.of().attachment_checks)


def feed_window(now: datetime, past_months: int) -> tuple[datetime, datetime | None]:
    """What a feed covers: ``past_months`` back, and everything ahead.

    The start is a UTC midnight, so it moves once a day: a feed rendered in the morning and one
    rendered in the evening of the same day are the same bytes (stable ETags, 304s).
    """
    start = now.astimezone(UTC) - timedelta(days=round(past_months * 30.44))
    return start.replace(hour=0, minute=0, second=0, microsecond=0), None
