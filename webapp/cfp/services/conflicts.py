"""Conflicts of the working programme: one set of rules for the grid, the form and the CLI.

A placement (a talk or a block) is checked against the rest of the programme:

- refused: two talks or blocks in one room at once (an all-rooms block counts in every room
  only against another all-rooms block), or a day outside the conference;
- warned (placed, and shown on the grid until resolved): a speaker in two places at once, a talk
  or block outside the conference's hours, a room used by a talk (or a room's block) during an
  all-rooms block.

``check`` answers for one placement; ``conflicts_of`` lists every conflict of a conference,
in time linear in the programme plus the conflicts found (a sweep over items sorted by start).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.cfp.services.errors import SlotConflict
from webapp.extensions import db
from webapp.models import Conference, ProgrammeBlock, Room, Submission, SubmissionState

ROOM, ALL_ROOMS, SPEAKER, HOURS, DAYS = "room", "all-rooms", "speaker", "hours", "days"
#: Kinds that refuse a placement; the others are warnings.
REFUSED = frozenset({ROOM, DAYS})


@dataclass(frozen=True)
class Item:
    """A placed talk or block, as the rules see it."""

    key: str  # "talk:CODE" or "block:ID"
    title: str
    label: str  # what a message calls it: “Title” (CODE)
    room_id: int | None  # None: every room
    room_name: str
    starts_at: datetime
    ends_at: datetime
    speakers: tuple[tuple[str, str], ...] = ()  # (lower-case address, name)


@dataclass(frozen=True)
class Conflict:
    kind: str
    message: str
    keys: tuple[str, ...] = field(default=())

    @property
    def refused(self) -> bool:
        return self.kind in REFUSED


def talk_item(
    talk: Submission,
    room: Room | None = None,
    starts: datetime | None = None,
    ends: datetime | None = None,
) -> Item:
    """The talk as it is, or (with ``room``, ``starts``, ``ends``) as it would be."""
    room = room or talk.room
    return Item(
        key=f"talk:{talk.code}",
        title=talk.title,
        label=f"“{talk.title}” ({talk.code})",
        room_id=room.id if room else None,
        room_name=room.name if room else "",
        starts_at=starts or talk.starts_at,  # type: ignore[arg-type]
        ends_at=ends or talk.ends_at,  # type: ignore[arg-type]
        speakers=tuple((s.email.strip().lower(), s.name) for s in talk.speakers),
    )


def block_item(block: ProgrammeBlock, room: Room | None, starts: datetime, ends: datetime) -> Item:
    return Item(
        key=f"block:{block.id or 'new'}",
        title=block.title,
        label=f"“{block.title}”",
        room_id=room.id if room else None,
        room_name=room.name if room else "all rooms",
        starts_at=starts,
        ends_at=ends,
    )


def _when(conference: Conference, a: Item, b: Item | None = None) -> str:
    start = max(a.starts_at, b.starts_at) if b else a.starts_at
    end = min(a.ends_at, b.ends_at) if b else a.ends_at
    return f"{conference.local(start):%a %H:%M}–{conference.local(end):%H:%M}"


def _pair(conference: Conference, new: Item, other: Item) -> list[Conflict]:
    """What ``new`` and ``other`` (overlapping in time) conflict in."""
    keys = (new.key, other.key)
    found = []
    if new.room_id == other.room_id:
        where = new.room_name if new.room_id else "Every room"
        what = (
            f"{where[0].upper()}{where[1:]} is taken then by {other.label}, "
            f"{conference.local(other.starts_at):%a %H:%M}–{conference.local(other.ends_at):%H:%M}."
        )
        found.append(Conflict(ROOM, what, keys))
    elif new.room_id is None or other.room_id is None:
        block, used = (new, other) if new.room_id is None else (other, new)
        found.append(
            Conflict(
                ALL_ROOMS,
                f"{block.label} is in all rooms, but {used.room_name} has {used.label} then "
                f"({_when(conference, new, other)}).",
                keys,
            )
        )
    for address, name in new.speakers:
        if any(address == a for a, _ in other.speakers) and new.room_id != other.room_id:
            found.append(
                Conflict(
                    SPEAKER,
                    f"{name} is in two places at once: {new.label} in {new.room_name} and "
                    f"{other.label} in {other.room_name} ({_when(conference, new, other)}).",
                    keys,
                )
            )
    return found


def _alone(conference: Conference, item: Item) -> list[Conflict]:
    """Conflicts of one item with the conference itself: its days and hours."""
    start, end = conference.local(item.starts_at), conference.local(item.ends_at)
    if not conference.starts_on <= start.date() <= conference.ends_on:
        return [
            Conflict(
                DAYS,
                f"{item.label}: {start:%Y-%m-%d} is not a day of the conference "
                f"({conference.starts_on} – {conference.ends_on}).",
                (item.key,),
            )
        ]
    inside = (
        start.date() == end.date()
        and conference.day_starts <= start.time()
        and end.time() <= conference.day_ends
    )
    if not inside:
        return [
            Conflict(
                HOURS,
                f"{item.label} ({_when(conference, item)}) is outside the conference's hours "
                f"({conference.day_starts:%H:%M}–{conference.day_ends:%H:%M}).",
                (item.key,),
            )
        ]
    return []


def placed_talks_query(conference: Conference) -> sa.Select[Submission]:
    """The confirmed talks that have a slot, with their speakers and room."""
    return (
        sa.select(Submission)
        .where(
            Submission.conference_id == conference.id,
            Submission.state == SubmissionState.CONFIRMED,
            Submission.starts_at.is_not(None),
        )
        .options(selectinload(Submission.speakers), selectinload(Submission.room))
    )


def placed_items(
    conference: Conference, starts: datetime | None = None, ends: datetime | None = None
) -> list[Item]:
    """Every placed confirmed talk and every block (only those overlapping ``starts``–``ends``)."""
    talks = placed_talks_query(conference)
    blocks = (
        sa.select(ProgrammeBlock)
        .where(ProgrammeBlock.conference_id == conference.id)
        .options(selectinload(ProgrammeBlock.room))
    )
    if starts is not None and ends is not None:
        talks = talks.where(Submission.starts_at < ends, Submission.ends_at > starts)
        blocks = blocks.where(ProgrammeBlock.starts_at < ends, ProgrammeBlock.ends_at > starts)
    items = [talk_item(t) for t in db.session.scalars(talks)]
    items += [block_item(b, b.room, b.starts_at, b.ends_at) for b in db.session.scalars(blocks)]
    return sorted(items, key=lambda i: (i.starts_at, i.key))


def check(conference: Conference, item: Item) -> list[Conflict]:
    """The conflicts ``item`` would have if placed; raises ``SlotConflict`` for a refused one.

    Returns the warnings (the caller places the item and shows them). The conference's row is
    locked first (PostgreSQL), so two moves into one slot at once are checked one after the other.
    """
    db.session.execute(
        sa.select(Conference.id).where(Conference.id == conference.id).with_for_update()
    )
    found = _alone(conference, item)
    for other in placed_items(conference, item.starts_at, item.ends_at):
        if other.key != item.key:
            found += _pair(conference, item, other)
    refusal = next((c for c in found if c.refused), None)
    if refusal is not None:
        raise SlotConflict(refusal.message)
    return found


def _sweep(items: Iterable[Item]) -> Iterable[tuple[Item, Item]]:
    """Pairs of items that overlap in time (``items`` sorted by start)."""
    active: list[Item] = []
    for item in items:
        active = [a for a in active if a.ends_at > item.starts_at]
        for other in active:
            yield other, item
        active.append(item)


def conflicts_of(conference: Conference, items: list[Item] | None = None) -> list[Conflict]:
    """Every conflict of the working programme, in time order of the first item involved."""
    items = placed_items(conference) if items is None else items
    found: list[Conflict] = []
    for item in items:
        found += _alone(conference, item)
    by_room: dict[int | None, list[Item]] = defaultdict(list)
    by_speaker: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_room[item.room_id].append(item)
        for address, _ in item.speakers:
            by_speaker[address].append(item)
    seen: set[tuple[str, frozenset[str]]] = set()

    def add(conflicts: list[Conflict]) -> None:
        for c in conflicts:
            if (c.kind, frozenset(c.keys)) not in seen:
                seen.add((c.kind, frozenset(c.keys)))
                found.append(c)

    for room_items in by_room.values():
        for a, b in _sweep(room_items):
            where = a.room_name if a.room_id else "every room"
            add(
                [
                    Conflict(
                        ROOM,
                        f"{a.label} and {b.label} overlap in {where} ({_when(conference, a, b)}).",
                        (a.key, b.key),
                    )
                ]
            )
    everywhere = by_room.get(None, [])
    if everywhere:
        for a, b in _sweep(sorted(items, key=lambda i: (i.starts_at, i.key))):
            if (a.room_id is None) != (b.room_id is None):
                add([c for c in _pair(conference, b, a) if c.kind == ALL_ROOMS])
    for speaker_items in by_speaker.values():
        for a, b in _sweep(speaker_items):
            add([c for c in _pair(conference, b, a) if c.kind == SPEAKER])
    return found
