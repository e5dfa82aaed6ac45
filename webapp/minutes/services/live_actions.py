"""What the call page changes without leaving it: follow-ups, reviews, attendees, decisions.

Attendees and decisions are saved through ``save_minutes`` (the version check, a revision and the
audit entry of any other save); a name that matches nobody is never turned into a person unless
the scribe confirms it (``NewPerson``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.minutes.grammar import format_attendee
from webapp.minutes.services.errors import MinutesError
from webapp.minutes.services.follow_ups import age_in_meetings, closed_at, open_at
from webapp.minutes.services.matching import MAX_NAME, PeopleIndex, key, parse_name, problem
from webapp.minutes.services.records import (
    MinutesInput,
    absent_lines,
    attendee_lines,
    save_minutes,
)
from webapp.minutes.services.reviews import update_review
from webapp.models import FollowUp, Minutes, Person, Review, ReviewState, Series

#: Suggestions offered for a typed attendee name.
SUGGESTIONS = 8
#: Closed reviews listed under the queue, so that a Landed or Abandoned click can be undone.
RECENTLY_CLOSED = 5


class NewPerson(MinutesError):
    """A typed name matches nobody: the scribe confirms before a person is created."""

    def __init__(self, name: str) -> None:
        super().__init__(f"“{name}” matches no one: add them as a new person?")
        self.name = name


def follow_up_rows(series: Series, day: date) -> list[tuple[FollowUp, int]]:
    """Follow-ups raised at earlier meetings and open at this one, and those closed at this one
    (so a Done or Drop can be undone where it was clicked), oldest first, with their age."""
    rows = open_at(series, day)
    earlier = [f for f in closed_at(series, day) if f.raised_at.original_date < day]
    rows += [(f, age_in_meetings(series, f.raised_at.original_date, day)) for f in earlier]
    return sorted(rows, key=lambda row: (row[0].raised_at.original_date, row[0].id))


def recently_closed_reviews(series: Series) -> list[Review]:
    return list(
        db.session.scalars(
            sa.select(Review)
            .where(Review.series_id == series.id, Review.state != ReviewState.OPEN)
            .order_by(Review.id.desc())
            .limit(RECENTLY_CLOSED)
        )
    )


def set_review_state(review: Review, series: Series, state: str, actor: audit.Actor) -> None:
    """Landed, abandoned, or open again (the undo of either), through the queue's own update."""
    update_review(
        review,
        series,
        actor,
        title=review.title,
        state=state,
        author=review.author,
        parent=review.parent,
    )


@dataclass(frozen=True)
class Suggestion:
    name: str
    handle: str | None

    @property
    def label(self) -> str:
        """What the attendee field takes: ``Name @handle`` (the attendee line's own shape)
        finds the person by handle."""
        return format_attendee(self.name, self.handle, "")


def suggest_people(text: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """People whose name, handle or alias starts with (or contains) what was typed."""
    typed = key(text.strip().strip("@"))[:MAX_NAME]
    if not typed:
        return []
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = db.session.scalars(
        sa.select(Person)
        .where(
            sa.or_(
                sa.func.lower(Person.name).like(pattern, escape="\\"),
                sa.func.lower(Person.handle).like(pattern, escape="\\"),
                sa.func.lower(Person.aliases).like(pattern, escape="\\"),
            )
        )
        .order_by(Person.name)
        .limit(200)
    )

    def rank(p: Person) -> tuple[int, str]:
        starts = key(p.name).startswith(typed) or (p.handle or "").startswith(typed)
        return (0 if starts else 1, key(p.name))

    return [Suggestion(p.name, p.handle) for p in sorted(matches, key=rank)[:limit]]


def match_person(text: str, index: PeopleIndex | None = None) -> Person | None:
    """The person a typed attendee name names, as the minutes' own matching finds them."""
    ref = parse_name(text)
    return (index or PeopleIndex()).find(ref) if ref.name else None


def _save(
    minutes: Minutes,
    actor: audit.Actor,
    now: datetime,
    summary: str,
    *,
    attendees: list[str] | None = None,
    decisions: str | None = None,
) -> list[Person]:
    """Save attendees or decisions; the notes, absentees and roles stay as they are (and the
    follow-ups: the notes did not change, so they are not synced again)."""
    data = MinutesInput(
        notes=minutes.notes,
        decisions=minutes.decisions if decisions is None else decisions,
        attendees=attendee_lines(minutes) if attendees is None else attendees,
        state=minutes.state,
        absent=absent_lines(minutes),
    )
    return save_minutes(
        minutes, minutes.version, data, actor, now, summary=summary, sync_tasks=False
    )


def unknown_name(typed: str) -> str | None:
    """``typed``, cleaned, when it is a valid name that matches nobody (a new person), else None."""
    typed = " ".join(typed.split())
    if not typed or problem(parse_name(typed)):
        return None
    return typed if match_person(typed) is None else None


def add_attendee(
    minutes: Minutes, typed: str, actor: audit.Actor, now: datetime, *, confirmed: bool = False
) -> tuple[Person, bool]:
    """Add whoever ``typed`` names; (person, created). Raises ``NewPerson`` for a name that
    matches nobody unless ``confirmed``."""
    typed = " ".join(typed.split())
    message = problem(parse_name(typed)) if typed else "type a name or a handle"
    if message:
        raise MinutesError(message)
    person = match_person(typed)
    if person is None and not confirmed:
        raise NewPerson(typed)
    if person is not None and person in minutes.attendees:
        return person, False
    lines = [*attendee_lines(minutes), typed]
    created = _save(minutes, actor, now, f"attendee added: {typed}", attendees=lines)
    added = match_person(typed) or minutes.attendees[-1]
    return added, bool(created)


def remove_attendee(minutes: Minutes, person_id: int, actor: audit.Actor, now: datetime) -> Person:
    gone = next((p for p in minutes.attendees if p.id == person_id), None)
    if gone is None:
        raise MinutesError("that person is not among the attendees")
    rows = zip(minutes.present_rows, attendee_lines(minutes), strict=True)
    lines = [line for row, line in rows if row.person_id != person_id]
    _save(minutes, actor, now, f"attendee removed: {gone.name}", attendees=lines)
    return gone


def add_decision(minutes: Minutes, text: str, actor: audit.Actor, now: datetime) -> str:
    text = " ".join(text.split())
    if not text:
        raise MinutesError("a decision needs a text")
    if len(text) > 1000:
        raise MinutesError("a decision may have at most 1000 characters")
    decisions = "\n".join([*minutes.decision_list, text])
    _save(minutes, actor, now, "decision added", decisions=decisions)
    return text


def remove_decision(
    minutes: Minutes, position: int, text: str, actor: audit.Actor, now: datetime
) -> str:
    """Remove the decision at ``position`` if it still reads ``text`` (no one changed the list)."""
    current = minutes.decision_list
    if not 0 <= position < len(current) or current[position] != " ".join(text.split()):
        raise MinutesError("that decision is no longer in the minutes")
    gone = current.pop(position)
    _save(minutes, actor, now, "decision removed", decisions="\n".join(current))
    return gone
