"""Speakers confirm accepted talks within the conference's deadline; reminders until then."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import audit
from webapp.cfp.services.mailing import mail_invited_speakers
from webapp.cfp.services.text import format_local
from webapp.extensions import db
from webapp.models import Conference, Submission, SubmissionState

#: A reminder goes when the last mail about the decision is at least this old …
REMINDER_GAP = timedelta(days=3)
#: … and at most this many times; the last one says so.
MAX_REMINDERS = 3


def confirm_by(submission: Submission) -> datetime | None:
    """The confirmation deadline of an accepted talk."""
    if submission.decided_at is None:
        return None
    return submission.decided_at + timedelta(days=submission.conference.confirm_days)


def past_deadline(submission: Submission, now: datetime) -> bool:
    deadline = confirm_by(submission)
    return submission.state == SubmissionState.ACCEPTED and deadline is not None and now >= deadline


def _accepted(conference: Conference | None) -> sa.Select[Submission]:
    query = (
        sa.select(Submission)
        .where(Submission.state == SubmissionState.ACCEPTED)
        .options(selectinload(Submission.speakers), selectinload(Submission.conference))
        .order_by(Submission.decided_at, Submission.id)
    )
    if conference is not None:
        query = query.where(Submission.conference_id == conference.id)
    return query


def due_reminders(conference: Conference | None, now: datetime) -> list[Submission]:
    """Accepted, unconfirmed talks whose speakers are due a reminder now."""
    due = []
    for submission in db.session.scalars(
        _accepted(conference).where(
            Submission.reminders_sent < MAX_REMINDERS,
            Submission.last_mail_at <= now - REMINDER_GAP,
        )
    ):
        deadline = confirm_by(submission)
        if deadline is not None and now < deadline:
            due.append(submission)
    return due


def send_reminders(conference: Conference | None, actor: audit.Actor, now: datetime) -> int:
    """Queue the reminders that are due; running it again at once queues nothing new."""
    sent = 0
    for submission in due_reminders(conference, now):
        deadline = confirm_by(submission)
        assert deadline is not None  # noqa: S101 - due_reminders keeps dated ones only
        submission.reminders_sent += 1
        submission.last_mail_at = now
        mail_invited_speakers(
            submission,
            "cfp_reminder",
            now,
            deadline=format_local(deadline, submission.conference),
            final=submission.reminders_sent == MAX_REMINDERS,
        )
        audit.record(
            actor,
            "submission.remind",
            "submission",
            submission.code,
            f"reminder {submission.reminders_sent} of {MAX_REMINDERS}",
        )
        sent += 1
    db.session.flush()
    return sent


def unconfirmed_past_deadline(conference: Conference, now: datetime) -> list[Submission]:
    return [s for s in db.session.scalars(_accepted(conference)) if past_deadline(s, now)]
