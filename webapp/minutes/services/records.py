"""Minutes themselves: start, save (with the version check), revisions, published ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.grammar import Attendee, ParsedFollowUp, format_attendee, read_tasks
from webapp.minutes.services.errors import EditConflict, MinutesError
from webapp.minutes.services.matching import PeopleIndex, parse_name, problem
from webapp.minutes.services.occurrences import stored_occurrence
from webapp.minutes.services.open_follow_ups import OpenFollowUps
from webapp.minutes.services.people import people_for
from webapp.minutes.services.task_sync import SyncReport, sync_follow_ups
from webapp.models import (
    Minutes,
    MinutesAttendee,
    MinutesRevision,
    MinutesState,
    Occurrence,
    Person,
    Series,
)
from webapp.urls import external_url


def get_minutes(series: Series, day: date, suffix: str | None = None) -> Minutes | None:
    """The minutes of the meeting ``day`` (``suffix``: a second meeting that day), if any."""
    occ = stored_occurrence(series, day, suffix)
    if occ is None or occ.id is None:
        return None
    return db.session.scalar(sa.select(Minutes).where(Minutes.occurrence_id == occ.id))


def minutes_url_for(series: Series, day: date, suffix: str | None = None) -> str | None:
    """The public address of the meeting's minutes, once published; None before that."""
    minutes = get_minutes(series, day, suffix)
    if minutes is None or not minutes.published or not series.public:
        return None
    key = minutes.occurrence.key
    return external_url(url_for("minutes.minutes_page", slug=series.slug, day=key))


def _revision(minutes: Minutes, actor: audit.Actor, now: datetime, summary: str) -> MinutesRevision:
    rev = MinutesRevision(
        minutes_id=minutes.id,
        version=minutes.version,
        at=now,
        user_id=actor.user_id,
        actor=actor.label,
        state=minutes.state,
        notes=minutes.notes,
        decisions=minutes.decisions,
        attendees=attendee_text(minutes),
        summary=summary[:500],
    )
    db.session.add(rev)
    return rev


def start_minutes(
    series: Series, day: date, actor: audit.Actor, now: datetime, suffix: str | None = None
) -> Minutes:
    """Empty draft minutes for a meeting (the existing ones if someone started them already)."""
    existing = get_minutes(series, day, suffix)
    if existing is not None:
        return existing
    occ = meetings.occurrence_row(series, day, suffix)
    minutes = Minutes(
        occurrence_id=occ.id,
        notes="",
        decisions="",
        state=MinutesState.DRAFT,
        version=1,
        updated_by=actor.label,
    )
    db.session.add(minutes)
    db.session.flush()
    _revision(minutes, actor, now, "started")
    audit.record(
        actor, "minutes.create", "minutes", minutes.id, f"started minutes of {series.slug} {day}"
    )
    return minutes


def clean_text(text: str) -> str:
    """Line endings normalised, trailing blank lines dropped; nothing else is touched."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\n")
    return text + "\n" if text.strip() else ""


def clean_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip())


def attendee_lines(minutes: Minutes) -> list[str]:
    """Who was there, one ``Name @handle (role)`` line each (the grammar reads them back)."""
    return [format_attendee(r.person.name, r.person.handle, r.role) for r in minutes.present_rows]


def absent_lines(minutes: Minutes) -> list[str]:
    return [format_attendee(r.person.name, r.person.handle, r.role) for r in minutes.absent_rows]


def attendee_text(minutes: Minutes) -> str:
    """The editor's attendee box: the attendees, then ``Absent:`` and the absentees."""
    absent = absent_lines(minutes)
    return "\n".join(attendee_lines(minutes) + (["Absent:", *absent] if absent else []))


