"""Staged decisions: the committee decides over days, the speakers hear when it agrees.

Accept and Reject set ``Submission.pending_state``: nothing is mailed, and the speakers, the
public pages and the counts still see ``state``. "Send decisions" applies every pending decision
through ``set_submission_state`` (which mails the speakers) in one transaction, so the decision
date, the confirm-by deadline and the reminders count from then. A decision sent and then
changed is one more pending decision: its correcting mail goes at the next "Send decisions".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import audit, mail
from webapp.cfp.services.decisions import STATE_MAIL, set_submission_state
from webapp.cfp.services.errors import CfpError, NotAllowed
from webapp.cfp.services.mailing import mail_context
from webapp.cfp.services.text import format_local
from webapp.extensions import db
from webapp.models import TRANSITIONS, Conference, Submission, SubmissionState

DECISIONS = (SubmissionState.ACCEPTED, SubmissionState.REJECTED)
MAX_NOTE = 2000


def stage_decision(
    submission: Submission,
    decision: SubmissionState,
    actor: audit.Actor,
    note: str | None = None,
) -> bool:
    """Set (or, back to what was sent, clear) the pending decision; sends nothing. Returns
    whether anything changed."""
    if decision not in DECISIONS:
        raise CfpError("Choose accept or reject.")
    current = SubmissionState(submission.state)
    if current not in (
        SubmissionState.SUBMITTED,
        SubmissionState.ACCEPTED,
        SubmissionState.REJECTED,
    ):
        raise NotAllowed(f"It is {current}: no decision to make.")
    if decision != current and TRANSITIONS.get((current, decision)) != "organizer":
        raise NotAllowed(f"A submission that is {current} cannot become {decision}.")
    wanted = None if decision == current else str(decision)
    new_note = submission.decision_note if note is None else note.strip()[:MAX_NOTE]
    if wanted == submission.pending_state and new_note == submission.decision_note:
        return False
    before = {"pending decision": submission.pending_state, "note": submission.decision_note}
    submission.pending_state, submission.decision_note = wanted, new_note
    db.session.flush()
    audit.record(
        actor,
        "submission.stage",
        "submission",
        submission.code,
        f"pending decision: {wanted or 'none (as sent)'}",
        audit.diff(before, {"pending decision": wanted, "note": new_note}),
    )
    return True


def stage_many(
    submissions: Iterable[Submission],
    decision: SubmissionState,
    actor: audit.Actor,
    note: str | None = None,
) -> tuple[int, list[str]]:
    """``stage_decision`` for each; the ones it refuses are skipped, each with the reason."""
    changed, skipped = 0, []
    for submission in submissions:
        try:
            changed += stage_decision(submission, decision, actor, note)
        except CfpError as exc:
            skipped.append(f"{submission.code}: {exc}")
    return changed, skipped


def pending(conference: Conference) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.conference_id == conference.id, Submission.pending_state.is_not(None))
            .options(selectinload(Submission.speakers))
            .order_by(Submission.submitted_at, Submission.id)
        )
    )


@dataclass
class Batch:
    """What "Send decisions" will send: per mail kind, how many messages, one preview each."""

    submissions: list[Submission]
    counts: dict[str, int] = field(default_factory=dict)
    previews: dict[str, tuple[str, str]] = field(default_factory=dict)


def decision_extra(
    submission: Submission, decision: SubmissionState, now: datetime
) -> dict[str, object]:
    """What a decision mail says beyond the usual context: the note, the confirm-by date."""
    extra: dict[str, object] = {"note": submission.decision_note}
    if decision == SubmissionState.ACCEPTED:
        deadline = now + timedelta(days=submission.conference.confirm_days)
        extra["confirm_by"] = format_local(deadline, submission.conference)
    return extra


def batch(conference: Conference, now: datetime) -> Batch:
    """The pending decisions, counted and previewed (rendered like the real messages, with a
    placeholder for the private link: a preview issues no link). Each kind is previewed with
    its first submission's data."""
    found = Batch(pending(conference))
    for s in found.submissions:
        decision = SubmissionState(s.pending_state or s.state)
        kind = STATE_MAIL[decision]
        invited = [sp for sp in s.speakers if sp.invited_at is not None]
        found.counts[kind] = found.counts.get(kind, 0) + len(invited)
        if kind not in found.previews and invited:
            context = mail_context(
                s, invited[0], "(their private link)", **decision_extra(s, decision, now)
            )
            subject, body = mail.template_text(kind)
            try:  # rendered as the worker will, in the sandbox's child process and budget
                found.previews[kind] = mail.render_queued(kind, subject, body, context)[:2]
            except mail.RenderFailed as exc:
                found.previews[kind] = ("(does not render)", str(exc))
    return found


def send_decisions(conference: Conference, actor: audit.Actor, now: datetime) -> int:
    """Apply and mail every pending decision; the caller commits once for all of them."""
    sent = 0
    for s in pending(conference):
        decision = SubmissionState(s.pending_state or s.state)
        extra = decision_extra(s, decision, now)
        s.pending_state, s.decision_note = None, ""
        set_submission_state(s, decision, "organizer", actor, now, mail_extra=extra)
        sent += 1
    return sent


def pending_count(conference: Conference) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Submission.conference_id == conference.id, Submission.pending_state.is_not(None)
            )
        )
        or 0
    )
