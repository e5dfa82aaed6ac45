"""Breaks, keynotes, socials and other blocks of the working programme, and its hours.

A block has a title, a kind, a room or all rooms, a start (a local wall time) and a length. It is
checked by the same rules as a talk (``conflicts.check``) and goes public with the next release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import audit
from webapp.cfp.services import conflicts
from webapp.cfp.services.errors import CfpError
from webapp.cfp.services.text import local_to_utc
from webapp.extensions import db
from webapp.models import BLOCK_KINDS, Conference, ProgrammeBlock, Room

#: The grid's row lengths an organizer may choose (minutes).
SLOT_CHOICES = (5, 10, 15, 20, 30, 60)
MAX_BLOCK_MINUTES = 12 * 60


@dataclass
class BlockData:
    title: str
    kind: str
    room_id: int | None  # None: all rooms
    local_start: datetime
    minutes: int


def _room(conference: Conference, room_id: int | None) -> Room | None:
    if room_id is None:
        return None
    room = next((r for r in conference.rooms if r.id == room_id), None)
    if room is None:
        raise CfpError("Choose one of this conference's rooms, or all rooms.")
    return room


def _checked(conference: Conference, data: BlockData) -> tuple[str, Room | None, datetime]:
    title = " ".join(data.title.split())
    if not title:
        raise CfpError("A block needs a title, e.g. Lunch.")
    if len(title) > 200 or any(ord(ch) < 32 for ch in data.title if ch not in "\t\n\r"):
        raise CfpError("The title is one line of at most 200 characters.")
    if data.kind not in BLOCK_KINDS:
        raise CfpError(f"The kind is one of {', '.join(BLOCK_KINDS)}, not {data.kind!r}.")
    if not 5 <= data.minutes <= MAX_BLOCK_MINUTES:
        raise CfpError(f"A block lasts 5 to {MAX_BLOCK_MINUTES} minutes, not {data.minutes}.")
    if not conference.starts_on <= data.local_start.date() <= conference.ends_on:
        raise CfpError(
            f"{data.local_start:%Y-%m-%d} is not a day of the conference "
            f"({conference.starts_on} – {conference.ends_on})."
        )
    return (
        title,
        _room(conference, data.room_id),
        local_to_utc(data.local_start, conference.zone, "Start"),
    )


def _snapshot(block: ProgrammeBlock) -> dict[str, object]:
    return {
        "title": block.title,
        "kind": block.kind,
        "room": block.room_name if block.starts_at else None,
        "starts_at": block.starts_at,
        "minutes": block.minutes if block.starts_at else None,
    }


def save_block(
    conference: Conference,
    block: ProgrammeBlock | None,
    data: BlockData,
    actor: audit.Actor,
    now: datetime,
) -> tuple[ProgrammeBlock, list[conflicts.Conflict]]:
    """Add a block (``block`` None) or change one; returns it and the warnings."""
    title, room, starts = _checked(conference, data)
    ends = starts + timedelta(minutes=data.minutes)
    if block is None:
        block = ProgrammeBlock(conference=conference, created_at=now)
        before: dict[str, object] = {}
    else:
        before = _snapshot(block)
    probe = conflicts.block_item(block, room, starts, ends)
    warnings = conflicts.check(conference, probe)
    block.title, block.kind, block.room = title, data.kind, room
    block.starts_at, block.ends_at, block.updated_at = starts, ends, now
    db.session.add(block)
    db.session.flush()
    audit.record(
        actor,
        "programme.block" if before else "programme.block_add",
        "conference",
        conference.id,
        f"{block.kind} “{block.title}”, {block.room_name} {data.local_start:%Y-%m-%d %H:%M}",
        audit.diff(before, _snapshot(block)) if before else None,
    )
    return block, warnings


def move_block(
    block: ProgrammeBlock,
    room_id: int | None,
    local_start: datetime,
    actor: audit.Actor,
    now: datetime,
) -> list[conflicts.Conflict]:
    """Move a block, keeping its length (an all-rooms block stays in all rooms)."""
    data = BlockData(
        block.title,
        block.kind,
        None if block.room_id is None else room_id,
        local_start,
        block.minutes,
    )
    return save_block(block.conference, block, data, actor, now)[1]


def delete_block(block: ProgrammeBlock, actor: audit.Actor) -> None:
    label = f"{block.kind} “{block.title}” removed"
    conference_id = block.conference_id
    db.session.delete(block)
    db.session.flush()
    audit.record(actor, "programme.block_remove", "conference", conference_id, label)


def blocks_of(conference: Conference) -> list[ProgrammeBlock]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeBlock)
            .where(ProgrammeBlock.conference_id == conference.id)
            .options(selectinload(ProgrammeBlock.room))
            .order_by(ProgrammeBlock.starts_at, ProgrammeBlock.id)
        )
    )


def block_by_id(conference: Conference, block_id: int) -> ProgrammeBlock | None:
    return db.session.scalar(
        sa.select(ProgrammeBlock).where(
            ProgrammeBlock.conference_id == conference.id, ProgrammeBlock.id == block_id
        )
    )


def set_hours(conference: Conference, starts: time, ends: time, slot_minutes: int) -> None:
    """The programme's daily hours and the grid's row length (a conference setting)."""
    if ends <= starts:
        raise CfpError(f"The day ends ({ends:%H:%M}) before it starts ({starts:%H:%M}).")
    if slot_minutes not in SLOT_CHOICES:
        raise CfpError(
            f"The grid's rows are {', '.join(map(str, SLOT_CHOICES))} minutes, not {slot_minutes}."
        )
    conference.day_starts = starts.replace(second=0, microsecond=0)
    conference.day_ends = ends.replace(second=0, microsecond=0)
    conference.slot_minutes = slot_minutes
