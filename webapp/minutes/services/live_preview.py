"""What the notes of a call will become, read as they are typed: follow-ups to raise, update,
close, remove or reopen, decisions and attendees, and the names that match no one (never created
here).

The text is read by the minutes' one grammar (``webapp.minutes.grammar.read_minutes``) and the
follow-ups planned by the same rule a save carries out (``services.task_sync.preview``); this
module only arranges the result for the call page. It writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from webapp.minutes.grammar import read_minutes
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.preview import PreviewItem as Planned
from webapp.minutes.services.preview import preview as plan_follow_ups
from webapp.models import Series

#: The longest notes previewed (about 100 pages of minutes); longer ones are refused.
MAX_TEXT = 500_000
#: What each planned action is called on the page.
RAISING = ("raise", "update", "keep")
CLOSING = ("close",)


class TooLong(ValueError):
    pass


@dataclass
class Name:
    """A name as typed, and the person it names (``shown``; None: no one, a new person)."""

    typed: str
    shown: str | None

    @property
    def known(self) -> bool:
        return self.shown is not None


@dataclass
class PreviewItem:
    line: int | None
    text: str
    owner: Name | None
    action: str
    #: For a closing line: whether it closes an open follow-up.
    closes: bool = False


@dataclass
class Preview:
    raised: list[PreviewItem] = field(default_factory=list)
    closed: list[PreviewItem] = field(default_factory=list)
    #: Follow-ups raised here that a save would remove (their line is gone) or reopen.
    undone: list[PreviewItem] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    attendees: list[Name] = field(default_factory=list)
    absent: list[Name] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        """Every name that matches no one, once, in the order typed."""
        names = [n for n in self.attendees + self.absent if not n.known]
        names += [i.owner for i in self.raised + self.closed if i.owner and not i.owner.known]
        return list(dict.fromkeys(n.typed for n in names))

    def as_json(self) -> dict[str, object]:
        def owner(item: PreviewItem) -> dict[str, object] | None:
            if item.owner is None:
                return None
            return {"typed": item.owner.typed, "person": item.owner.shown}

        def items(rows: list[PreviewItem]) -> list[dict[str, object]]:
            return [
                {"line": i.line, "owner": owner(i), "text": i.text, "action": i.action}
                for i in rows
            ]

        closes = [
            {**row, "matches": i.closes}
            for row, i in zip(items(self.closed), self.closed, strict=True)
        ]
        return {
            "follow_ups": items(self.raised),
            "closes": closes,
            "undone": items(self.undone),
            "decisions": self.decisions,
            "attendees": [{"typed": n.typed, "person": n.shown} for n in self.attendees],
            "unknown": self.unknown,
            "problems": self.problems,
        }


def _item(planned: Planned) -> PreviewItem:
    owner = None
    if planned.owner_text is not None:
        owner = Name(planned.owner_text, planned.owner)
    closes = planned.action == "close" and planned.follow_up_id is not None
    return PreviewItem(planned.line, planned.text, owner, planned.action, closes)


def preview(series: Series, day: date, text: str) -> Preview:
    """Read ``text`` (the call's notes) as a save will read it."""
    if len(text) > MAX_TEXT:
        raise TooLong(f"the notes have {len(text):,} characters; at most {MAX_TEXT:,} are read")
    reading = read_minutes(text)
    out = Preview(decisions=list(reading.decisions))
    out.problems = [f"line {p.line}: {p}" if p.line else str(p) for p in reading.problems]
    index = PeopleIndex()
    for ref in reading.attendees:
        person = index.find(ref)
        out.attendees.append(Name(ref.name, person.name if person else None))
    for ref in reading.absent:
        person = index.find(ref)
        out.absent.append(Name(ref.name, person.name if person else None))
    for planned in plan_follow_ups(series, day, text):
        item = _item(planned)
        if planned.action == "keep" and planned.state != "open":
            out.closed.append(item)  # a ``- [x]`` line whose closing is saved already
        elif planned.action in RAISING:
            out.raised.append(item)
        elif planned.action in CLOSING:
            out.closed.append(item)
        else:
            out.undone.append(item)
    return out
