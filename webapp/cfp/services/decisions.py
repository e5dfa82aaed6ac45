"""Decisions: every state change of a submission goes through ``set_submission_state``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp import audit
from webapp.cfp.services.errors import CfpError, NotAllowed
from webapp.cfp.services.mailing import mail_invited_speakers
from webapp.cfp.services.programme import clear_slot
from webapp.cfp.services.reminders import past_deadline
from webapp.extensions import db
from webapp.models import (
    ACCEPTED_STATES,
    TRANSITIONS,
    UNDOABLE_STATES,
    AuditEntry,
    Submission,
    SubmissionState,
)

#: The message each state change sends to the (invited) speakers.
STATE_MAIL = {
    SubmissionState.ACCEPTED: "cfp_accepted",
    SubmissionState.REJECTED: "cfp_rejected",
    SubmissionState.CONFIRMED: "cfp_confirmed",
}


def _check_transition(
    submission: Submission, new_state: SubmissionState, by: str, now: datetime
) -> SubmissionState:
    old = SubmissionState(submission.state)
    allowed_by = TRANSITIONS.get((old, new_state))
    if allowed_by is None:
        raise NotAllowed(f"A submission that is {old} cannot become {new_state}.")
    if allowed_by != by:
        raise NotAllowed(f"Only the {allowed_by}s can make a submission {new_state}.")
    if (
        by == "speaker"
        and new_state == SubmissionState.WITHDRAWN
        and submission.conference.cfp(now).after_deadline
    ):
        raise NotAllowed("The call for papers has closed: write to the organizers to withdraw.")
    return old


def _organizer_releases(submission: Submission, new_state: SubmissionState, now: datetime) -> bool:
    """Past the confirmation deadline the organizers may decline for a silent speaker."""
    return (
        submission.state == SubmissionState.ACCEPTED
        and new_state == SubmissionState.DECLINED
        and past_deadline(submission, now)
    )


def _claim_transition(
    submission: Submission, old: SubmissionState, new_state: SubmissionState
) -> None:
    """Move the row from ``old`` only if it is still there: of two requests that change the same
    submission at once (a double click, a speaker and an organizer), one wins and the other is
    told, instead of both applying (and mailing) the change."""
    moved = db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.state == old)
        .values(state=new_state)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise CfpError("Someone changed this submission at the same moment; reload the page.")


def set_submission_state(
    submission: Submission,
    new_state: SubmissionState,
    by: str,
    actor: audit.Actor,
    now: datetime,
    mail_extra: dict[str, object] | None = None,
) -> None:
    """THE way a submission changes state: validate, save, audit, queue mail. Organizers'
    accept and reject come here from "Send decisions" (``webapp.cfp.services.staged``)."""
    if by == "organizer" and _organizer_releases(submission, new_state, now):
        old = SubmissionState.ACCEPTED
    else:
        old = _check_transition(submission, new_state, by, now)
    _claim_transition(submission, old, new_state)
    submission.state = new_state
    submission.updated_at = now
    undo = old in UNDOABLE_STATES
    if new_state in (SubmissionState.ACCEPTED, SubmissionState.REJECTED) and not undo:
        submission.decided_at = now
        submission.last_mail_at = now
        submission.reminders_sent = 0
    if new_state not in ACCEPTED_STATES and submission.is_placed:
        clear_slot(submission, now)
    db.session.flush()
    audit.record(
        actor,
        f"submission.{new_state}",
        "submission",
        submission.code,
        f"{old} → {new_state}",
        {"state": [str(old), str(new_state)]},
    )
    template = None if undo else STATE_MAIL.get(new_state)
    if template:
        mail_invited_speakers(submission, template, now, **(mail_extra or {}))
        db.session.flush()


def undo_target(submission: Submission, now: datetime) -> SubmissionState | None:
    """Where an undo takes a withdrawn or declined submission, while the conference lasts:
    withdrawn back to submitted, declined back to what it was (accepted or confirmed)."""
    conference = submission.conference
    if conference.local(now).date() > conference.ends_on:
        return None
    if submission.state == SubmissionState.WITHDRAWN:
        return SubmissionState.SUBMITTED
    if submission.state != SubmissionState.DECLINED:
        return None
    before = db.session.scalar(
        sa.select(AuditEntry)
        .where(
            AuditEntry.object_type == "submission",
            AuditEntry.object_id == submission.code,
            AuditEntry.action == f"submission.{SubmissionState.DECLINED}",
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    was = (before.changes or {}).get("state", [None])[0] if before is not None else None
    return (
        SubmissionState.CONFIRMED if was == SubmissionState.CONFIRMED else SubmissionState.ACCEPTED
    )


def undo(submission: Submission, actor: audit.Actor, now: datetime) -> SubmissionState:
    """Undo a withdrawal or a decline (no mail; the decision keeps its date)."""
    target = undo_target(submission, now)
    if target is None:
        raise NotAllowed("Only a withdrawal or a decline can be undone, until the conference ends.")
    set_submission_state(submission, target, "organizer", actor, now)
    return target
