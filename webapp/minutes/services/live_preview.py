"""What the notes of a call will become, read as they are typed: follow-ups to raise, follow-ups
to close, decisions and attendees, and the names that match no one (never created here).

The text is read by the minutes' one grammar (today the importer's reader, ``importer.parse``);
this module only compares its result with the people and follow-ups already stored. It writes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.minutes import importer
from webapp.minutes.importer.write_follow_ups import similar
from webapp.minutes.services.matching import FirstNames, PeopleIndex, parse_name
from webapp.models import FollowUp, FollowUpState, Occurrence, Person, Series

#: The longest notes previewed (about 100 pages of minutes); longer ones are refused.
MAX_TEXT = 500_000


class TooLong(ValueError):
    pass


@dataclass
class Name:
    """A name as typed, and the person it names (None: no one, shown as a new person)."""

    typed: str
    person: Person | None

    @property
    def known(self) -> bool:
        return self.person is not None

    @property
    def shown(self) -> str | None:
        return self.person.name if self.person is not None else None


@dataclass
class PreviewItem:
    line: int
    text: str
    owner: Name | None
    #: For a closing line: the open follow-up it closes (None: it matches none).
    closes: FollowUp | None = None


@dataclass
class Preview:
    raised: list[PreviewItem] = field(default_factory=list)
    closed: list[PreviewItem] = field(default_factory=list)
    #: Follow-ups raised here that a save would remove (their line is gone) or reopen.
    undone: list[PreviewItem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    attendees: list[Name] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        """Every name that matches no one, once, in the order typed."""
        names = [n for n in self.attendees if not n.known]
        names += [i.owner for i in self.raised + self.closed if i.owner and not i.owner.known]
        seen: dict[str, None] = {}
        for name in names:
            seen.setdefault(name.typed, None)
        return list(seen)

    def as_json(self) -> dict[str, object]:
        def owner(item: PreviewItem) -> dict[str, object] | None:
            if item.owner is None:
                return None
            person = item.owner.person
            return {"typed": item.owner.typed, "person": person.name if person else None}

        return {
            "follow_ups": [
                {"line": i.line, "owner": owner(i), "text": i.text} for i in self.raised
            ],
            "closes": [
                {"line": i.line, "owner": owner(i), "text": i.text, "matches": bool(i.closes)}
                for i in self.closed
            ],
            "decisions": self.decisions,
            "attendees": [
                {"typed": n.typed, "person": n.person.name if n.person else None}
                for n in self.attendees
            ],
            "unknown": self.unknown,
            "problems": self.problems,
        }


def _open_before(series: Series, day: date) -> list[FollowUp]:
    raised = aliased(Occurrence)
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .join(raised, FollowUp.raised_occurrence_id == raised.id)
            .where(
                FollowUp.series_id == series.id,
                FollowUp.state == FollowUpState.OPEN,
                raised.original_date < day,
            )
            .order_by(raised.original_date, FollowUp.id)
        )
    )


def preview(series: Series, day: date, text: str) -> Preview:
    """Read ``text`` (the call's notes) as the minutes will be read on save."""
    if len(text) > MAX_TEXT:
        raise TooLong(f"the notes have {len(text):,} characters; at most {MAX_TEXT:,} are read")
    out = Preview()
    try:
        parsed = importer.parse(text, "notes", day=day)
    except (importer.ImportProblem, importer.ImportProblems) as exc:
        problems = exc.problems if isinstance(exc, importer.ImportProblems) else [exc]
        out.problems = [f"line {p.line}: {p}" if p.line else str(p) for p in problems]
        return out
    index, firsts = PeopleIndex(), FirstNames()
    for typed, _line in parsed.attendees:
        person = index.find(parse_name(typed))
        if person is not None:
            firsts.add(person)
        out.attendees.append(Name(typed, person))
    out.decisions = list(parsed.decisions)
    still_open = _open_before(series, day)
    for item in parsed.follow_ups:
        owner = None
        text_shown = item.text
        if item.owner is not None:
            ref = parse_name(item.owner)
            person = index.find(ref) or (firsts.only(ref.name) if ref.single_word else None)
            if person is None and not item.owner_certain:
                text_shown = item.full_text or item.text  # a guess that names no one: no owner
            else:
                owner = Name(item.owner, person)
        entry = PreviewItem(item.line, " ".join(text_shown.split()), owner)
        if item.closed_here:
            who = owner.person if owner else None
            entry.closes = next(
                (
                    f
                    for f in still_open
                    if f.owner_id == (who.id if who else None) and similar(f.text, entry.text)
                ),
                None,
            )
            out.closed.append(entry)
        else:
            out.raised.append(entry)
    return out
