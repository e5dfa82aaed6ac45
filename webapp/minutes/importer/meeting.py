"""The meeting an imported file is about: found in the schedule, or added in archive mode.

Archives outlive schedules: a call that moved weekday has many dates its series' current rule
does not give. ``--add-missing`` adds each such date as an extra meeting (at the rule's time, or
the time the export recorded); a file saying the meeting was cancelled marks it cancelled.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from webapp import audit
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.minutes.importer.model import ImportProblem, Parsed
from webapp.models import Series

ADD_MISSING_HINT = (
    "; to import it as an extra meeting (archives whose schedule changed), add --add-missing"
)


def _add_extra(series: Series, parsed: Parsed, actor: audit.Actor) -> Slot:
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    extra = parsed.extra
    at = extra.start if extra and extra.start else series.current_rule.start_time
    try:
        meetings.add_extra(
            series,
            parsed.day,
            at,
            actor,
            duration_minutes=extra.duration if extra else None,
            title=extra.title if extra else "",
            announce=False,  # imports never announce
        )
        return meetings.find_occurrence(series, parsed.day)
    except ScheduleError as exc:
        raise ImportProblem(parsed.day_line, f"cannot add the meeting: {exc}") from None


def ensure_meeting(
    series: Series, parsed: Parsed, actor: audit.Actor, *, add_missing: bool
) -> tuple[Slot, list[str]]:
    """The meeting's slot, and what was changed to have it (added, cancelled)."""
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    changes: list[str] = []
    try:
        slot = meetings.find_occurrence(series, parsed.day)
    except ScheduleError as exc:
        if not add_missing:
            raise ImportProblem(parsed.day_line, f"{exc}{ADD_MISSING_HINT}") from None
        slot = _add_extra(series, parsed, actor)
        changes.append("added as an extra meeting")
    if parsed.moved is not None and not slot.cancelled:
        at, duration = parsed.moved
        local = slot.start.astimezone(ZoneInfo(series.timezone))
        minutes = int(slot.duration.total_seconds() // 60)
        if (local.date(), local.time()) != (at.date(), at.time()) or (
            duration or minutes
        ) != minutes:
            try:
                meetings.move(
                    series, parsed.day, at.date(), at.time(), actor, duration_minutes=duration
                )
                slot = meetings.find_occurrence(series, parsed.day)
            except ScheduleError as exc:
                raise ImportProblem(parsed.day_line, f"cannot move the meeting: {exc}") from None
            changes.append("moved")
    if parsed.cancelled is not None and not slot.cancelled:
        try:
            meetings.cancel(series, parsed.day, actor, reason=parsed.cancelled, announce=False)
        except ScheduleError as exc:
            raise ImportProblem(parsed.day_line, f"cannot cancel the meeting: {exc}") from None
        changes.append("cancelled")
    return slot, changes
