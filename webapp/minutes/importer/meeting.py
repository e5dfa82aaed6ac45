"""The meeting an imported file is about: found in the schedule, or added in archive mode.

Archives outlive schedules: a call that moved weekday has many dates its series' current rule
does not give. ``--add-missing`` adds each such date as an extra meeting (at the rule's time, or
the time the export recorded); a file saying the meeting was cancelled marks it cancelled.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp import audit, dates
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.minutes.importer import files
from webapp.minutes.importer.model import ImportProblem, Parsed
from webapp.models import Minutes, MinutesRevision, Series

ADD_MISSING_HINT = (
    "; to import it as an extra meeting (archives whose schedule changed), add --add-missing"
)


def _source(series: Series, parsed: Parsed) -> str:
    """The file the minutes of the date's meeting were first imported from ('' if none): that
    file keeps the date's meeting, also after its export (another name) was imported over it."""
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    occ = meetings.stored_row(series, parsed.day, "")
    if occ is None or occ.id is None:
        return ""
    summary = db.session.scalar(
        sa.select(MinutesRevision.summary)
        .join(Minutes, Minutes.id == MinutesRevision.minutes_id)
        .where(
            Minutes.occurrence_id == occ.id,
            MinutesRevision.summary.startswith("imported from "),
        )
        .order_by(MinutesRevision.version)
        .limit(1)
    )
    return (summary or "").removeprefix("imported from ")


def which_meeting(series: Series, parsed: Parsed) -> str:
    """Which meeting of its date a file is: the suffix of its key ('' for the date's meeting).

    A file that says (``suffix:`` in its front matter, ``--date 2019-02-07-guests``) is that
    meeting. Else its name decides: ``2019-02-07.md`` is the date's meeting; a name with more
    after the date (``2019-02-07-guests.md``) is the date's meeting too, unless that meeting's
    minutes were imported from a file of another name: then it is a second meeting that day,
    ``2019-02-07-guests``, never a replacement. Importing the files again finds each one's
    meeting again (the date's meeting remembers its file)."""
    if parsed.suffix is not None:
        return parsed.suffix
    own = files.suffix_from_name(Path(parsed.name).name)
    source = _source(series, parsed)
    if not source or files.suffix_from_name(source) == own:
        return ""
    if own:
        try:
            return dates.check_suffix(own)
        except ValueError as exc:
            raise ImportProblem(
                0,
                f"the minutes of {parsed.day} were imported from {source}, so this file is a "
                f"second meeting that day, named by its file name: {exc}",
            ) from None
    if parsed.dated_inside:  # Cadence's export of the date's meeting
        return ""
    raise ImportProblem(
        0,
        f"the minutes of {parsed.day} were imported from {source}, another file: to import "
        f"this one as a second meeting that day, name it {parsed.day}-SUFFIX.md or add "
        "'suffix: SUFFIX' to its front matter",
    )


def _same_day_start(series: Series, parsed: Parsed) -> time:
    """A same-day meeting's local start: the export's, else the date's meeting's, else the
    rule's time."""
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    if parsed.extra and parsed.extra.start:
        return parsed.extra.start
    try:
        plain = meetings.find_occurrence(series, parsed.day, "")
    except ScheduleError:
        return series.current_rule.start_time
    return plain.start.astimezone(ZoneInfo(series.timezone)).time()


def _add_same_day(series: Series, parsed: Parsed, suffix: str, actor: audit.Actor) -> Slot:
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    extra = parsed.extra
    try:
        meetings.add_extra(
            series,
            parsed.day,
            _same_day_start(series, parsed),
            actor,
            duration_minutes=extra.duration if extra else None,
            title=extra.title if extra else "",
            announce=False,
            suffix=suffix,
        )
        return meetings.find_occurrence(series, parsed.day, suffix)
    except ScheduleError as exc:
        raise ImportProblem(parsed.day_line, f"cannot add the meeting: {exc}") from None


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
    series: Series, parsed: Parsed, actor: audit.Actor, *, add_missing: bool, suffix: str = ""
) -> tuple[Slot, list[str]]:
    """The meeting's slot, and what was changed to have it (added, cancelled). A second
    meeting that day (``suffix``) is the file's own: it is added without ``--add-missing``."""
    assert parsed.day is not None  # noqa: S101 - parse() refuses files without a date
    changes: list[str] = []
    try:
        slot = meetings.find_occurrence(series, parsed.day, suffix)
    except ScheduleError as exc:
        if suffix:
            slot = _add_same_day(series, parsed, suffix, actor)
            changes.append("added as a second meeting that day")
        elif not add_missing:
            raise ImportProblem(parsed.day_line, f"{exc}{ADD_MISSING_HINT}") from None
        else:
            slot = _add_extra(series, parsed, actor)
            changes.append("added as an extra meeting")
    if parsed.moved is not None and not slot.cancelled and not suffix:
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
            with meetings.same_day_meeting(series, parsed.day, suffix):
                meetings.cancel(series, parsed.day, actor, reason=parsed.cancelled, announce=False)
        except ScheduleError as exc:
            raise ImportProblem(parsed.day_line, f"cannot cancel the meeting: {exc}") from None
        changes.append("cancelled")
    return slot, changes
