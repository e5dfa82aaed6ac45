"""The programme as published: the talks of the latest release, for pages and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from webapp.cfp.services.releases import latest_release
from webapp.extensions import db
from webapp.models import Conference, ProgrammeRelease


@dataclass(frozen=True)
class Named:
    name: str
    id: int = 0
    affiliation: str = ""
    bio: str = ""
    minutes: int = 0


@dataclass(frozen=True)
class ReleasedTalk:
    """A talk as the latest release published it (never the working programme)."""

    id: int
    code: str
    title: str
    abstract: str
    format: Named
    track: Named | None
    room: Named
    starts_at: datetime
    ends_at: datetime
    speakers: tuple[Named, ...]
    sequence: int
    last_modified: datetime
    #: (question, answer) of the public custom questions.
    answers: tuple[tuple[str, str], ...] = ()

    @property
    def speaker_names(self) -> str:
        return ", ".join(s.name for s in self.speakers)


def _released(t: dict[str, Any]) -> ReleasedTalk:
    return ReleasedTalk(
        id=t["id"],
        code=t["code"],
        title=t["title"],
        abstract=t["abstract"],
        format=Named(t["format"], minutes=t["minutes"]),
        track=Named(t["track"]) if t.get("track") else None,
        room=Named(t["room"]),
        starts_at=datetime.fromisoformat(t["starts_at"]),
        ends_at=datetime.fromisoformat(t["ends_at"]),
        speakers=tuple(
            Named(s["name"], id=s["id"], affiliation=s["affiliation"], bio=s["bio"])
            for s in t["speakers"]
        ),
        sequence=t["sequence"],
        last_modified=datetime.fromisoformat(t["last_modified"]),
        answers=tuple((q, a) for q, a in t.get("answers", ())),
    )


@dataclass(frozen=True)
class ReleasedBlock:
    """A break, keynote, social or other block as the latest release published it."""

    id: int
    code: str  # block-ID: its key in the changes
    title: str
    kind: str
    room: Named | None  # None: every room
    starts_at: datetime
    ends_at: datetime
    sequence: int
    last_modified: datetime

    @property
    def room_name(self) -> str:
        return self.room.name if self.room else "All rooms"


def _released_block(b: dict[str, Any]) -> ReleasedBlock:
    return ReleasedBlock(
        id=b["id"],
        code=b["code"],
        title=b["title"],
        kind=b["kind"],
        room=Named(b["room"]) if b.get("room") else None,
        starts_at=datetime.fromisoformat(b["starts_at"]),
        ends_at=datetime.fromisoformat(b["ends_at"]),
        sequence=b["sequence"],
        last_modified=datetime.fromisoformat(b["last_modified"]),
    )


def released_programme(
    conference: Conference,
) -> tuple[ProgrammeRelease | None, list[ReleasedTalk], list[ReleasedBlock]]:
    """The latest release, its talks and its blocks in time order (none before a release)."""
    row = latest_release(conference)
    if row is None:
        return None, [], []
    talks = sorted((_released(t) for t in row.talks), key=lambda t: (t.starts_at, t.room.name))
    blocks = sorted(
        (_released_block(b) for b in row.blocks or []), key=lambda b: (b.starts_at, b.id)
    )
    return row, talks, blocks


@dataclass(frozen=True)
class ProgrammeDay:
    """One day of the public programme in time order: its parts are blocks in every room (a
    lunch) and, between them, each room's talks and blocks (the rooms beside one another)."""

    day: date
    parts: list[ReleasedBlock | list[tuple[str, list[ReleasedTalk | ReleasedBlock]]]]


def programme_days(
    conference: Conference, talks: list[ReleasedTalk], blocks: list[ReleasedBlock]
) -> list[ProgrammeDay]:
    """The released programme by day, by start time, and by room in the conference's rooms'
    order: a block in all rooms splits the day, so the 12:00 lunch comes after the 10:00 talks."""
    by_day: dict[date, list[ReleasedTalk | ReleasedBlock]] = {}
    every: list[ReleasedTalk | ReleasedBlock] = [*talks, *blocks]
    for item in sorted(every, key=lambda i: i.starts_at):
        by_day.setdefault(conference.local(item.starts_at).date(), []).append(item)
    days = []
    for day, items in sorted(by_day.items()):
        parts: list[ReleasedBlock | list[tuple[str, list[ReleasedTalk | ReleasedBlock]]]] = []
        in_rooms: dict[str, list[ReleasedTalk | ReleasedBlock]] = {}
        for item in items:
            if item.room is None:
                parts.extend([_rooms(conference, in_rooms)] if in_rooms else [])
                parts.append(item)  # type: ignore[arg-type]
                in_rooms = {}
            else:
                in_rooms.setdefault(item.room.name, []).append(item)
        parts.extend([_rooms(conference, in_rooms)] if in_rooms else [])
        days.append(ProgrammeDay(day, parts))
    return days


def _rooms(
    conference: Conference, in_rooms: dict[str, list[ReleasedTalk | ReleasedBlock]]
) -> list[tuple[str, list[ReleasedTalk | ReleasedBlock]]]:
    """The rooms with something in them, in the conference's rooms' order."""
    order = {r.name: n for n, r in enumerate(conference.rooms)}
    return sorted(in_rooms.items(), key=lambda pair: order.get(pair[0], len(order)))


def released_talks(conference: Conference) -> tuple[ProgrammeRelease | None, list[ReleasedTalk]]:
    """The latest release and its talks in time order (none before the first release)."""
    row, talks, _ = released_programme(conference)
    return row, talks


def released_talk(conference: Conference, code: str) -> ReleasedTalk | None:
    _, talks = released_talks(conference)
    return next((t for t in talks if t.code == code), None)


def published_conferences() -> list[Conference]:
    """Conferences with a released programme (for the site-wide calendar)."""
    released = (
        sa.select(ProgrammeRelease.id)
        .where(ProgrammeRelease.conference_id == Conference.id)
        .exists()
    )
    return list(
        db.session.scalars(sa.select(Conference).where(released).order_by(Conference.starts_on))
    )
