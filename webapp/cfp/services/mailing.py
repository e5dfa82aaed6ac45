"""What the call for papers tells people by mail: the context of every message, and to whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from webapp import mail
from webapp.cfp.services.speaker_links import issue_speaker_link
from webapp.cfp.services.text import format_local
from webapp.extensions import db
from webapp.models import (
    Conference,
    OutboxMessage,
    Speaker,
    Submission,
    SubmissionMail,
    User,
    UserRole,
)
from webapp.urls import external_url


def organizer_emails() -> Sequence[str]:
    # Without autoflush: the messages queued so far go in one flush with the rest.
    with db.session.no_autoflush:
        return db.session.scalars(
            sa.select(User.email)
            .join(UserRole)
            .where(UserRole.role == "organizer", User.active.is_(True))
            .order_by(User.email)
        ).all()


def mail_context(
    submission: Submission, speaker: Speaker | None, link: str, **extra: object
) -> dict[str, object]:
    c = submission.conference
    return {
        "conference": {
            "name": c.name,
            "slug": c.slug,
            "deadline": format_local(c.cfp_closes_at, c),
            "dates": f"{c.starts_on} – {c.ends_on}"
            if c.ends_on != c.starts_on
            else str(c.starts_on),
            "place": c.place,
        },
        "submission": {
            "code": submission.code,
            "title": submission.title,
            "format": submission.format.label if submission.format else "",
            "speakers": submission.speaker_names,
        },
        "speaker": {"name": speaker.name, "email": speaker.email} if speaker else {},
        "link": link,
        **extra,
    }


def mail_speaker(
    submission: Submission, speaker: Speaker, template: str, now: datetime, **extra: object
) -> None:
    """A fresh private link for ``speaker`` and message ``template`` with it."""
    link = issue_speaker_link(speaker, now)
    context = mail_context(submission, speaker, link, **extra)
    record_mail(submission, mail.enqueue(speaker.email, template, context, now), template)


def record_mail(submission: Submission, message: OutboxMessage, kind: str) -> None:
    """Keep what a submission's people were told: its page lists every message queued for it."""
    # Through the row's own side: appending to ``submission.mails`` would load the collection.
    db.session.add(SubmissionMail(submission=submission, message=message, kind=kind))


def mail_invited_speakers(
    submission: Submission, template: str, now: datetime, **extra: object
) -> None:
    """``template`` to every speaker who has been invited (see ``Speaker.invited_at``)."""
    for speaker in submission.speakers:
        if speaker.invited_at is not None:
            mail_speaker(submission, speaker, template, now, **extra)


def mail_organizers(submission: Submission, now: datetime) -> None:
    link = external_url(
        f"/organize/conferences/{submission.conference.slug}/submissions/{submission.code}"
    )
    context = mail_context(submission, None, link)
    for email in organizer_emails():
        message = mail.enqueue(email, "cfp_new_submission", context, now)
        record_mail(submission, message, "cfp_new_submission")


def mail_reviewer(
    conference: Conference, reviewer: User, submissions: Sequence[Submission], now: datetime
) -> None:
    """Tell a reviewer what was assigned to them (titles and codes only: never speakers)."""
    base = f"/organize/conferences/{conference.slug}"
    context = {
        "conference": {"name": conference.name, "slug": conference.slug},
        "reviewer": {"name": reviewer.display_name},
        "submissions": [
            {"code": s.code, "title": s.title, "link": external_url(f"{base}/submissions/{s.code}")}
            for s in submissions
        ],
        "link": external_url(f"{base}/submissions?sort=date"),
    }
    mail.enqueue(reviewer.email, "cfp_review_assigned", context, now)