def _set_attendees(minutes: Minutes, people: Sequence[tuple[Person, str, bool]]) -> None:
    """(person, role, absent) in order; someone listed twice keeps their first line (present
    wins over absent)."""
    wanted: dict[int, tuple[Person, str, bool]] = {}
    for person, role, absent in people:
        if person.id not in wanted or (wanted[person.id][2] and not absent):
            wanted[person.id] = (person, role, absent)
    by_id = {row.person_id: row for row in minutes.attendee_rows}
    rows = []
    for position, (person, role, absent) in enumerate(wanted.values()):
        row = by_id.get(person.id) or MinutesAttendee(person_id=person.id, person=person)
        row.position, row.role, row.absent = position, role[:200], absent
        rows.append(row)
    minutes.attendee_rows = rows


@dataclass
class MinutesInput:
    notes: str
    decisions: str
    #: Attendee lines (read by the attendee grammar) or attendees already read.
    attendees: Sequence[str | Attendee]
    state: str
    #: Absentees and regrets, likewise.
    absent: Sequence[str | Attendee] = ()


def _refs(names: Sequence[str | Attendee]) -> list[Attendee]:
    refs = [parse_name(n) if isinstance(n, str) else n for n in names]
    return [r for r in refs if r.name]


def _check_input(data: MinutesInput) -> None:
    if data.state not in (MinutesState.DRAFT, MinutesState.PUBLISHED):
        raise MinutesError(f"state {data.state!r} is not draft or published")
    for ref in _refs([*data.attendees, *data.absent]):
        message = problem(ref)
        if message:
            raise MinutesError(f"attendees: {message}")


def _save_attendees(
    minutes: Minutes, data: MinutesInput, actor: audit.Actor, index: PeopleIndex
) -> list[Person]:
    """The attendance rows, roles and absentees; returns the people created."""
    present, absent = _refs(data.attendees), _refs(data.absent)
    people, created = people_for([*present, *absent], actor, index)
    listed = zip(people, [*present, *absent], strict=True)
    _set_attendees(minutes, [(p, r.role, i >= len(present)) for i, (p, r) in enumerate(listed)])
    db.session.flush()
    return created


def _tasks_of(notes: str) -> list[ParsedFollowUp]:
    tasks, problems = read_tasks(clean_text(notes))
    if problems:
        raise MinutesError(f"notes, line {problems[0].line}: {problems[0]}")
    return tasks


def _snapshot(minutes: Minutes) -> dict[str, Any]:
    return {
        "state": minutes.state,
        "notes": minutes.notes,
        "decisions": minutes.decisions,
        "attendees": attendee_lines(minutes),
        "absent": absent_lines(minutes),
    }


