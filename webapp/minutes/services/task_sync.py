"""Follow-ups from a text of minutes: one rule for the importer, the editor and the call page.

Each task line of the minutes of a meeting raises (or, ticked or ``DONE:``, closes) one
follow-up. A follow-up raised by a text keeps its identity as (meeting, ordinal of the task line):
saving or importing the text again matches each line to the follow-up it raised — first the same
owner and text, then the same ordinal, then a very similar text (the closing rule) — so an edited
line updates its follow-up and a removed line removes it when it is still open. A ticked line
closes the open follow-up raised earlier with the same owner and a very similar text.

An owner only when the task names a known person (someone stored, or an attendee of this
meeting); otherwise the follow-up has no owner, keeps the whole line, and nobody is created.

``plan`` decides, reading only; ``sync_follow_ups`` carries the plan out (flush, no commit);
``preview`` shows a plan for a text being typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.grammar.attendees import Attendee, parse_attendee
from webapp.minutes.grammar.model import ParsedFollowUp
from webapp.minutes.services.errors import MinutesError
from webapp.minutes.services.follow_ups import audit_raised, new_follow_up, set_follow_up_state
from webapp.minutes.services.matching import FirstNames, PeopleIndex, key
from webapp.minutes.services.open_follow_ups import OpenFollowUps, plain_text, similar
from webapp.models import FollowUp, FollowUpState, Occurrence, Person, Series


@dataclass
class SyncReport:
    """What a sync did (or a preview would do)."""

    raised: int = 0
    updated: int = 0
    closed: int = 0
    removed: int = 0
    reopened: int = 0
    #: The open follow-ups the text lists (raised, kept, updated or restated there), by id.
    listed: list[int] = field(default_factory=list)

    def add(self, other: SyncReport) -> None:
        for name in ("raised", "updated", "closed", "removed", "reopened"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.listed += other.listed

    def text(self) -> str:
        parts = [f"{self.raised} raised", f"{self.updated} updated", f"{self.closed} closed"]
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.reopened:
            parts.append(f"{self.reopened} reopened")
        return "follow-ups: " + ", ".join(parts)

    @property
    def changed(self) -> int:
        return self.raised + self.updated + self.closed + self.removed + self.reopened


class Owners:
    """Who a task names: a stored person, or one of this meeting's attendees (stored, or only
    typed so far: ``pending``, for a preview). Nobody else, and nobody is created."""

    def __init__(
        self,
        index: PeopleIndex,
        attendees: list[Person],
        pending: list[Attendee] = (),  # type: ignore[assignment]
    ) -> None:
        self.index, self.firsts = index, FirstNames(attendees)
        self.pending: dict[str, str] = {}
        pending_firsts: dict[str, list[str]] = {}
        for ref in pending:
            for k in (ref.handle, ref.name, ref.email):
                if k:
                    self.pending.setdefault(key(k), ref.name)
            pending_firsts.setdefault(key(ref.name).split(" ")[0], []).append(ref.name)
        for first, names in pending_firsts.items():
            if len(names) == 1:
                self.pending.setdefault(first, names[0])

    def person(self, owner: str) -> Person | None:
        ref = parse_attendee(owner)
        found = self.index.find(ref)
        if found is None and ref.single_word and not ref.handle:
            found = self.firsts.only(ref.name)
        return found

    def name(self, owner: str) -> tuple[Person | None, str | None]:
        """(the stored person, or None; the name shown, None when the owner is unknown)."""
        found = self.person(owner)
        if found is not None:
            return found, found.name
        ref = parse_attendee(owner)
        for k in (ref.handle, ref.email, ref.name):
            if k and key(k) in self.pending:
                return None, self.pending[key(k)]
        return None, None


@dataclass
class Step:
    """One task line and what it does."""

    action: str  # raise, update, keep, close, carry, remove, reopen
    item: ParsedFollowUp | None
    owner: Person | None
    owner_name: str | None
    text: str
    follow_up: FollowUp | None = None


def _wanted(item: ParsedFollowUp, owners: Owners) -> tuple[Person | None, str | None, str]:
    if item.owner is None:
        return None, None, " ".join(item.text.split())
    person, name = owners.name(item.owner)
    if name is None:
        fallback = item.full_text or f"{item.owner}: {item.text}"
        return None, None, " ".join(fallback.split())
    return person, name, " ".join(item.text.split())


@dataclass
class _Pool:
    """The follow-ups a meeting's text may already have raised or closed."""

    raised: list[FollowUp]
    closed: list[FollowUp]
    claimed: set[int] = field(default_factory=set)

    def match(
        self, test: int, owner: Person | None, text: str, ordinal: int, closing: bool
    ) -> FollowUp | None:
        """Pass ``test`` (0: same owner and text, 1: same line, 2: similar text)."""
        owner_id = owner.id if owner else None
        for f in self.closed if closing else self.raised:
            if f.id in self.claimed:
                continue
            line = f.closed_line if closing else f.raised_line
            if (
                (test == 0 and f.owner_id == owner_id and plain_text(f.text) == plain_text(text))
                or (test == 1 and line == ordinal)
                or (test == 2 and f.owner_id == owner_id and similar(f.text, text))
            ):
                self.claimed.add(f.id)
                return f
        return None


