"""Open follow-ups and how alike two follow-up texts are: what a save or an import run matches
a task line against (``webapp.minutes.services.task_sync``, the importer's closing lines)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import FollowUp, FollowUpState, Occurrence, Person, Series

#: How alike two texts must be (difflib's ratio) to be the same follow-up.
SIMILAR = 0.85


def plain_text(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def similar(a: str, b: str) -> bool:
    return _similar_plain(plain_text(a), plain_text(b))


def _similar_plain(a: str, b: str) -> bool:
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) / max(len(a), len(b)) < SIMILAR:
        return False
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR


def _id(person: Person | None) -> int | None:
    return person.id if person is not None else None


def open_before(series: Series, day: date, *where: sa.ColumnElement[bool]) -> list[FollowUp]:
    """The series' follow-ups raised before ``day`` and still open (and ``where``), oldest
    first (the importer's closing lines; a save uses :class:`OpenFollowUps`)."""
    raised = aliased(Occurrence)
    query = (
        sa.select(FollowUp)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(
            FollowUp.series_id == series.id,
            FollowUp.state == FollowUpState.OPEN,
            raised.original_date < day,
            *where,
        )
        .order_by(raised.original_date, FollowUp.id)
    )
    return list(db.session.scalars(query))


@dataclass(eq=False)
class _Filed:
    """An open follow-up as filed: raised when, and its text (as written, as compared)."""

    day: date
    id: int
    follow_up: FollowUp
    text: str
    plain: str


class OpenFollowUps:
    """A series' follow-ups still open, oldest raised first: read with one query, looked up by
    owner and, for a line restating one word for word, by owner and text.

    A save reads it for its meeting; an import run reads it once for all its files and notes
    what each file raised, closed or reopened (:meth:`note`), so that a later file finds the
    earlier follow-ups it closes without reading them all again. Entries are checked when used:
    one closed, deleted, given another owner or text since is skipped and dropped."""

    def __init__(self, series: Series) -> None:
        raised = aliased(Occurrence)
        query = (
            sa.select(FollowUp, raised.original_date)
            .join(raised, FollowUp.raised_occurrence_id == raised.id)
            .where(FollowUp.series_id == series.id, FollowUp.state == FollowUpState.OPEN)
            .order_by(raised.original_date, FollowUp.id)
        )
        self.by_owner: dict[int | None, list[_Filed]] = {}
        self.by_text: dict[tuple[int | None, str], list[_Filed]] = {}
        self._filed: set[tuple[int | None, str, int]] = set()
        for f, day in db.session.execute(query):
            self._file(_Filed(day, f.id, f, f.text, plain_text(f.text)), f.owner_id)

    def _file(self, entry: _Filed, owner_id: int | None) -> None:
        _insert(self.by_owner.setdefault(owner_id, []), entry)
        _insert(self.by_text.setdefault((owner_id, entry.plain), []), entry)
        self._filed.add((owner_id, entry.plain, entry.id))

    @staticmethod
    def _current(entry: _Filed, owner_id: int | None) -> bool:
        f = entry.follow_up
        return (
            f.state == FollowUpState.OPEN
            and f.owner_id == owner_id
            and f.text == entry.text
            and sa.inspect(f).persistent
        )

    def _live(self, entries: list[_Filed], owner_id: int | None) -> list[_Filed]:
        """``entries`` without the ones no longer open as filed (dropped from the list too)."""
        live = [e for e in entries if self._current(e, owner_id)]
        if len(live) < len(entries):
            kept = {e.id for e in live}
            for e in entries:
                if e.id not in kept:
                    self._filed.discard((owner_id, e.plain, e.id))
            entries[:] = live
        return entries

    def earlier(
        self, day: date, owner: Person | None, text: str, claimed: set[int], *, exact: bool
    ) -> FollowUp | None:
        """The oldest one raised before ``day``, of the same owner, not ``claimed``, with a
        similar text (``exact``: the same text, punctuation and case aside)."""
        owner_id, plain = _id(owner), plain_text(text)
        if exact:
            entries = self.by_text.get((owner_id, plain), [])
        else:
            entries = self.by_owner.get(owner_id, [])
        for e in self._live(entries, owner_id):
            if e.day >= day:
                break
            if e.id not in claimed and (exact or _similar_plain(e.plain, plain)):
                return e.follow_up
        return None

    def note(self, f: FollowUp, raised: date) -> None:
        """``f`` (raised at the meeting of ``raised``) was written: filed again if it is open."""
        plain = plain_text(f.text)
        filed = (f.owner_id, plain, f.id) in self._filed
        if f.state != FollowUpState.OPEN or f.id is None or filed:
            return
        self._file(_Filed(raised, f.id, f, f.text, plain), f.owner_id)


def _insert(entries: list[_Filed], entry: _Filed) -> None:
    """Into a list kept in raising order (an archive's files come in order: mostly appended)."""
    if entries and (entries[-1].day, entries[-1].id) > (entry.day, entry.id):
        bisect.insort(entries, entry, key=lambda e: (e.day, e.id))
    else:
        entries.append(entry)