def _update_if_current(minutes: Minutes, seen_version: int, values: dict[str, Any]) -> None:
    """The version check is the UPDATE itself, so two saves racing each other cannot both win."""
    result = db.session.execute(
        sa.update(Minutes)
        .where(Minutes.id == minutes.id, Minutes.version == seen_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(minutes)
        raise EditConflict(minutes)
    db.session.expire(minutes, list(values))


def _saved_values(
    minutes: Minutes,
    seen_version: int,
    data: MinutesInput,
    actor: audit.Actor,
    now: datetime,
    published_at: datetime | None,
) -> dict[str, Any]:
    """The columns a save writes (a first publication is dated ``published_at`` or now)."""
    values: dict[str, Any] = {
        "notes": clean_text(data.notes),
        "decisions": clean_lines(data.decisions),
        "state": data.state,
        "version": seen_version + 1,
        "updated_by": actor.label,
        "updated_at": now,
        "published_at": minutes.published_at,
    }
    if data.state == MinutesState.PUBLISHED and minutes.published_at is None:
        values["published_at"] = published_at or now
    return values


def save_minutes(
    minutes: Minutes,
    seen_version: int,
    data: MinutesInput,
    actor: audit.Actor,
    now: datetime,
    *,
    content_hash: str | None = None,
    next_meeting: date | None = None,
    summary: str = "",
    published_at: datetime | None = None,
    index: PeopleIndex | None = None,
    tasks: list[ParsedFollowUp] | None = None,
    sync_tasks: bool = True,
    report: SyncReport | None = None,
    announce: bool = True,
    open_now: OpenFollowUps | None = None,
) -> list[Person]:
    """Save what an editor typed, unless someone else saved since ``seen_version``.

    Returns the people created for new attendee names. ``published_at`` dates a first
    publication (the importer gives the meeting's start); by default it is ``now``. The
    follow-ups of the meeting follow the task lines of the notes (``tasks`` when the caller
    read them already; ``sync_tasks=False`` leaves them alone); ``report`` receives what changed;
    publishing queues the minutes mail unless ``announce`` is False (imports); ``open_now``:
    the series' open follow-ups when an import run keeps them."""
    _check_input(data)
    if tasks is None and sync_tasks:
        tasks = _tasks_of(data.notes)
    values = _saved_values(minutes, seen_version, data, actor, now, published_at)
    if content_hash is not None:
        values["content_hash"] = content_hash
    if next_meeting is not None:
        values["next_meeting"] = next_meeting
    before = _snapshot(minutes)
    _update_if_current(minutes, seen_version, values)
    index = index if index is not None else PeopleIndex()
    created = _save_attendees(minutes, data, actor, index)
    if sync_tasks and tasks is not None:
        occ = minutes.occurrence
        done = sync_follow_ups(
            occ.series,
            occ.original_date,
            tasks,
            actor,
            attendees=minutes.attendees,
            index=index,
            open_now=open_now,
            occ=occ,
        )
        if report is not None:
            report.add(done)
    changes, what = _changes(before, _snapshot(minutes), summary)
    _revision(minutes, actor, now, what)
    message = f"saved minutes (version {minutes.version}): {what}"
    audit.record(actor, "minutes.save", "minutes", minutes.id, message, changes)
    _announce_published(minutes, before["state"], now, announce)
    return created


def _changes(
    before: dict[str, Any], after: dict[str, Any], summary: str
) -> tuple[dict[str, Any], str]:
    """What a save changed (the audit's diff) and its one-line summary."""
    changes = audit.diff(before, after)
    if "notes" in changes:
        changes["notes"] = f"{len(before['notes'])} → {len(after['notes'])} characters"
    return changes, summary or (", ".join(sorted(changes)) if changes else "no change")


def _announce_published(minutes: Minutes, was: str, now: datetime, announce: bool) -> None:
    """Minutes this save published (``was`` not): the minutes mail to the series' list, once
    per meeting; never when ``announce`` is False (imports)."""
    # Imported here: the announcements read the minutes services (follow-ups, reviews).
    from webapp.announcements.minutes_mail import minutes_published

    if announce and was != MinutesState.PUBLISHED and minutes.published:
        db.session.flush()
        minutes_published(minutes, now)


def get_revision(minutes: Minutes, version: int) -> MinutesRevision | None:
    return db.session.scalar(
        sa.select(MinutesRevision).where(
            MinutesRevision.minutes_id == minutes.id, MinutesRevision.version == version
        )
    )


def published_days(series: Series) -> list[date]:
    """Meetings of ``series`` whose minutes are published, newest first."""
    query = (
        sa.select(Occurrence.original_date)
        .join(Minutes, Minutes.occurrence_id == Occurrence.id)
        .where(
            Occurrence.series_id == series.id,
            Occurrence.suffix == "",
            Minutes.state == MinutesState.PUBLISHED,
        )
        .order_by(Occurrence.original_date.desc())
    )
    return list(db.session.scalars(query))


def published_keys(series: Series) -> set[str]:
    """The keys (``2019-02-07``, ``2019-02-07-guests``) of the meetings with published minutes."""
    query = (
        sa.select(Occurrence)
        .join(Minutes, Minutes.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id == series.id, Minutes.state == MinutesState.PUBLISHED)
    )
    return {occ.key for occ in db.session.scalars(query)}


def published_minutes(limit: int = 50) -> list[Minutes]:
    query = (
        sa.select(Minutes)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Minutes.state == MinutesState.PUBLISHED, Series.public.is_(True))
        .order_by(Occurrence.original_date.desc(), Series.slug)
        .limit(limit)
    )
    return list(db.session.scalars(query))