def _pool(occ: Occurrence | None) -> _Pool:
    """The follow-ups raised at ``occ``, and those raised earlier that a line there closed
    (one query)."""
    if occ is None or occ.id is None:
        return _Pool([], [])
    found = db.session.scalars(
        sa.select(FollowUp)
        .where(
            sa.or_(
                FollowUp.raised_occurrence_id == occ.id,
                sa.and_(FollowUp.closed_occurrence_id == occ.id, FollowUp.closed_line.is_not(None)),
            )
        )
        .order_by(FollowUp.id)
    ).all()
    raised = [f for f in found if f.raised_occurrence_id == occ.id]
    return _Pool(raised, [f for f in found if f.raised_occurrence_id != occ.id])


def _matched(
    item: ParsedFollowUp,
    wanted: tuple[Person | None, str | None, str],
    found: FollowUp,
    closing: bool,
) -> Step:
    owner, name, text = wanted
    if closing:
        action = "keep" if found.closed_line == item.ordinal else "update"
        return Step(action, item, owner, name, text, found)
    same = (found.owner_id, found.text, found.raised_line) == (_id(owner), text, item.ordinal)
    closed_here = found.closed_occurrence_id == found.raised_occurrence_id
    done = item.state != FollowUpState.OPEN
    state_same = done == closed_here or (not done and found.state == FollowUpState.OPEN)
    return Step("keep" if same and state_same else "update", item, owner, name, text, found)


def plan(
    series: Series,
    day: date,
    items: list[ParsedFollowUp],
    owners: Owners,
    occ: Occurrence | None,
    open_now: OpenFollowUps | None = None,
) -> list[Step]:
    """What saving ``items`` as the task lines of the meeting of ``day`` does (reads only).

    Lines find their follow-ups in three passes over all lines (same owner and text, then
    same ordinal, then a similar text), so a line inserted above others does not shift them.
    ``open_now``: the series' open follow-ups when the caller has them (an import run)."""
    pool = _pool(occ)
    wanted = [_wanted(item, owners) for item in items]
    steps: list[Step | None] = [None] * len(items)
    for test in (0, 1, 2):
        for i, item in enumerate(items):
            if steps[i] is not None:
                continue
            ordinal = item.ordinal if item.ordinal is not None else -1
            for closing in (False, True) if item.state != FollowUpState.OPEN else (False,):
                found = pool.match(test, wanted[i][0], wanted[i][2], ordinal, closing)
                if found is not None:
                    steps[i] = _matched(item, wanted[i], found, closing)
                    break
    done: list[Step] = []
    if open_now is None and None in steps:
        open_now = OpenFollowUps(series)
    for i, item in enumerate(items):
        owner, name, text = wanted[i]
        step = steps[i]
        closing = item.state != FollowUpState.OPEN
        # A ticked line closes a similar one; an open line restating one word for word
        # carries it over as it is.
        earlier = None
        if step is None and open_now is not None:
            earlier = open_now.earlier(day, owner, text, pool.claimed, exact=not closing)
        if earlier is not None:
            pool.claimed.add(earlier.id)
            step = Step("close" if closing else "carry", item, owner, name, text, earlier)
        done.append(step or Step("raise", item, owner, name, text))
    return done + _leftovers(pool)


def _leftovers(pool: _Pool) -> list[Step]:
    """Follow-ups a removed line had raised (removed when still open) or closed (reopened)."""
    steps = []
    for f in pool.raised:
        if f.id in pool.claimed or f.raised_line is None:
            continue
        if f.state == FollowUpState.OPEN or f.closed_occurrence_id == f.raised_occurrence_id:
            steps.append(Step("remove", None, f.owner, None, f.text, f))
    for f in pool.closed:
        if f.id not in pool.claimed:
            steps.append(Step("reopen", None, f.owner, None, f.text, f))
    return steps


def _audit_edit(actor: audit.Actor, f: FollowUp, before: tuple[object, ...]) -> None:
    after = (f.owner_id, f.text, f.due_date)
    if before != after:
        changes = {"text": [before[1], f.text]} if before[1] != f.text else {}
        audit.record(actor, "follow_up.update", "follow_up", f.id, f.text[:200], changes)


