"""What saving a text of minutes would do to follow-ups, for the call page while people type.

The same plan as a save (``webapp.minutes.services.task_sync.plan``), carried out by nobody:
nothing is written and nobody is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.minutes.grammar.attendees import Attendee
from webapp.minutes.grammar.model import ParsedFollowUp
from webapp.minutes.grammar.reading import read_minutes
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.occurrences import stored_occurrence
from webapp.minutes.services.task_sync import Owners, plan
from webapp.models import Minutes, Series


@dataclass(frozen=True)
class PreviewItem:
    """What one task line would do, for the call page to show while someone types."""

    action: str  # raise, update, keep, close, carry, remove, reopen
    line: int | None
    owner_text: str | None
    #: The person it names (stored or an attendee being typed); None: no owner or unknown.
    owner: str | None
    text: str
    state: str
    follow_up_id: int | None

    @property
    def owner_label(self) -> str:
        if self.owner_text is None:
            return "no owner"
        return self.owner or "unknown"


def preview_steps(
    series: Series,
    day: date,
    items: list[ParsedFollowUp],
    attendees: list[Attendee],
) -> list[PreviewItem]:
    """``plan`` for a text being typed: nothing is written, nobody is created."""
    index = PeopleIndex()
    stored = [p for p in (index.find(a) for a in attendees) if p is not None]
    owners = Owners(index, stored, [a for a in attendees if index.find(a) is None])
    steps = plan(series, day, items, owners, stored_occurrence(series, day))
    return [
        PreviewItem(
            s.action,
            s.item.line if s.item else None,
            s.item.owner if s.item else None,
            s.owner_name if s.item else (s.owner.name if s.owner else None),
            s.text,
            s.item.state if s.item else (s.follow_up.state if s.follow_up else "open"),
            s.follow_up.id if s.follow_up else None,
        )
        for s in steps
    ]


def preview(
    series: Series, day: date, text: str, *, attendees: list[Attendee] | None = None
) -> list[PreviewItem]:
    """What saving ``text`` as the minutes of the meeting of ``day`` would do to follow-ups:
    one item per task line (raise, update, keep, close) and per follow-up it would remove or
    reopen. Owners are the people stored and the meeting's attendees (the text's attendance
    block, ``attendees`` typed elsewhere, and those already saved). Writes nothing."""
    reading = read_minutes(text)
    listed = [*reading.attendees, *(attendees or [])]
    occ = stored_occurrence(series, day)
    if occ is not None and occ.id is not None:
        saved = db.session.scalar(sa.select(Minutes).where(Minutes.occurrence_id == occ.id))
        if saved is not None:
            listed += [Attendee(p.name, p.handle) for p in saved.attendees]
    return preview_steps(series, day, reading.tasks, listed)
