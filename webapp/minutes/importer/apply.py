"""Writing one parsed file through the services (flush only; the CLI commits per file).

Importing the same text again changes nothing: no revision, no audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from webapp import audit, dates
from webapp.extensions import db
from webapp.live import formsync
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.minutes import services as svc
from webapp.minutes.grammar import split_attendance
from webapp.minutes.importer import runs, write_follow_ups, write_reviews
from webapp.minutes.importer.batch import RunIndexes
from webapp.minutes.importer.meeting import ensure_meeting, which_meeting
from webapp.minutes.importer.model import ImportProblem, Parsed
from webapp.minutes.importer.parse import parse
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.open_follow_ups import OpenFollowUps
from webapp.minutes.services.task_sync import SyncReport, sync_follow_ups
from webapp.models import Minutes, MinutesState, Person, Series


@dataclass
class Outcome:
    kind: str  # created, updated, unchanged
    summary: str
    warnings: list[tuple[int, str]] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    follow_ups: SyncReport = field(default_factory=SyncReport)
    series: Series | None = None

    def line(self, announced: set[str] | None = None) -> str:
        """The summary, naming the new people not ``announced`` by an earlier file yet."""
        fresh = [p for p in self.new_people if announced is None or p not in announced]
        if announced is not None:
            announced.update(fresh)
        return self.summary + (f"; new people: {', '.join(fresh)}" if fresh else "")


def _series(parsed: Parsed, series_slug: str | None, indexes: RunIndexes) -> Series:
    slug = series_slug or parsed.series
    if not slug:
        raise ImportProblem(0, "no series: give --series SLUG or 'series:' in the front matter")
    if series_slug and parsed.series and parsed.series != series_slug:
        message = f"the file is for series {parsed.series!r}, not --series {series_slug!r}"
        raise ImportProblem(1, message)
    try:
        return indexes.series(slug)
    except ScheduleError as exc:
        raise ImportProblem(0, str(exc)) from None


def _next_meeting_warning(series: Series, parsed: Parsed) -> list[tuple[int, str]]:
    if parsed.next_meeting is None:
        return []
    try:
        meetings.find_occurrence(series, parsed.next_meeting)
    except ScheduleError:
        said = parsed.next_meeting_text or parsed.next_meeting
        message = (
            f"the next meeting {parsed.next_meeting} ('{said}') "
            f"is not a meeting date of {series.slug}"
        )
        return [(parsed.next_meeting_line, message)]
    return []


@dataclass
class _Write:
    series: Series
    day: date
    slot: Slot
    actor: audit.Actor
    now: datetime
    index: PeopleIndex
    open_now: OpenFollowUps | None = None
    report: SyncReport = field(default_factory=SyncReport)


def _write_minutes(
    w: _Write, parsed: Parsed, minutes: Minutes | None, state: str
) -> tuple[str, list[Person], list[Person]]:
    """(kind, attendees, people created) after saving the minutes of the file."""
    if minutes is None:
        minutes, kind = svc.start_minutes(w.series, w.day, w.actor, w.now), "created"
    else:
        kind = "updated"
        journal = db.session.info.get(runs.KEY)
        if journal is not None:
            journal.before(minutes)  # saved by an UPDATE the journal does not see
    present, absent = split_attendance(parsed.attendees)
    # With the call page's shared notes open, the imported text enters them as an update.
    notes = formsync.merge(minutes, parsed.notes, None, w.actor)
    data = svc.MinutesInput(
        notes=parsed.notes if notes is None else notes,
        decisions="\n".join(parsed.decisions),
        attendees=present,
        state=state,
        absent=absent,
    )
    try:
        created = svc.save_minutes(
            minutes,
            minutes.version,
            data,
            w.actor,
            w.now,
            content_hash=parsed.content_hash,
            next_meeting=parsed.next_meeting,
            summary=f"imported from {Path(parsed.name).name}",
            published_at=w.slot.start,
            index=w.index,
            tasks=parsed.follow_ups if parsed.tasks_from_text else None,
            sync_tasks=parsed.tasks_from_text,
            report=w.report,
            announce=False,  # imports never announce
            open_now=w.open_now,
        )
    except svc.MinutesError as exc:
        raise ImportProblem(parsed.attendees[0].line if parsed.attendees else 0, str(exc)) from None
    return kind, minutes.attendees, created


def _sync(w: _Write, parsed: Parsed, attendees: list[Person]) -> SyncReport:
    try:
        return sync_follow_ups(
            w.series,
            w.day,
            parsed.follow_ups,
            w.actor,
            attendees=attendees,
            index=w.index,
            open_now=w.open_now,
        )
    except svc.MinutesError as exc:
        raise ImportProblem(parsed.follow_ups[0].line, str(exc)) from None


def _summary(kind: str, series: Series, key: str, parsed: Parsed, changes: list[str]) -> str:
    next_text = f", next meeting {parsed.next_meeting}" if parsed.next_meeting else ""
    what = "minutes" if parsed.has_minutes else "follow-ups and reviews"
    if parsed.cancelled is not None and not parsed.has_minutes:
        what = "cancelled meeting"
    done = ", ".join(changes) or "nothing"
    return f"{kind} {what} of {series.slug} {key}: {done}{next_text}"


def apply(
    parsed: Parsed,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    default_state: str = MinutesState.PUBLISHED,
    add_missing: bool = False,
    indexes: RunIndexes | None = None,
) -> Outcome:
    """Write one parsed file (flush only). Raises ImportProblem; the caller rolls back then.
    ``indexes``: what the run's files share (people, open follow-ups), read once for them all."""
    indexes = indexes if indexes is not None else RunIndexes()
    series = _series(parsed, series_slug, indexes)
    day = parsed.day
    assert day is not None  # noqa: S101 - parse() refuses files without a date
    suffix = which_meeting(series, parsed)
    with meetings.same_day_meeting(series, day, suffix):
        return _apply(parsed, series, suffix, actor, now, default_state, add_missing, indexes)


