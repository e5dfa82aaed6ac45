"""Review: one score per (reviewer, submission), conflicts of interest, who sees which scores."""

from __future__ import annotations

from datetime import datetime

from webapp import audit
from webapp.cfp.services.errors import CfpError, NotAllowed
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewConflict,
    Role,
    Submission,
    SubmissionReview,
    SubmissionState,
    User,
)


def is_organizer(user: User) -> bool:
    return user.has_role("organizer")


def reviews_too(user: User) -> bool:
    """Holds the reviewer role itself (an admin holds every role without reviewing)."""
    return Role.REVIEWER in user.roles


def own_review(submission: Submission, user: User) -> SubmissionReview | None:
    return next((r for r in submission.reviews if r.reviewer_id == user.id), None)


def has_conflict(submission: Submission, user: User) -> bool:
    return any(c.user_id == user.id for c in submission.conflicts)


def may_open(submission: Submission, user: User) -> bool:
    """A reviewer who declared a conflict of interest does not see the submission again."""
    return is_organizer(user) or not has_conflict(submission, user)


def sees_all_scores(conference: Conference, user: User) -> bool:
    """Organizers who do not review see every score; those who review only after scoring,
    unless the conference lets the chair see all."""
    if not is_organizer(user):
        return False
    return conference.chair_sees_scores or not reviews_too(user)


def may_see_reviews(submission: Submission, user: User) -> bool:
    """Others' scores and comments: only after scoring it yourself (see ``sees_all_scores``)."""
    return own_review(submission, user) is not None or sees_all_scores(submission.conference, user)


def visible_mean(submission: Submission, user: User) -> float | None:
    return submission.mean_score if may_see_reviews(submission, user) else None


def hides_speakers(conference: Conference, user: User) -> bool:
    return conference.anonymous_review and not is_organizer(user)


def save_review(
    submission: Submission, user: User, score: int, comment: str, actor: audit.Actor, now: datetime
) -> SubmissionReview:
    if has_conflict(submission, user):
        raise NotAllowed("You declared a conflict of interest with this submission.")
    if submission.state == SubmissionState.WITHDRAWN:
        raise NotAllowed("This submission was withdrawn.")
    if not 1 <= score <= 5:
        raise CfpError("The score is a whole number from 1 to 5.")
    review = own_review(submission, user)
    before = {"score": review.score, "comment": review.comment} if review else {}
    if review is None:
        review = SubmissionReview(reviewer_id=user.id, created_at=now)
        submission.reviews.append(review)
    review.score, review.comment, review.updated_at = score, comment.strip(), now
    db.session.flush()
    audit.record(
        actor,
        "review.save",
        "submission",
        submission.code,
        f"scored {score}",
        audit.diff(before, {"score": score, "comment": review.comment}),
    )
    return review


def declare_conflict(submission: Submission, user: User, actor: audit.Actor, now: datetime) -> None:
    if has_conflict(submission, user):
        return
    review = own_review(submission, user)
    if review is not None:
        submission.reviews.remove(review)
    submission.conflicts.append(ReviewConflict(user_id=user.id, created_at=now))
    db.session.flush()
    audit.record(actor, "review.conflict", "submission", submission.code, "declared a conflict")
