"""Follow-ups: raised at one meeting, closed (done, dropped) at a later one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp import audit
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings import services as meetings
from webapp.minutes.services.errors import MinutesError
from webapp.minutes.services.occurrences import stored_occurrence
from webapp.models import (
    FollowUp,
    FollowUpState,
    Occurrence,
    Person,
    Series,
)


def owner_label(item: FollowUp) -> str:
    return item.owner.name if item.owner else "no owner"


def _check_follow_up(day: date, text: str, due: date | None) -> str:
    text = " ".join(text.split())
    if not text:
        raise MinutesError("a follow-up needs a text")
    if len(text) > 1000:
        raise MinutesError("a follow-up may have at most 1000 characters")
    if due is not None and due < day:
        raise MinutesError(f"the due date {due} is before the meeting that raised it ({day})")
    return text


def new_follow_up(
    series: Series,
    occ: Occurrence,
    owner: Person | None,
    text: str,
    *,
    due: date | None = None,
    line: int | None = None,
) -> FollowUp:
    """A follow-up raised at ``occ``, added to the session but neither flushed nor audited: a
    caller raising many flushes once, then audits each (:func:`audit_raised`)."""
    text = _check_follow_up(occ.original_date, text, due)
    item = FollowUp(
        series_id=series.id,
        text=text,
        owner_id=owner.id if owner else None,
        owner=owner,
        raised_occurrence_id=occ.id,
        raised_at=occ,
        raised_line=line,
        due_date=due,
        state=FollowUpState.OPEN,
    )
    db.session.add(item)
    return item


def audit_raised(item: FollowUp, day: date, actor: audit.Actor) -> None:
    audit.record(
        actor,
        "follow_up.create",
        "follow_up",
        item.id,
        f"{owner_label(item)}: {item.text}",
        {"raised": str(day)},
    )


def add_follow_up(
    series: Series,
    day: date,
    owner: Person | None,
    text: str,
    actor: audit.Actor,
    *,
    due: date | None = None,
) -> FollowUp:
    _check_follow_up(day, text, due)
    occ = meetings.occurrence_row(series, day)
    item = new_follow_up(series, occ, owner, text, due=due)
    db.session.flush()
    audit_raised(item, day, actor)
    return item


def set_follow_up_state(
    item: FollowUp,
    state: str,
    series: Series,
    day: date | None,
    actor: audit.Actor,
    *,
    occ: Occurrence | None = None,
    flush: bool = True,
) -> None:
    """Close (done, dropped) at the meeting of ``day`` (its row ``occ`` when the caller has it),
    or reopen (``open``). ``flush=False``: the caller flushes (once, for many)."""
    if state not in (FollowUpState.OPEN, FollowUpState.DONE, FollowUpState.DROPPED):
        raise MinutesError(f"state {state!r} is not open, done or dropped")
    was = item.state
    if state == FollowUpState.OPEN:
        item.state, item.closed_occurrence_id, item.closed_at = FollowUpState.OPEN, None, None
        item.close_note = ""
    else:
        if day is None:
            raise MinutesError("say at which meeting the follow-up was closed")
        if day < item.raised_at.original_date:
            raise MinutesError(f"the meeting of {day} is before the one that raised it")
        occ = occ if occ is not None else meetings.occurrence_row(series, day)
        item.state, item.closed_occurrence_id, item.closed_at = state, occ.id, occ
    if flush:
        db.session.flush()
    audit.record(
        actor,
        "follow_up.state",
        "follow_up",
        item.id,
        f"{owner_label(item)}: {item.text}",
        {"state": [was, state], "at": str(day) if day else None},
    )


def _follow_ups(series: Series) -> sa.Select[FollowUp]:
    return sa.select(FollowUp).where(FollowUp.series_id == series.id)


def age_in_meetings(series: Series, raised: date, at: date) -> int:
    return schedule.count_between(
        meetings.rules_of(series), meetings.changes_of(series), raised, at
    )


def ages_in_meetings(series: Series, raised: Iterable[date], at: date) -> dict[date, int]:
    """``age_in_meetings`` for many raise dates at once: the schedule is read once, not per item."""
    rules, changes = meetings.rules_of(series), meetings.changes_of(series)
    return {day: schedule.count_between(rules, changes, day, at) for day in set(raised)}


def open_at(series: Series, day: date) -> list[tuple[FollowUp, int]]:
    """Follow-ups still open at the meeting of ``day``: raised earlier, not closed at or before
    it; with their age in meetings."""
    raised, closed = aliased(Occurrence), aliased(Occurrence)
    query = (
        _follow_ups(series)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .outerjoin(closed, FollowUp.closed_occurrence_id == closed.id)
        .where(raised.original_date < day, sa.or_(closed.id.is_(None), closed.original_date > day))
        .order_by(raised.original_date, FollowUp.id)
    )
    return [
        (f, age_in_meetings(series, f.raised_at.original_date, day))
        for f in db.session.scalars(query)
    ]


def raised_at(series: Series, day: date) -> list[FollowUp]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            _follow_ups(series).where(FollowUp.raised_occurrence_id == occ.id).order_by(FollowUp.id)
        )
    )


def closed_at(series: Series, day: date) -> list[FollowUp]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            _follow_ups(series).where(FollowUp.closed_occurrence_id == occ.id).order_by(FollowUp.id)
        )
    )


def open_by_owner(series: Series) -> list[tuple[Person | None, list[FollowUp]]]:
    """Open follow-ups by owner (by name; the ones nobody owns last)."""
    raised = aliased(Occurrence)
    query = (
        _follow_ups(series)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(FollowUp.state == FollowUpState.OPEN)
        .order_by(raised.original_date, FollowUp.id)
    )
    groups: dict[int | None, tuple[Person | None, list[FollowUp]]] = {}
    for item in db.session.scalars(query):
        groups.setdefault(item.owner_id, (item.owner, []))[1].append(item)
    return sorted(
        groups.values(), key=lambda g: (g[0] is None, g[0].name.casefold() if g[0] else "")
    )


def follow_ups_of(person: Person, *, public_only: bool = False) -> list[FollowUp]:
    """A person's follow-ups, open first; ``public_only``: those of public series."""
    raised = aliased(Occurrence)
    query = (
        sa.select(FollowUp)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(FollowUp.owner_id == person.id)
        .order_by(FollowUp.state != FollowUpState.OPEN, raised.original_date.desc(), FollowUp.id)
    )
    if public_only:
        query = query.join(Series, FollowUp.series_id == Series.id).where(Series.public.is_(True))
    return list(db.session.scalars(query))
