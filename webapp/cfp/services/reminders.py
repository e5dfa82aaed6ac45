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


def _claim(submission: Submission, now: datetime) -> bool:
    """Count the reminder by an UPDATE that matches only the counts this run read: of two
    workers at once, one matches and the other (waiting for its row lock, then reading the new
    count) matches nothing and mails nobody; nothing is checked first."""
    seen = submission.reminders_sent
    result = db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.reminders_sent == seen)
        .values(reminders_sent=seen + 1, last_mail_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(submission, ["reminders_sent", "last_mail_at"])
        return False
    db.session.expire(submission, ["reminders_sent", "last_mail_at"])
    return True


def send_reminders(conference: Conference | None, actor: audit.Actor, now: datetime) -> int:
    """Queue the reminders that are due; running it again at once queues nothing new."""
    sent = 0
    for submission in due_reminders(conference, now):
        deadline = confirm_by(submission)
        assert deadline is not None  # noqa: S101 - due_reminders keeps dated ones only
        if not _claim(submission, now):
            continue  # another worker or node reminded this speaker a moment ago
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
