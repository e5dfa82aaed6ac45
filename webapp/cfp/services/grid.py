"""The schedule grid of one conference day: rooms as columns, rows of the conference's slot length.

Pure layout over the working programme: each talk or block gets a grid row, a span and a column
(CSS classes in ``static/css/grid.css``), the free runs of each room are listed, and the conflicts
of ``conflicts.conflicts_of`` are attached to the blocks they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from webapp.cfp.services import conference as conference_settings
from webapp.cfp.services import conflicts
from webapp.cfp.services.blocks import blocks_of
from webapp.cfp.services.programme import confirmed_talks
from webapp.models import Conference, ProgrammeBlock, Room, Submission

#: The grid's CSS has classes for this many rows (a day of 5-minute slots) and room columns.
MAX_ROWS = 24 * 60 // 5
MAX_ROOMS = conference_settings.MAX_ROOMS
DAY_MINUTES = 24 * 60


@dataclass
class Entry:
    """A talk or block on the grid."""

    key: str
    kind: str  # talk, break, keynote, social, other
    title: str
    code: str
    speakers: str
    room_id: int | None
    col: int  # grid column (2: the first room); 0 with ``all_rooms``
    row: int  # grid row (2: the first slot)
    span: int
    day: date
    start: str
    end: str
    all_rooms: bool = False
    minutes: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass
class Cell:
    room_id: int
    col: int
    row: int
    start: str
    free: bool


@dataclass
class FreeRun:
    col: int
    row: int
    span: int
    label: str


@dataclass
class GridDay:
    conference: Conference
    day: date
    days: list[date]
    rooms: list[Room]
    slot: int
    rows: list[tuple[int, str]]  # (grid row, "HH:MM") of each slot
    entries: list[Entry]
    cells: list[Cell]
    free: list[FreeRun]
    unplaced: list[Submission]
    conflicts: list[conflicts.Conflict]
    starts: list[str]  # every slot start, for the move dialog


def conference_days(conference: Conference) -> list[date]:
    count = (conference.ends_on - conference.starts_on).days + 1
    return [conference.starts_on + timedelta(days=i) for i in range(count)]


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


def _local_span(conference: Conference, starts: datetime, ends: datetime) -> tuple[date, int, int]:
    """Day, start and end minute of local wall time (an end past midnight is cut there)."""
    start, end = conference.local(starts), conference.local(ends)
    last = _minute(end.time()) if end.date() == start.date() else DAY_MINUTES
    return start.date(), _minute(start.time()), max(last, _minute(start.time()) + 1)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _items(
    conference: Conference, day: date, talks: list[Submission]
) -> list[tuple[str, object, int, int]]:
    """(key, talk or block, start minute, end minute) of the day's placed talks and blocks."""
    found: list[tuple[str, object, int, int]] = []
    for t in talks:
        if t.starts_at is not None and t.ends_at is not None:
            d, a, b = _local_span(conference, t.starts_at, t.ends_at)
            if d == day:
                found.append((f"talk:{t.code}", t, a, b))
    for blk in blocks_of(conference):
        d, a, b = _local_span(conference, blk.starts_at, blk.ends_at)
        if d == day:
            found.append((f"block:{blk.id}", blk, a, b))
    return found


def _entry(
    key: str, thing: object, a: int, b: int, first: int, slot: int, cols: dict[int, int], day: date
) -> Entry:
    row = 2 + (a - first) // slot
    span = max(1, -(-(b - first) // slot) - (a - first) // slot)
    if isinstance(thing, Submission):
        return Entry(
            key=key,
            kind="talk",
            title=thing.title,
            code=thing.code,
            speakers=thing.speaker_names,
            room_id=thing.room_id,
            col=cols.get(thing.room_id or 0, 2),
            row=row,
            span=span,
            day=day,
            start=_hhmm(a),
            end=_hhmm(b),
            minutes=thing.format.minutes,
        )
    if not isinstance(thing, ProgrammeBlock):
        raise TypeError(thing)
    return Entry(
        key=key,
        kind=thing.kind,
        title=thing.title,
        code="",
        speakers="",
        room_id=thing.room_id,
        col=cols.get(thing.room_id or 0, 0),
        row=row,
        span=span,
        day=day,
        start=_hhmm(a),
        end=_hhmm(b),
        all_rooms=thing.room_id is None,
        minutes=thing.minutes,
    )


def _free(
    rooms: list[Room], entries: list[Entry], nrows: int, first: int, slot: int
) -> tuple[list[Cell], list[FreeRun]]:
    taken: set[tuple[int, int]] = set()
    for e in entries:
        cols = [2 + i for i in range(len(rooms))] if e.all_rooms else [e.col]
        for col in cols:
            taken.update((col, r) for r in range(e.row, e.row + e.span))
    cells, runs = [], []
    for i, room in enumerate(rooms):
        col, run_start = 2 + i, None
        for n in range(nrows + 1):
            row = 2 + n
            free = n < nrows and (col, row) not in taken
            if n < nrows:
                cells.append(Cell(room.id, col, row, _hhmm(first + n * slot), free))
            if free and run_start is None:
                run_start = row
            elif not free and run_start is not None:
                a, b = first + (run_start - 2) * slot, first + (row - 2) * slot
                runs.append(FreeRun(col, run_start, row - run_start, f"Free {_hhmm(a)}–{_hhmm(b)}"))
                run_start = None
    return cells, runs


def grid_day(conference: Conference, day: date) -> GridDay:
    """The layout of ``day`` (a day of the conference)."""
    slot = conference.slot_minutes or 15
    rooms = list(conference.rooms)[:MAX_ROOMS]
    cols = {r.id: 2 + i for i, r in enumerate(rooms)}
    talks = confirmed_talks(conference)
    items = _items(conference, day, talks)
    first = min([_minute(conference.day_starts)] + [a for _, _, a, _ in items])
    last = max([_minute(conference.day_ends)] + [b for _, _, _, b in items])
    first -= first % slot
    nrows = min(-(-(last - first) // slot), MAX_ROWS)
    entries = [_entry(k, t, a, b, first, slot, cols, day) for k, t, a, b in items]
    found = conflicts.conflicts_of(conference)
    by_key = {e.key: e for e in entries}
    for c in found:
        for key in c.keys:
            if key in by_key:
                by_key[key].messages.append(c.message)
    cells, runs = _free(rooms, entries, nrows, first, slot)
    return GridDay(
        conference=conference,
        day=day,
        days=conference_days(conference),
        rooms=rooms,
        slot=slot,
        rows=[(2 + n, _hhmm(first + n * slot)) for n in range(nrows)],
        entries=entries,
        cells=cells,
        free=runs,
        unplaced=[t for t in talks if t.starts_at is None],
        conflicts=found,
        starts=[_hhmm(m) for m in range(0, DAY_MINUTES, slot)],
    )
