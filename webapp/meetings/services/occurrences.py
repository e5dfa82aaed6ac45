"""Changing one occurrence: cancel, restore, move, and extra meetings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from webapp import audit
from webapp.announcements.notices import change_notice
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings.schedule import (
    OccurrenceClash,
    Rule,
    ScheduleError,
)
from webapp.meetings.services.reading import (
    changes_of,
    find_occurrence,
    occurrence_row,
    occurrences,
    rules_of,
)
from webapp.meetings.services.validation import check_duration, check_text
from webapp.models import (
    AnnouncementKind,
    Occurrence,
    OccurrenceStatus,
    ScheduleRule,
    Series,
    utcnow,
)


def _rule_row(series: Series, rule: Rule | None) -> ScheduleRule | None:
    return next((r for r in series.rules if rule is not None and r.id == rule.id), None)


def _notify(
    series: Series, day: date, kind: AnnouncementKind, row: Occurrence, before: object = None
) -> None:
    """The change notice to the series' list (``webapp.announcements.notices``)."""
    db.session.flush()
    after = find_occurrence(series, day)
    change_notice(series, after, kind, row.sequence, before=before)  # type: ignore[arg-type]


def cancel(
    series: Series, day: date, actor: audit.Actor, *, reason: str = "", announce: bool = True
) -> Occurrence:
    """Cancel one occurrence; it stays visible, marked cancelled, with ``reason``."""
    slot = find_occurrence(series, day)
    if slot.cancelled:
        raise ScheduleError(f"the meeting of {day} is already cancelled")
    reason = check_text(reason, "the reason", limit=500)
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
    if announce:
        _notify(series, day, AnnouncementKind.CANCELLED, row)
    return row


def restore(series: Series, day: date, actor: audit.Actor, *, announce: bool = True) -> Occurrence:
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
    if announce:
        _notify(series, day, AnnouncementKind.RESTORED, row)
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
                f"({other.start.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}); "
                "move or cancel that one first"
            )


def move(
    series: Series,
    day: date,
    new_date: date,
    new_time: time,
    actor: audit.Actor,
    *,
    duration_minutes: int | None = None,
    announce: bool = True,
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
        rule_row = _rule_row(series, slot.rule)
        if rule_row is not None:  # the master's occurrence is back: subscribers must notice
            rule_row.sequence += 1
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
    if announce:
        _notify(series, day, AnnouncementKind.MOVED, row, before=slot)
    return row


def add_extra(
    series: Series,
    day: date,
    at: time,
    actor: audit.Actor,
    *,
    duration_minutes: int | None = None,
    title: str = "",
    announce: bool = True,
    suffix: str = "",
) -> Occurrence:
    """An extra meeting outside the rule; its local date (and ``suffix``) is its identity.

    With a ``suffix`` it is a second meeting on that day (``2019-02-07-guests``): it may share
    the day, and the time, of the date's meeting (archives do not say when each one was)."""
    tz = schedule.zone(series.timezone)
    start = schedule.strict_local(day, at, tz)
    minutes = check_duration(duration_minutes or series.current_rule.duration_minutes)
    title = check_text(title, "the title", limit=200)
    existing = schedule.find(rules_of(series), changes_of(series), tz, day, suffix)
    if existing is not None and suffix:
        raise OccurrenceClash(f"{day} already has a meeting {suffix!r} in {series.slug}")
    if existing is not None:
        raise OccurrenceClash(
            f"{day} is already a meeting date of {series.slug}"
            f"{' (cancelled)' if existing.cancelled else ''}; move or restore that meeting instead"
        )
    if not suffix:
        _check_no_clash(series, start, start + timedelta(minutes=minutes), None)
    row = next(
        (o for o in series.occurrences if (o.original_date, o.suffix) == (day, suffix)), None
    )
    if row is not None:  # an anchor left by something attached earlier; reuse it
        db.session.delete(row)
        db.session.flush()
    row = Occurrence(
        series=series,
        original_date=day,
        suffix=suffix,
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
        f"{series.slug}/{row.key}",
        f"extra meeting of {series.title} on {row.key} {at:%H:%M}",
        {"minutes": minutes, "title": title},
    )
    if announce:
        _notify(series, day, AnnouncementKind.ADDED, row)
    return row
