"""Late-submission links: one person may submit after the deadline, once, until a date."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time

import sqlalchemy as sa

from webapp import audit
from webapp.cfp.services.errors import CfpClosed, CfpError
from webapp.cfp.services.speaker_links import hash_token
from webapp.cfp.services.text import check_day, local_to_utc
from webapp.extensions import db
from webapp.models import Conference, LateLink, Submission
from webapp.urls import external_url

USED_MESSAGE = "This late-submission link has been used already; ask the organizers for a new one."


def late_link_for(conference: Conference, token: str | None, now: datetime) -> LateLink | None:
    """The valid, unused late-submission link with this token, if any."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        sa.select(LateLink).where(
            LateLink.conference_id == conference.id, LateLink.token_hash == hash_token(token)
        )
    )
    if link is None or link.used_at is not None or now >= link.valid_until:
        return None
    return link


def use_late_link(link: LateLink, submission: Submission, now: datetime) -> None:
    """Spend the link for ``submission``: a conditional UPDATE, so two racing posts use it once."""
    used = db.session.execute(
        sa.update(LateLink)
        .where(LateLink.id == link.id, LateLink.used_at.is_(None))
        .values(used_at=now, submission_id=submission.id)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise CfpClosed(USED_MESSAGE)
    db.session.expire(link)


def create_late_link(
    conference: Conference, label: str, valid_until_local: date, actor: audit.Actor, now: datetime
) -> tuple[LateLink, str]:
    if not label.strip():
        raise CfpError("Say who the link is for.")
    check_day(valid_until_local, "Valid until")
    until = local_to_utc(datetime.combine(valid_until_local, time(23, 59)), conference.zone)
    if until <= now:
        raise CfpError("The link must stay valid until a date in the future.")
    token = secrets.token_urlsafe(32)
    link = LateLink(
        conference_id=conference.id,
        token_hash=hash_token(token),
        label=label.strip(),
        valid_until=until,
        created_at=now,
        created_by=actor.label,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        actor, "late_link.create", "conference", conference.id, f"late link for {label.strip()}"
    )
    return link, external_url(f"/conferences/{conference.slug}/cfp?late={token}")


def late_links(conference: Conference) -> Sequence[LateLink]:
    return db.session.scalars(
        sa.select(LateLink)
        .where(LateLink.conference_id == conference.id)
        .order_by(LateLink.id.desc())
    ).all()
