"""Submissions: the public form's proposal, its speakers, and what speakers may change later.

``submit`` decides everything about one POST of the form: whether this form was sent before
(its ``form_token``, looked up once, then a get-or-create under a savepoint for the race), whether
the call is open (or a late link lets the speaker in), and the per-address limit, counted in the
same transaction as the insert.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from webapp import addresses, audit, mail
from webapp.cfp.services.errors import CfpClosed, CfpError, LimitReached, NotAllowed
from webapp.cfp.services.late_links import late_link_for, use_late_link
from webapp.cfp.services.mailing import mail_organizers, mail_speaker, record_mail
from webapp.cfp.services.questions import check_answers
from webapp.cfp.services.speaker_links import issue_speaker_link
from webapp.cfp.services.text import format_local
from webapp.extensions import db
from webapp.models import (
    ACCEPTED_STATES,
    Conference,
    LateLink,
    Speaker,
    Submission,
    SubmissionState,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3456789"  # no 0/O, 1/I/L, 2/Z look-alikes


@dataclass
class SpeakerData:
    name: str
    email: str
    affiliation: str = ""
    bio: str = ""


@dataclass
class SubmissionData:
    title: str
    format_id: int
    track_id: int | None
    abstract: str
    description: str = ""
    notes: str = ""
    speaker: SpeakerData | None = None
    co_speakers: list[SpeakerData] = field(default_factory=list)
    #: Answers to the conference's custom questions, by question id (as text).
    answers: dict[str, Any] = field(default_factory=dict)


def new_code() -> str:
    """A random public code; the unique constraint catches the rare collision."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def submission_by_form_token(token: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.form_token == token))


def _check_choice(conference: Conference, data: SubmissionData) -> None:
    if data.format_id not in {f.id for f in conference.formats}:
        raise CfpError("Choose one of the session formats.")
    if data.track_id is not None and data.track_id not in {t.id for t in conference.tracks}:
        raise CfpError("Choose one of the tracks.")


def _check_speakers(data: SubmissionData) -> SpeakerData:
    if data.speaker is None:
        raise CfpError("A submission needs a speaker.")
    everyone = [data.speaker, *data.co_speakers]
    emails = [addresses.key_or_none(s.email) or s.email.strip().lower() for s in everyone]
    if len(set(emails)) != len(emails):
        raise CfpError("Each speaker needs a different email address.")
    return data.speaker


def closed_message(conference: Conference, now: datetime) -> str:
    if conference.cfp(now).before_opening:
        return f"The call for papers opens on {format_local(conference.cfp_opens_at, conference)}."
    return f"The call for papers closed on {format_local(conference.cfp_closes_at, conference)}."


def cfp_entry(conference: Conference, late_token: str | None, now: datetime) -> LateLink | None:
    """None while the call is open; outside it the late link that lets one person in, or
    ``CfpClosed``."""
    if conference.cfp(now).is_open:
        return None
    late = late_link_for(conference, late_token, now)
    if late is None:
        raise CfpClosed(closed_message(conference, now))
    return late


def check_limit(conference: Conference, email: str) -> None:
    """At most ``proposal_limit`` live proposals per address, counted by its key
    (``addresses.key``: ``x+1@`` and ``X+2@`` are one address). The conference row is written
    first, so concurrent submissions to one conference count one after the other."""
    limit = conference.proposal_limit
    if not limit:
        return
    db.session.execute(
        sa.update(Conference)
        .where(Conference.id == conference.id)
        .values(updated_at=Conference.updated_at)
        .execution_options(synchronize_session=False)
    )
    count = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Submission.id)))
        .join(Speaker)
        .where(
            Submission.conference_id == conference.id,
            Submission.state != SubmissionState.WITHDRAWN,
            Speaker.email_key == (addresses.key_or_none(email) or email.strip().lower()),
        )
    )
    if (count or 0) >= limit:
        raise LimitReached(
            f"{email.strip()} has sent {count} proposals already; this call accepts at most "
            f"{limit} per speaker."
        )


