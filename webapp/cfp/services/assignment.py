"""Who reviews what: organizers assign submissions to reviewers (by hand or balanced
automatically, never to a declared conflict), and each reviewer's queue puts the assigned first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.cfp.services.errors import NotAllowed
from webapp.cfp.services.mailing import mail_reviewer
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewAssignment,
    ReviewConflict,
    ReviewScore,
    Role,
    Submission,
    SubmissionReview,
    SubmissionState,
    User,
    UserRole,
)


def _reviewable(conference: Conference) -> Any:
    """Submissions still waiting for a decision: the ones a review can change."""
    return sa.and_(
        Submission.conference_id == conference.id,
        Submission.state == SubmissionState.SUBMITTED,
    )


def _verdicts(user_id: Any) -> Any:
    """Submissions the user has scored or abstained on (a comment alone leaves it open)."""
    scored = sa.select(ReviewScore.review_id)
    return sa.select(SubmissionReview.submission_id).where(
        SubmissionReview.reviewer_id == user_id,
        sa.or_(SubmissionReview.abstain.is_(True), SubmissionReview.id.in_(scored)),
    )


def _assigned(user_id: Any) -> Any:
    return sa.select(ReviewAssignment.submission_id).where(ReviewAssignment.user_id == user_id)


def _conflicts(user_id: Any) -> Any:
    return sa.select(ReviewConflict.submission_id).where(ReviewConflict.user_id == user_id)


def next_to_review(
    conference: Conference, user: User, after: Submission | None = None
) -> Submission | None:
    """The next submission waiting for the user's score: assigned ones first, oldest first."""
    assigned = Submission.id.in_(_assigned(user.id))
    query = (
        sa.select(Submission)
        .where(
            _reviewable(conference),
            Submission.id.not_in(_verdicts(user.id)),
            Submission.id.not_in(_conflicts(user.id)),
        )
        .order_by(sa.case((assigned, 0), else_=1), Submission.submitted_at, Submission.id)
        .limit(1)
    )
    if after is not None:
        query = query.where(Submission.id != after.id)
    return db.session.scalar(query)


@dataclass
class Progress:
    """A reviewer's progress on their assigned submissions."""

    assigned: int
    done: int


def progress(conference: Conference, user: User) -> Progress:
    mine = (
        sa.select(ReviewAssignment.submission_id)
        .join(Submission)
        .where(ReviewAssignment.user_id == user.id, Submission.conference_id == conference.id)
    )
    assigned = db.session.scalar(sa.select(sa.func.count()).select_from(mine.subquery())) or 0
    done = db.session.scalar(
        sa.select(sa.func.count()).where(
            Submission.id.in_(mine), Submission.id.in_(_verdicts(user.id))
        )
    )
    return Progress(int(assigned), int(done or 0))


def assigned_ids(conference: Conference, user: User) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ReviewAssignment.submission_id)
            .join(Submission)
            .where(ReviewAssignment.user_id == user.id, Submission.conference_id == conference.id)
        )
    )


def reviewers() -> Sequence[User]:
    """Active holders of the reviewer role."""
    return db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.REVIEWER, User.active.is_(True))
        .order_by(User.id)
    ).all()


def _check_assignable(submission: Submission, user: User) -> None:
    if any(c.user_id == user.id for c in submission.conflicts):
        raise NotAllowed(
            f"{user.display_name} declared a conflict of interest with {submission.code}."
        )
    if Role.REVIEWER not in user.roles or not user.active:
        raise NotAllowed(f"{user.display_name} is not an active reviewer.")


def assign(
    submission: Submission, user: User, actor: audit.Actor, now: datetime
) -> ReviewAssignment | None:
    """Assign by hand; None when it was assigned already. The reviewer is told by mail."""
    _check_assignable(submission, user)
    if any(a.user_id == user.id for a in submission.assignments):
        return None
    assignment = ReviewAssignment(user_id=user.id, created_at=now)
    submission.assignments.append(assignment)
    db.session.flush()
    audit.record(actor, "review.assign", "submission", submission.code, f"assigned to {user.email}")
    return assignment


def unassign(submission: Submission, user: User, actor: audit.Actor) -> None:
    for a in list(submission.assignments):
        if a.user_id == user.id:
            submission.assignments.remove(a)
            db.session.flush()
            audit.record(
                actor, "review.unassign", "submission", submission.code, f"unassigned {user.email}"
            )


def assign_automatically(
    conference: Conference, actor: audit.Actor, now: datetime
) -> list[ReviewAssignment]:
    """Give each submission waiting for a decision at least ``reviews_per_submission``
    reviewers (fewer when fewer can review it), to the least-loaded reviewers first; never to a
    reviewer with a declared conflict. Existing assignments stay."""
    people = list(reviewers())
    load = {u.id: 0 for u in people}
    subs = db.session.scalars(
        sa.select(Submission)
        .where(_reviewable(conference))
        .order_by(Submission.submitted_at, Submission.id)
    ).all()
    for s in subs:
        for a in s.assignments:
            if a.user_id in load:
                load[a.user_id] += 1
    made: list[ReviewAssignment] = []
    for s in subs:
        have = {a.user_id for a in s.assignments}
        blocked = {c.user_id for c in s.conflicts} | have
        wanted = conference.reviews_per_submission - len(have & set(load))
        for user in sorted((u for u in people if u.id not in blocked), key=lambda u: load[u.id]):
            if wanted <= 0:
                break
            assignment = ReviewAssignment(user_id=user.id, created_at=now)
            s.assignments.append(assignment)
            made.append(assignment)
            load[user.id] += 1
            wanted -= 1
    db.session.flush()
    if made:
        audit.record(
            actor,
            "review.assign",
            "conference",
            conference.id,
            f"assigned {len(made)} review(s) automatically",
        )
    return made


def notify_reviewers(conference: Conference, now: datetime) -> int:
    """One mail per reviewer listing what was assigned to them since they were last told."""
    pending = db.session.scalars(
        sa.select(ReviewAssignment)
        .join(Submission)
        .where(Submission.conference_id == conference.id, ReviewAssignment.notified_at.is_(None))
        .order_by(ReviewAssignment.user_id, Submission.submitted_at)
    ).all()
    by_user: dict[int, list[ReviewAssignment]] = {}
    for a in pending:
        by_user.setdefault(a.user_id, []).append(a)
    for items in by_user.values():
        mail_reviewer(conference, items[0].reviewer, [a.submission for a in items], now)
        for a in items:
            a.notified_at = now
    db.session.flush()
    return len(by_user)
