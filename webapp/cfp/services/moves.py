"""One move of the working programme (the grid, its keyboard dialog, Undo and the CLI).

An item is a talk (``talk:CODE``, or just its code) or a block (``block:ID``). A move places it
through ``place_talk`` or ``move_block``, so every entry point is refused or warned by the same
rules, and answers with what Undo needs to put it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from webapp import audit, dates
from webapp.cfp.services.blocks import block_by_id, move_block
from webapp.cfp.services.errors import CfpError
from webapp.cfp.services.programme import place_talk, unplace_talk
from webapp.extensions import db
from webapp.models import Conference, ProgrammeBlock, Submission

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass
class Move:
    item: str
    title: str
    message: str
    warnings: list[str] = field(default_factory=list)
    undo: dict[str, str] = field(default_factory=dict)


def parse_slot(day: str, start: str) -> datetime:
    """``YYYY-MM-DD`` and ``HH:MM`` as a local wall time; a ``CfpError`` names the bad part."""
    try:
        parsed = dates.parse_day(day.strip(), "The day")
    except ValueError as exc:
        raise CfpError(str(exc)) from None
    match = _TIME.match(start.strip())
    if match is None:
        raise CfpError(f"“{start[:20]}” is not a time written HH:MM.")
    return datetime(parsed.year, parsed.month, parsed.day, int(match[1]), int(match[2]))  # noqa: DTZ001 - a local wall time


def find_item(conference: Conference, key: str) -> Submission | ProgrammeBlock:
    kind, _, ident = key.strip().rpartition(":")
    if kind == "block":
        block = block_by_id(conference, int(ident)) if ident.isdigit() and len(ident) < 10 else None
        if block is None:
            raise CfpError(f"No block {ident[:20]!r} in this conference.")
        return block
    talk = db.session.scalar(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code == ident[:12]
        )
    )
    if talk is None or kind not in ("", "talk"):
        raise CfpError(f"No talk {ident[:20]!r} in this conference.")
    return talk


def slot_of(conference: Conference, thing: Submission | ProgrammeBlock, key: str) -> dict[str, str]:
    """Where ``thing`` is now, as the fields of a move (what Undo sends back)."""
    if thing.starts_at is None:
        return {"item": key, "unplace": "1"}
    local = conference.local(thing.starts_at)
    return {
        "item": key,
        "room": str(thing.room_id or ""),
        "day": local.date().isoformat(),
        "start": f"{local:%H:%M}",
    }


def move_item(
    conference: Conference,
    key: str,
    room_id: int | None,
    local_start: datetime | None,
    actor: audit.Actor,
    now: datetime,
) -> Move:
    """Move (or, with ``local_start`` None, take out) a talk or block; flushes, never commits."""
    thing = find_item(conference, key)
    key = f"block:{thing.id}" if isinstance(thing, ProgrammeBlock) else f"talk:{thing.code}"
    undo = slot_of(conference, thing, key)
    if local_start is None:
        if isinstance(thing, ProgrammeBlock):
            raise CfpError("A block stays in the programme; delete it from its page instead.")
        unplace_talk(thing, actor, now)
        return Move(key, thing.title, f"“{thing.title}” is out of the programme.", undo=undo)
    if isinstance(thing, ProgrammeBlock):
        warnings = move_block(thing, room_id, local_start, actor, now)
    else:
        room = next((r for r in conference.rooms if r.id == room_id), None)
        if room is None:
            raise CfpError("Choose one of this conference's rooms.")
        warnings = place_talk(thing, room, local_start, actor, now)
    where = thing.room.name if thing.room is not None else "all rooms"
    return Move(
        key,
        thing.title,
        f"“{thing.title}” is now in {where}, {local_start:%a %d %b %H:%M}.",
        [w.message for w in warnings],
        undo,
    )
