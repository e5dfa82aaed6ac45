"""The working programme: confirmed talks placed in rooms at local wall times."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import audit
from webapp.cfp.services import conflicts
from webapp.cfp.services.errors import CfpError, NotAllowed
from webapp.cfp.services.text import local_to_utc
from webapp.extensions import db
from webapp.models import Conference, Room, Submission, SubmissionState


def schedule_changed(submission: Submission, now: datetime) -> None:
    submission.sequence += 1
    submission.schedule_changed_at = now


def clear_slot(submission: Submission, now: datetime) -> None:
    submission.room_id = None
    submission.room = None
    submission.starts_at = None
    submission.ends_at = None
    schedule_changed(submission, now)


def check_talk_slot(
    submission: Submission, room: Room, local_start: datetime
) -> tuple[datetime, datetime, list[conflicts.Conflict]]:
    """The slot's instants and warnings, or the refusal (``CfpError``); writes nothing."""
    conference = submission.conference
    if submission.state != SubmissionState.CONFIRMED:
        raise NotAllowed("Only confirmed talks go into the programme.")
    if room.conference_id != conference.id:
        raise CfpError("Choose one of this conference's rooms.")
    if not conference.starts_on <= local_start.date() <= conference.ends_on:
        raise CfpError(
            f"{local_start:%Y-%m-%d} is not a day of the conference "
            f"({conference.starts_on} – {conference.ends_on})."
        )
    starts = local_to_utc(local_start, conference.zone, "Start")
    ends = starts + timedelta(minutes=submission.format.minutes)
    warnings = conflicts.check(conference, conflicts.talk_item(submission, room, starts, ends))
    return starts, ends, warnings


def place_talk(
    submission: Submission, room: Room, local_start: datetime, actor: audit.Actor, now: datetime
) -> list[conflicts.Conflict]:
    """Put a confirmed talk into ``room`` at a local wall time; returns the warnings.

    The rules are ``conflicts.check``'s: an overlap in the room is refused naming the other talk
    or block; a speaker elsewhere at the time, or a slot outside the conference's hours, is
    placed and warned about.
    """
    starts, ends, warnings = check_talk_slot(submission, room, local_start)
    if (
        submission.room_id == room.id
        and submission.starts_at == starts
        and submission.ends_at == ends
    ):
        return warnings
    before = {
        "room": submission.room.name if submission.room else None,
        "starts_at": submission.starts_at,
    }
    submission.room = room
    submission.starts_at = starts
    submission.ends_at = ends
    submission.updated_at = now
    schedule_changed(submission, now)
    db.session.flush()
    audit.record(
        actor,
        "programme.place",
        "submission",
        submission.code,
        f"{room.name} {local_start:%Y-%m-%d %H:%M}",
        audit.diff(before, {"room": room.name, "starts_at": starts}),
    )
    return warnings


def unplace_talk(submission: Submission, actor: audit.Actor, now: datetime) -> None:
    if not submission.is_placed:
        return
    clear_slot(submission, now)
    db.session.flush()
    audit.record(
        actor, "programme.unplace", "submission", submission.code, "taken out of the programme"
    )


def placed_talks(conference: Conference) -> list[Submission]:
    query = conflicts.placed_talks_query(conference)
    return list(
        db.session.scalars(
            query.order_by(Submission.starts_at, Submission.room_id, Submission.code)
        )
    )


def confirmed_talks(conference: Conference) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.CONFIRMED,
            )
            .options(
                selectinload(Submission.speakers),
                selectinload(Submission.format),
                selectinload(Submission.room),
            )
            .order_by(Submission.starts_at.is_(None).desc(), Submission.starts_at, Submission.title)
        )
    )
