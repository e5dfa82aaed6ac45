"""Review: one review per (reviewer, submission) with a score per criterion, an abstention or a
comment alone; conflicts of interest; who sees which scores."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.cfp.services.errors import CfpError, NotAllowed
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewConflict,
    ReviewCriterion,
    ReviewScore,
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
    """Others' scores and comments: only after scoring it yourself, or abstaining (a comment
    alone does not unlock them; see also ``sees_all_scores``)."""
    own = own_review(submission, user)
    return (own is not None and own.has_verdict) or sees_all_scores(submission.conference, user)


def visible_mean(submission: Submission, user: User) -> float | None:
    return submission.mean_score if may_see_reviews(submission, user) else None


def weighted_mean_sql() -> Any:
    """``Submission.mean_score`` in SQL, for sorting (up to the scale factor, which is the
    same for every submission of a conference): the mean over reviews of the weighted mean of
    their scores, each as a fraction of its scale."""
    weighted = sa.func.sum(
        ReviewCriterion.weight * ReviewScore.score * 1.0 / ReviewCriterion.scale_max
    )
    totals = (
        sa.select(
            ReviewScore.review_id.label("review_id"),
            (weighted / sa.func.sum(ReviewCriterion.weight)).label("total"),
        )
        .join(ReviewCriterion, ReviewCriterion.id == ReviewScore.criterion_id)
        .group_by(ReviewScore.review_id)
        .subquery()
    )
    return (
        sa.select(sa.func.avg(totals.c.total))
        .join(SubmissionReview, SubmissionReview.id == totals.c.review_id)
        .where(SubmissionReview.submission_id == Submission.id, SubmissionReview.abstain.is_(False))
        .scalar_subquery()
    )


def hides_speakers(conference: Conference, user: User) -> bool:
    return conference.anonymous_review and not is_organizer(user)


def _review_fields(review: SubmissionReview | None) -> dict[str, object]:
    if review is None:
        return {}
    ordered = sorted(review.scores, key=lambda s: s.criterion.position)
    scores = ", ".join(f"{s.criterion.name} {s.score}" for s in ordered)
    return {"scores": scores or None, "abstain": review.abstain, "comment": review.comment}


def _checked_scores(
    conference: Conference, scores: Mapping[int, int | None], abstain: bool, comment: str
) -> dict[int, int]:
    by_id = {c.id: c for c in conference.criteria}
    given = {cid: value for cid, value in scores.items() if value is not None}
    for cid, value in given.items():
        criterion = by_id.get(cid)
        if criterion is None:
            raise CfpError("The review criteria changed meanwhile: reload the page.")
        if not 0 <= value <= criterion.scale_max:
            raise CfpError(f"{criterion.name}: a whole number from 0 to {criterion.scale_max}.")
    if abstain and given:
        raise CfpError("Abstain, or give scores: not both.")
    if not given and not abstain and not comment.strip():
        raise CfpError("Write a comment, give a score, or abstain.")
    return given


def save_review(
    submission: Submission,
    user: User,
    scores: Mapping[int, int | None],
    comment: str,
    actor: audit.Actor,
    now: datetime,
    abstain: bool = False,
) -> SubmissionReview:
    """A comment alone, an abstention, or scores on some or all criteria (and a comment)."""
    if has_conflict(submission, user):
        raise NotAllowed("You declared a conflict of interest with this submission.")
    if submission.state == SubmissionState.WITHDRAWN:
        raise NotAllowed("This submission was withdrawn.")
    given = _checked_scores(submission.conference, scores, abstain, comment)
    review = own_review(submission, user)
    before = _review_fields(review)
    if review is None:
        review = SubmissionReview(reviewer_id=user.id, created_at=now)
        submission.reviews.append(review)
    kept = {s.criterion_id: s for s in review.scores}
    review.scores = [_score(kept.get(cid), cid, value) for cid, value in sorted(given.items())]
    review.abstain, review.comment, review.updated_at = abstain, comment.strip(), now
    db.session.flush()
    db.session.refresh(review, ["scores"])
    total = review.total
    audit.record(
        actor,
        "review.save",
        "submission",
        submission.code,
        "abstained" if abstain else (f"scored {total:.2f}" if total is not None else "commented"),
        audit.diff(before, _review_fields(review)),
    )
    return review


def _score(kept: ReviewScore | None, criterion_id: int, value: int) -> ReviewScore:
    score = kept or ReviewScore(criterion_id=criterion_id)
    score.score = value
    return score


def declare_conflict(submission: Submission, user: User, actor: audit.Actor, now: datetime) -> None:
    if has_conflict(submission, user):
        return
    review = own_review(submission, user)
    if review is not None:
        submission.reviews.remove(review)
    submission.conflicts.append(ReviewConflict(user_id=user.id, created_at=now))
    # A declared conflict ends an assignment: nobody reviews against their own interest.
    for assignment in [a for a in submission.assignments if a.user_id == user.id]:
        submission.assignments.remove(assignment)
    db.session.flush()
    audit.record(actor, "review.conflict", "submission", submission.code, "declared a conflict")