def _apply(
    parsed: Parsed,
    series: Series,
    suffix: str,
    actor: audit.Actor,
    now: datetime,
    default_state: str,
    add_missing: bool,
    indexes: RunIndexes,
) -> Outcome:
    """``apply`` with the file's meeting in scope: its date means that meeting."""
    day = parsed.day
    assert day is not None  # noqa: S101 - parse() refuses files without a date
    key = dates.meeting_key(day, suffix)
    slot, meeting_changes = ensure_meeting(
        series, parsed, actor, add_missing=add_missing, suffix=suffix
    )
    changes = list(meeting_changes)
    outcome = Outcome("unchanged", "", [*parsed.warnings, *_next_meeting_warning(series, parsed)])
    outcome.series = series
    minutes = svc.get_minutes(series, day)
    if minutes is not None and minutes.content_hash == parsed.content_hash:
        outcome.summary = (
            f"unchanged: minutes of {series.slug} {key} were imported from this text already"
        )
        return outcome
    w = _Write(series, day, slot, actor, now, indexes.people(), indexes.open_follow_ups(series))
    attendees: list[Person] = []
    if parsed.has_minutes and (parsed.cancelled is None or parsed.minutes_content):
        state = parsed.state or default_state
        outcome.kind, attendees, created = _write_minutes(w, parsed, minutes, state)
        outcome.new_people += [p.name for p in created]
        changes.append(f"{len(attendees)} attendees, {len(parsed.decisions)} decisions")
    else:
        parsed.has_minutes = False
        if parsed.tasks_from_text and parsed.follow_ups:
            w.report.add(_sync(w, parsed, attendees))
    owners = write_follow_ups.Owners(actor, w.index, attendees)
    made = w.report.changed
    if not parsed.tasks_from_text:
        front = write_follow_ups.write(series, day, parsed.follow_ups, owners, actor)
        indexes.forget_open(series)
        made += front.changed
        w.report.add(front)
    outcome.follow_ups = w.report
    if parsed.follow_ups or w.report.changed:
        changes.append(w.report.text())
    made += write_reviews.write(series, day, parsed.reviews, owners, actor)
    if parsed.reviews:
        changes.append(f"{len(parsed.reviews)} reviews")
    outcome.new_people += owners.new
    if outcome.kind == "unchanged" and (made or meeting_changes):
        outcome.kind = "updated"
    outcome.summary = _summary(outcome.kind, series, key, parsed, changes)
    if outcome.kind != "unchanged":
        target = f"{series.slug}/{key}"
        audit.record(actor, "minutes.import", "minutes", target, outcome.line()[:500])
    return outcome


def import_text(
    text: str,
    name: str,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    day: date | None = None,
    suffix: str | None = None,
    default_state: str = MinutesState.PUBLISHED,
    add_missing: bool = False,
) -> Outcome:
    parsed = parse(text, name, day=day, suffix=suffix)
    return apply(
        parsed, series_slug, actor, now, default_state=default_state, add_missing=add_missing
    )
