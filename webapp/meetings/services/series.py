"""Creating a series, editing its details, ending it, and changing its schedule for good."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from webapp import audit, clock, dates, wiring
from webapp.announcements import notices
from webapp.announcements import settings as announcement_settings
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings.schedule import (
    OccurrenceClash,
    Rule,
    ScheduleError,
    Slot,
)
from webapp.meetings.services.reading import describe_schedule, occurrences
from webapp.meetings.services.validation import (
    SLUG_RE,
    SeriesDetails,
    check_details,
    check_duration,
    check_interval,
    in_range,
)
from webapp.models import Occurrence, OccurrenceStatus, ScheduleRule, Series


def _check_new_slug(slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise ScheduleError(
            f"slug {slug!r} must be 1-60 lower-case letters, digits or dashes, "
            "starting with a letter or digit"
        )
    if db.session.scalar(sa.select(Series.id).where(Series.slug == slug)) is not None:
        raise ScheduleError(f"there is already a series {slug!r}")


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
    _check_new_slug(slug)
    details = check_details(details)
    tz = schedule.zone(timezone)
    schedule.strict_local(first_date, start_time, tz)
    check_duration(duration_minutes)
    check_interval(interval_weeks)
    if until is not None and until < first_date:
        raise ScheduleError(f"the last date {until} is before the first meeting {first_date}")
    _check_until(until)
    series = Series(
        slug=slug,
        title=details.title,
        description=details.description,
        timezone=timezone,
        join_url=details.join_url,
        place=details.place,
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
    details = check_details(details)
    before = {f: getattr(series, f) for f in SeriesDetails.__dataclass_fields__}
    for field in SeriesDetails.__dataclass_fields__:
        setattr(series, field, getattr(details, field))
    after = {f: getattr(series, f) for f in SeriesDetails.__dataclass_fields__}
    changes = audit.diff(before, after)
    if changes:
        _bump_all(series)
        audit.record(
            actor, "series.update", "series", series.slug, f"edited {series.title}", changes
        )


def _check_until(until: date | None) -> None:
    if until is not None and not in_range(until):
        raise ScheduleError(
            f"the last date {until} is outside the dates Cadence accepts "
            f"({dates.FIRST_DATE} to {dates.LAST_DATE})"
        )


def set_until(series: Series, until: date | None, actor: audit.Actor) -> None:
    rule = series.current_rule
    _check_until(until)
    if until is not None and until < rule.first_date:
        raise ScheduleError(
            f"the last date {until} is before the current schedule's first meeting "
            f"{rule.first_date}"
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
    announce: bool = True,
) -> ScheduleRule:
    """A permanent change of time or weekday from ``from_date`` on.

    The current rule ends before ``from_date`` (its occurrences, pages and anything attached stay);
    a new rule starts at ``new_first``. Occurrences of the old rule on or after ``from_date`` are
    dropped, and refused when minutes or follow-ups are attached to them. The list is told
    (``announce``) the old and new times of the meetings within its HOURS."""
    tz = schedule.zone(series.timezone)
    schedule.strict_local(new_first, new_time, tz)
    current = series.current_rule
    minutes = check_duration(duration_minutes or current.duration_minutes)
    weeks = check_interval(interval_weeks or current.interval_weeks)
    dropped, last_old = _retime_plan(series, from_date, new_first)
    _check_new_rule(series, Rule(None, new_first, new_time, minutes, weeks, current.until_date))
    now = now or clock.now()
    old = _within_hours(series, now, from_date, current) if announce else None
    until = current.until_date
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
    if old is not None:
        _tell_retime(series, rule, new_first, old, now)
    return rule


def _tell_retime(
    series: Series, rule: ScheduleRule, new_first: date, old: tuple[list[Slot], int], now: datetime
) -> None:
    """The retime notice: the meetings within HOURS, old or new, each beside its counterpart
    (however far that one is)."""
    new = _within_hours(series, now, new_first, rule)
    told = max(old[1], new[1])
    words = describe_schedule(series)
    notices.retime_notice(series, rule.id, old[0][:told], new[0][:told], words, now)


def _within_hours(
    series: Series, now: datetime, from_date: date, rule: ScheduleRule
) -> tuple[list[Slot], int]:
    """``rule``'s held meetings from ``from_date`` on (the next two years) and how many of
    them start within the series' announcement HOURS; none when it announces nothing."""
    settings = announcement_settings.active(series)
    if settings is None:
        return [], 0
    horizon = now + timedelta(hours=settings.hours_before)
    slots = [
        s
        for s in occurrences(series, now, now + timedelta(weeks=106), include_cancelled=False)
        if s.start > now
        and s.original_date >= from_date
        and s.rule is not None
        and s.rule.id == rule.id
    ]
    return slots, sum(1 for s in slots if s.start <= horizon)


def _has_attachments(occ: Occurrence) -> bool:
    """Does anything another area registered (minutes, follow-ups) hang on ``occ``?"""
    return any(check(occ) for check in wiring.of().attachment_checks)


def _check_new_rule(series: Series, probe: Rule) -> None:
    """A new rule may not land on an extra meeting, nor start after the series ends."""
    for extra in series.occurrences:
        if (
            extra.status == OccurrenceStatus.EXTRA
            and not extra.suffix  # a second meeting that day may share a rule's date
            and extra.original_date >= probe.first_date
            and probe.has_date(extra.original_date)
        ):
            raise OccurrenceClash(
                f"the extra meeting of {extra.original_date} falls on a date of the new schedule; "
                "cancel it first"
            )
    until = probe.until_date
    if until is not None and until < probe.first_date:
        raise ScheduleError(
            f"the series ends on {until}, before the new first meeting {probe.first_date}"
        )


def _retime_plan(series: Series, from_date: date, new_first: date) -> tuple[list[Occurrence], date]:
    """What a retime drops (refused when something is attached) and the old rule's last date."""
    current = series.current_rule
    if new_first < from_date:
        raise ScheduleError(f"the new first meeting {new_first} is before --from {from_date}")
    if from_date <= current.first_date:
        raise ScheduleError(
            f"--from {from_date} is not after the current schedule's first meeting "
            f"{current.first_date}; edit the series instead"
        )
    dropped = [
        o
        for o in series.occurrences
        if o.original_date >= from_date and o.status != OccurrenceStatus.EXTRA and not o.suffix
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
    last_old = max(old_rule.dates(current.first_date, from_date - timedelta(days=1)), default=None)
    if last_old is None:
        raise ScheduleError(f"the current schedule has no meeting before {from_date}")
    return dropped, last_old
