"""What an import run reads once for all its files, instead of once per file.

Everyone (:class:`PeopleIndex`), each series (with its rules and meetings) and its open
follow-ups (:class:`OpenFollowUps`) are read at the run's first file that needs them and kept
up to date as files write people and follow-ups, so a file costs its own lines, not the size
of the archive imported before it. The run's session keeps its objects loaded across the
per-file commits (:func:`kept_loaded`); a file that fails is rolled back, and whatever it had
added to the indexes with it: they are read again (:meth:`RunIndexes.forget`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.open_follow_ups import OpenFollowUps
from webapp.models import Series


class RunIndexes:
    """The indexes one import run shares between its files."""

    def __init__(self) -> None:
        self._people: PeopleIndex | None = None
        self._open: dict[int, OpenFollowUps] = {}
        self._series: dict[str, Series] = {}

    def series(self, slug: str) -> Series:
        """The series ``slug`` (with its rules and meetings, read once)."""
        if slug not in self._series:
            self._series[slug] = meetings.get_series(slug)
        return self._series[slug]

    def people(self) -> PeopleIndex:
        if self._people is None:
            self._people = PeopleIndex()
        return self._people

    def open_follow_ups(self, series: Series) -> OpenFollowUps:
        if series.id not in self._open:
            self._open[series.id] = OpenFollowUps(series)
        return self._open[series.id]

    def forget_open(self, series: Series) -> None:
        """Follow-ups were written another way (an export's front matter): read them again."""
        self._open.pop(series.id, None)

    def forget(self) -> None:
        """After a rollback: everything is read again."""
        self._people = None
        self._open = {}
        self._series = {}


@contextmanager
def kept_loaded() -> Iterator[None]:
    """The session does not expire its objects at each commit while the run imports: the
    indexes' people and follow-ups, the series and its meetings stay loaded (a rollback still
    expires them)."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before