def _update(series: Series, day: date, occ: Occurrence, step: Step, actor: audit.Actor) -> bool:
    """Bring the follow-up a line matched in line with it; True when anything changed."""
    f, item = step.follow_up, step.item
    assert f is not None  # noqa: S101 - update steps have both
    assert item is not None  # noqa: S101
    before = (f.owner_id, f.text, f.due_date, f.raised_line, f.closed_line, f.state)
    if f.raised_occurrence_id == occ.id:
        f.owner, f.owner_id, f.text = step.owner, _id(step.owner), step.text
        f.raised_line = item.ordinal
        if item.due is not None:
            f.due_date = item.due
        closed_here = f.closed_occurrence_id == occ.id
        if item.state != FollowUpState.OPEN and not closed_here:
            set_follow_up_state(f, item.state, series, day, actor, occ=occ, flush=False)
        elif item.state == FollowUpState.OPEN and closed_here:
            set_follow_up_state(f, FollowUpState.OPEN, series, None, actor, flush=False)
    if item.state != FollowUpState.OPEN:
        f.closed_line = item.ordinal
    elif f.closed_occurrence_id is None:
        f.closed_line = None
    _audit_edit(actor, f, before[:3])
    # A line that only moved (another inserted or removed above it) is no update.
    return (before[:3], before[5]) != ((f.owner_id, f.text, f.due_date), f.state)


def _id(person: Person | None) -> int | None:
    return person.id if person is not None else None


def carry_out(
    series: Series,
    day: date,
    steps: list[Step],
    actor: audit.Actor,
    *,
    occ: Occurrence | None = None,
    open_now: OpenFollowUps | None = None,
) -> SyncReport:
    """Write a plan (flush only): the raised follow-ups in one flush, then every change in
    another. ``open_now`` (an import run's open follow-ups) learns what changed."""
    report = SyncReport()
    occ = occ if occ is not None else meetings.occurrence_row(series, day)
    raised: dict[int, FollowUp] = {}
    for i, step in enumerate(steps):
        if step.action == "raise" and step.item is not None:
            item = step.item
            raised[i] = new_follow_up(
                series, occ, step.owner, step.text, due=item.due, line=item.ordinal
            )
    if raised:
        db.session.flush()
    for i, step in enumerate(steps):
        f = step.follow_up
        if step.action == "raise" and step.item is not None:
            f = raised[i]
            audit_raised(f, day, actor)
            if step.item.state != FollowUpState.OPEN:
                set_follow_up_state(f, step.item.state, series, day, actor, occ=occ, flush=False)
                f.closed_line = step.item.ordinal
            report.raised += 1
        elif step.action in ("update", "keep"):
            if _update(series, day, occ, step, actor):
                report.updated += 1
        elif step.action == "close" and f is not None and step.item is not None:
            set_follow_up_state(f, step.item.state, series, day, actor, occ=occ, flush=False)
            f.closed_line = step.item.ordinal
            report.closed += 1
        elif step.action == "remove" and f is not None:
            audit.record(actor, "follow_up.delete", "follow_up", f.id, f.text[:200])
            db.session.delete(f)
            report.removed += 1
        elif step.action == "reopen" and f is not None:
            set_follow_up_state(f, FollowUpState.OPEN, series, None, actor, flush=False)
            f.closed_line = None
            report.reopened += 1
        if f is not None and step.item is not None and f.state == FollowUpState.OPEN:
            report.listed.append(f.id)
    db.session.flush()
    if open_now is not None:
        for i, step in enumerate(steps):
            f = raised.get(i, step.follow_up)
            if f is not None:
                open_now.note(f, f.raised_at.original_date)
    return report


def sync_follow_ups(
    series: Series,
    day: date,
    items: list[ParsedFollowUp],
    actor: audit.Actor,
    *,
    attendees: list[Person],
    index: PeopleIndex | None = None,
    open_now: OpenFollowUps | None = None,
    occ: Occurrence | None = None,
) -> SyncReport:
    """Make the follow-ups of the meeting of ``day`` (its row ``occ``, when the caller has it)
    what its task lines ``items`` say. ``open_now``: the series' open follow-ups, when an import
    run keeps them for its files."""
    owners = Owners(index if index is not None else PeopleIndex(), attendees)
    occ = occ if occ is not None else meetings.occurrence_row(series, day)
    try:
        steps = plan(series, day, items, owners, occ, open_now)
        return carry_out(series, day, steps, actor, occ=occ, open_now=open_now)
    except MinutesError as exc:
        raise MinutesError(f"follow-ups: {exc}") from None
