"""The programme as published: the talks of the latest release, for pages and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


def released_talks(conference: Conference) -> tuple[ProgrammeRelease | None, list[ReleasedTalk]]:
    """The latest release and its talks in time order (none before the first release)."""
    row = latest_release(conference)
    if row is None:
        return None, []
    talks = sorted((_released(t) for t in row.talks), key=lambda t: (t.starts_at, t.room.name))
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
