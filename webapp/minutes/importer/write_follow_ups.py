"""Follow-ups from an imported file: owners matched, duplicates avoided, earlier ones closed.

A ticked item (or a "done" one) at a later meeting closes the open follow-up raised earlier with
the same owner and the same or a very similar text, instead of adding a second one.
"""

from __future__ import annotations

from datetime import date
from difflib import SequenceMatcher

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.importer.model import ImportProblem, ParsedFollowUp
from webapp.minutes.services.matching import FirstNames, PeopleIndex, parse_name
from webapp.models import FollowUp, FollowUpState, Occurrence, Person, Series

#: How alike two texts must be (difflib's ratio) to be the same follow-up.
SIMILAR = 0.85


def _plain(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def similar(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) / max(len(a), len(b)) < SIMILAR:
        return False
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR


class Owners:
    """Owners of one file's follow-ups: certain ones are created when unknown; a guess from a
    sentence counts only when it names an attendee or a known person."""

    def __init__(self, actor: audit.Actor, index: PeopleIndex, attendees: list[Person]) -> None:
        self.actor, self.index = actor, index
        self.firsts = FirstNames(attendees)
        self.new: list[str] = []

    def resolve(self, item: ParsedFollowUp) -> tuple[Person | None, str]:
        if item.owner is None:
            return None, item.text
        if not item.owner_certain:
            ref = parse_name(item.owner)
            found = self.index.find(ref)
            if found is None and ref.single_word:
                found = self.firsts.only(ref.name)
            return (found, item.text) if found else (None, item.full_text or item.text)
        person, created = svc.person_for(
            item.owner, self.actor, index=self.index, firsts=self.firsts
        )
        if created:
            self.new.append(person.name)
        return person, item.text


def _same_owner(owner: Person | None) -> sa.ColumnElement[bool]:
    return FollowUp.owner_id.is_(None) if owner is None else FollowUp.owner_id == owner.id


def _earlier_open(series: Series, day: date, owner: Person | None, text: str) -> FollowUp | None:
    raised = aliased(Occurrence)
    query = (
        sa.select(FollowUp)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(
            FollowUp.series_id == series.id,
            FollowUp.state == FollowUpState.OPEN,
            raised.original_date < day,
            _same_owner(owner),
        )
        .order_by(raised.original_date, FollowUp.id)
    )
    return next((f for f in db.session.scalars(query) if similar(f.text, text)), None)


def _existing(occ: Occurrence, owner: Person | None, text: str) -> FollowUp | None:
    """The same follow-up from an earlier import of this file: raised here, or closed here."""
    query = sa.select(FollowUp).where(
        sa.or_(FollowUp.raised_occurrence_id == occ.id, FollowUp.closed_occurrence_id == occ.id),
        _same_owner(owner),
    )
    return next((f for f in db.session.scalars(query) if similar(f.text, text)), None)


def _set_state(
    item: FollowUp, parsed: ParsedFollowUp, series: Series, day: date, actor: audit.Actor
) -> int:
    closed = day if parsed.closed_here else parsed.closed
    current = item.closed_at.original_date if item.closed_at else None
    if item.state == parsed.state and current == closed:
        return 0
    try:
        svc.set_follow_up_state(item, parsed.state, series, closed, actor)
    except (svc.MinutesError, ScheduleError) as exc:
        raise ImportProblem(parsed.line, f"follow-up {item.text!r}: {exc}") from None
    return 1


def write(
    series: Series, day: date, items: list[ParsedFollowUp], owners: Owners, actor: audit.Actor
) -> int:
    """Create, update or close the follow-ups of one file; returns how many changed."""
    occ = meetings.occurrence_row(series, day)
    made = 0
    for parsed in items:
        owner, text = owners.resolve(parsed)
        text = " ".join(text.split())
        existing = _existing(occ, owner, text)
        if existing is None and parsed.closed_here:
            existing = _earlier_open(series, day, owner, text)
        if existing is None:
            try:
                existing = svc.add_follow_up(series, day, owner, text, actor, due=parsed.due)
            except svc.MinutesError as exc:
                raise ImportProblem(parsed.line, str(exc)) from None
            made += 1
        elif existing.raised_occurrence_id == occ.id and existing.due_date != parsed.due:
            existing.due_date = parsed.due
            made += 1
        made += _set_state(existing, parsed, series, day, actor)
    return made
