"""Writing one parsed file through the services (flush only; the CLI commits per file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.importer.model import ImportProblem, Parsed
from webapp.minutes.importer.parse import parse
from webapp.models import (
    FollowUp,
    MinutesState,
    Person,
    Review,
)


@dataclass
class Outcome:
    kind: str  # created, updated, unchanged
    summary: str
    warnings: list[tuple[int, str]] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)


def _person(name: str, actor: audit.Actor, among: list[Person], new: list[str]) -> Person:
    person, created = svc.person_for(name, actor, among=among)
    if created:
        new.append(person.name)
    return person


def apply(
    parsed: Parsed,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    default_state: str = MinutesState.PUBLISHED,
) -> Outcome:
    """Write one parsed file (flush only). Raises ImportProblem; the caller rolls back then."""
    slug = series_slug or parsed.series
    if not slug:
        raise ImportProblem(0, "no series: give --series SLUG or 'series:' in the front matter")
    if series_slug and parsed.series and parsed.series != series_slug:
        raise ImportProblem(
            1, f"the file is for series {parsed.series!r}, not --series {series_slug!r}"
        )
    try:
        series = meetings.get_series(slug)
    except ScheduleError as exc:
        raise ImportProblem(0, str(exc)) from None
    day = parsed.day
    assert day is not None  # noqa: S101 - parse() refuses files without a date
    try:
        meetings.find_occurrence(series, day)
    except ScheduleError as exc:
        raise ImportProblem(parsed.day_line, str(exc)) from None

    outcome = Outcome("unchanged", "", list(parsed.warnings))
    if parsed.next_meeting is not None:
        try:
            meetings.find_occurrence(series, parsed.next_meeting)
        except ScheduleError:
            outcome.warnings.append(
                (
                    parsed.next_meeting_line,
                    f"the next meeting {parsed.next_meeting} ('{parsed.next_meeting_text or parsed.next_meeting}') "
                    f"is not a meeting date of {series.slug}",
                )
            )

    minutes = svc.get_minutes(series, day)
    if minutes is not None and minutes.content_hash == parsed.content_hash:
        outcome.summary = (
            f"unchanged: minutes of {series.slug} {day} were imported from this text already"
        )
        return outcome

    changes: list[str] = []
    attendees: list[Person] = []
    for name, _line in parsed.attendees:
        attendees.append(_person(name, actor, attendees, outcome.new_people))
    if parsed.has_minutes:
        data = svc.MinutesInput(
            notes=parsed.notes,
            decisions="\n".join(parsed.decisions),
            attendees=[p.name for p in attendees],
            state=parsed.state or default_state,
        )
        if minutes is None:
            minutes = svc.start_minutes(series, day, actor, now)
            outcome.kind = "created"
        else:
            outcome.kind = "updated"
        svc.save_minutes(
            minutes,
            minutes.version,
            data,
            actor,
            now,
            content_hash=parsed.content_hash,
            next_meeting=parsed.next_meeting,
            summary=f"imported from {Path(parsed.name).name}",
        )
        changes.append(f"{len(attendees)} attendees, {len(parsed.decisions)} decisions")

    occ = meetings.occurrence_row(series, day)
    made = 0
    for item in parsed.follow_ups:
        owner = _person(item.owner, actor, attendees, outcome.new_people)
        text = " ".join(item.text.split())
        existing = db.session.scalar(
            sa.select(FollowUp).where(
                FollowUp.raised_occurrence_id == occ.id,
                FollowUp.owner_id == owner.id,
                FollowUp.text == text,
            )
        )
        if existing is None:
            existing = svc.add_follow_up(series, day, owner, text, actor, due=item.due)
            made += 1
        elif existing.due_date != item.due:
            existing.due_date = item.due
            made += 1
        closed = day if item.closed_here else item.closed
        current_closed = existing.closed_at.original_date if existing.closed_at else None
        if existing.state != item.state or current_closed != closed:
            try:
                svc.set_follow_up_state(existing, item.state, series, closed, actor)
            except (svc.MinutesError, ScheduleError) as exc:
                raise ImportProblem(item.line, f"follow-up {text!r}: {exc}") from None
            made += 1
    if parsed.follow_ups:
        changes.append(f"{len(parsed.follow_ups)} follow-ups")

    by_url: dict[str, Review] = {}
    for item in parsed.reviews:
        author = _person(item.author, actor, attendees, outcome.new_people) if item.author else None
        review = db.session.scalar(
            sa.select(Review).where(Review.series_id == series.id, Review.url == item.url)
        )
        try:
            if review is None:
                review = svc.add_review(
                    series,
                    day,
                    item.url,
                    item.title,
                    actor,
                    author=author,
                    state=item.state,
                    position=item.position,
                )
                made += 1
            elif (review.title, review.state, review.author_id, review.position) != (
                item.title,
                item.state,
                author.id if author else None,
                item.position or review.position,
            ):
                review.title, review.state, review.author = item.title, item.state, author
                review.position = item.position or review.position
                made += 1
        except svc.MinutesError as exc:
            raise ImportProblem(item.line, f"review {item.url}: {exc}") from None
        by_url[item.url] = review
    for item in parsed.reviews:
        review = by_url[item.url]
        parent = None
        if item.parent:
            parent = by_url.get(item.parent) or db.session.scalar(
                sa.select(Review).where(Review.series_id == series.id, Review.url == item.parent)
            )
            if parent is None:
                raise ImportProblem(
                    item.line, f"review {item.url}: its parent {item.parent} is not in the queue"
                )
        if review.parent_id != (parent.id if parent else None):
            review.parent = parent
            made += 1
    if parsed.reviews:
        changes.append(f"{len(parsed.reviews)} reviews")
    db.session.flush()

    if outcome.kind == "unchanged" and made:
        outcome.kind = "updated"
    next_text = f", next meeting {parsed.next_meeting}" if parsed.next_meeting else ""
    people_text = f"; new people: {', '.join(outcome.new_people)}" if outcome.new_people else ""
    what = "minutes" if parsed.has_minutes else "follow-ups and reviews"
    outcome.summary = f"{outcome.kind} {what} of {series.slug} {day}: {', '.join(changes) or 'nothing'}{next_text}{people_text}"
    if outcome.kind != "unchanged":
        audit.record(
            actor, "minutes.import", "minutes", f"{series.slug}/{day}", outcome.summary[:500]
        )
    return outcome


def import_text(
    text: str,
    name: str,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    day: date | None = None,
    default_state: str = MinutesState.PUBLISHED,
) -> Outcome:
    return apply(parse(text, name, day=day), series_slug, actor, now, default_state=default_state)