def _new_submission(
    conference: Conference, main: SpeakerData, data: SubmissionData, form_token: str, now: datetime
) -> Submission:
    submission = Submission(
        conference=conference,
        code=new_code(),
        state=SubmissionState.SUBMITTED,
        title=data.title.strip(),
        format_id=data.format_id,
        track_id=data.track_id,
        abstract=data.abstract.strip(),
        description=data.description.strip(),
        notes=data.notes.strip(),
        answers=check_answers(conference, data.answers),
        form_token=form_token,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    for pos, sp in enumerate([main, *data.co_speakers]):
        submission.speakers.append(
            Speaker(
                position=pos,
                name=sp.name.strip(),
                email=sp.email.strip(),
                affiliation=sp.affiliation.strip(),
                bio=sp.bio.strip(),
                # The submitting speaker is mailed now; co-speakers once the address is proven.
                invited_at=now if pos == 0 else None,
            )
        )
    return submission


def _insert(
    conference: Conference, main: SpeakerData, data: SubmissionData, form_token: str, now: datetime
) -> Submission | None:
    """The new submission, or None when another copy of this form was stored meanwhile."""
    for _attempt in range(3):
        submission = _new_submission(conference, main, data, form_token, now)
        try:
            with db.session.begin_nested():
                db.session.add(submission)
        except IntegrityError:
            if submission in db.session:
                db.session.expunge(submission)
            if submission_by_form_token(form_token) is not None:
                return None
            continue  # the code collided: draw another
        return submission
    raise CfpError("Could not store the submission; please send the form again.")


def submit(
    conference: Conference,
    data: SubmissionData,
    form_token: str,
    now: datetime,
    late_token: str | None = None,
) -> tuple[Submission, bool]:
    """Store a submission; ``(submission, False)`` when this form was already sent."""
    existing = submission_by_form_token(form_token)
    if existing is None:
        late = cfp_entry(conference, late_token, now)
        _check_choice(conference, data)
        main = _check_speakers(data)
        check_limit(conference, main.email)
        submission = _insert(conference, main, data, form_token, now)
        if submission is not None:
            if late is not None:
                use_late_link(late, submission, now)
            _record_and_notify(submission, late is not None, now)
            return submission, True
        existing = submission_by_form_token(form_token)
    if existing is None:  # pragma: no cover - stored by a racing copy, then gone
        raise CfpError("Please send the form again.")
    if existing.conference_id != conference.id:
        raise CfpError("This form belongs to another conference.")
    return existing, False


def _record_and_notify(submission: Submission, late: bool, now: datetime) -> None:
    main = submission.main_speaker
    audit.record(
        audit.Actor(label=f"speaker {main.email}"[:254]),
        "submission.create",
        "submission",
        submission.code,
        f"submitted {submission.title!r}" + (" with a late link" if late else ""),
    )
    mail_speaker(submission, main, "cfp_received", now)
    mail_organizers(submission, now)
    db.session.flush()


@dataclass(frozen=True)
class InviteCaps:
    """Co-speaker invitations a conference sends per day, and the distinct addresses one
    submitter (by address key) may have invited to it in all."""

    per_day: int = 100
    per_submitter: int = 12


def _check_invite_caps(
    speaker: Speaker, waiting: list[Speaker], caps: InviteCaps, now: datetime
) -> None:
    conference_id = speaker.submission.conference_id
    today = (
        db.session.scalar(
            sa.select(sa.func.count(Speaker.id))
            .join(Submission)
            .where(
                Submission.conference_id == conference_id,
                Speaker.position > 0,
                Speaker.invited_at > now - timedelta(days=1),
            )
        )
        or 0
    )
    if today + len(waiting) > caps.per_day:
        raise LimitReached(
            "The conference has sent as many co-speaker invitations as it may today; please "
            "try again tomorrow, or ask the organizers to invite them."
        )
    main = aliased(Speaker)
    invited = set(
        db.session.scalars(
            sa.select(Speaker.email_key)
            .join(Submission, Speaker.submission_id == Submission.id)
            .join(main, sa.and_(main.submission_id == Submission.id, main.position == 0))
            .where(
                Submission.conference_id == conference_id,
                main.email_key == speaker.email_key,
                Speaker.position > 0,
                Speaker.invited_at.is_not(None),
            )
        )
    )
    everyone = invited | {other.email_key for other in waiting}
    if len(everyone) > caps.per_submitter:
        raise LimitReached(
            f"You have named {len(everyone)} different co-speakers on your proposals to this "
            f"conference; we invite at most {caps.per_submitter}. Ask the organizers to invite "
            "the others."
        )


def invite_co_speakers(speaker: Speaker, now: datetime, caps: InviteCaps | None = None) -> int:
    """The submitting speaker has opened their link: their co-speakers get theirs now, in a
    message of fixed wording (no title, no name the submitter typed), within ``caps``."""
    submission = speaker.submission
    if speaker.position != 0:
        raise NotAllowed("Only the speaker who sent the proposal invites the co-speakers.")
    waiting = [other for other in submission.speakers if other.invited_at is None]
    if not waiting:
        return 0
    _check_invite_caps(speaker, waiting, caps or InviteCaps(), now)
    for other in waiting:
        other.invited_at = now
        context = {
            "conference": {"name": submission.conference.name, "slug": submission.conference.slug},
            "submission": {"code": submission.code},
            "submitter": {"email": speaker.email},
            "link": issue_speaker_link(other, now),
        }
        message = mail.enqueue(other.email, "cfp_co_speaker_invite", context, now)
        record_mail(submission, message, "cfp_co_speaker_invite")
    db.session.flush()
    audit.record(
        audit.Actor(label=f"speaker link ({speaker.email})"[:254]),
        "submission.invite",
        "submission",
        submission.code,
        f"invited {len(waiting)} co-speaker{'' if len(waiting) == 1 else 's'}",
    )
    return len(waiting)


def speaker_may_edit(submission: Submission, now: datetime) -> bool:
    """Until the deadline while submitted; what is public once accepted, until the conference."""
    conference = submission.conference
    if submission.state == SubmissionState.SUBMITTED:
        return not conference.cfp(now).after_deadline
    if submission.state in ACCEPTED_STATES:
        return conference.local(now).date() < conference.starts_on
    return False
