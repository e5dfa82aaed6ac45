"""Follow-ups listed in an imported file's front matter (Cadence's export): owners matched
(created when unknown: an export names people), duplicates avoided, earlier ones closed.

Task lines of a text are not written here but by the one rule for texts
(``webapp.minutes.services.task_sync``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.importer.model import ImportProblem, ParsedFollowUp
from webapp.minutes.services.matching import FirstNames, PeopleIndex, parse_name
from webapp.minutes.services.open_follow_ups import open_before, similar
from webapp.minutes.services.task_sync import SyncReport
from webapp.models import FollowUp, Occurrence, Person, Series


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
    earlier = open_before(series, day, _same_owner(owner))
    return next((f for f in earlier if similar(f.text, text)), None)


def _existing(occ: Occurrence, owner: Person | None, text: str) -> FollowUp | None:
    """The same follow-up from an earlier import of this file: raised here, or closed here."""
    query = sa.select(FollowUp).where(
        sa.or_(FollowUp.raised_occurrence_id == occ.id, FollowUp.closed_occurrence_id == occ.id),
        _same_owner(owner),
    )
    found = list(db.session.scalars(query))
    same = next((f for f in found if f.text == text), None)
    if same is not None:
        return same
    # A similar text: only one raised here (one closed here but raised elsewhere is another).
    return next(
        (f for f in found if f.raised_occurrence_id == occ.id and similar(f.text, text)), None
    )


def _set_state(
    item: FollowUp, parsed: ParsedFollowUp, series: Series, day: date, actor: audit.Actor
) -> bool:
    closed = day if parsed.closed_here else parsed.closed
    current = item.closed_at.original_date if item.closed_at else None
    if item.state == parsed.state and current == closed:
        return False
    try:
        svc.set_follow_up_state(item, parsed.state, series, closed, actor)
    except (svc.MinutesError, ScheduleError) as exc:
        raise ImportProblem(parsed.line, f"follow-up {item.text!r}: {exc}") from None
    return True


def write(
    series: Series, day: date, items: list[ParsedFollowUp], owners: Owners, actor: audit.Actor
) -> SyncReport:
    """Create, update or close the follow-ups of one file."""
    occ = meetings.occurrence_row(series, day)
    report = SyncReport()
    for parsed in items:
        owner, text = owners.resolve(parsed)
        text = " ".join(text.split())
        existing = _existing(occ, owner, text)
        earlier = existing is None and parsed.closed_here
        if earlier:
            existing = _earlier_open(series, day, owner, text)
        if existing is None:
            try:
                existing = svc.add_follow_up(series, day, owner, text, actor, due=parsed.due)
            except svc.MinutesError as exc:
                raise ImportProblem(parsed.line, str(exc)) from None
            report.raised += 1
        elif existing.raised_occurrence_id == occ.id and existing.due_date != parsed.due:
            existing.due_date = parsed.due
            report.updated += 1
        if existing.state != "open" or parsed.state != "open":
            existing.close_note = parsed.note if parsed.state != "open" else ""
        if _set_state(existing, parsed, series, day, actor):
            if earlier:
                report.closed += 1
            elif existing.raised_occurrence_id != occ.id or parsed.state == "open":
                report.updated += 1
    return report
