"""The organizers' submissions list: filters, search, sorting and pages, all in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.cfp.services.review import hides_speakers, sees_all_scores, weighted_mean_sql
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewAssignment,
    ReviewConflict,
    ReviewScore,
    Speaker,
    Submission,
    SubmissionReview,
    SubmissionState,
    User,
)

SORTS = ("date", "title", "score")
PAGE_SIZE = 50


@dataclass
class ListQuery:
    state: str | None = None
    format_id: int | None = None
    track_id: int | None = None
    search: str = ""
    needs_my_review: bool = False
    unconfirmed: bool = False
    sort: str = "date"
    page: int = 1


@dataclass
class Page:
    rows: list[Submission]
    total: int
    page: int
    pages: int
    score_sort: bool


def _filtered(conference: Conference, user: User, q: ListQuery) -> Any:
    query = sa.select(Submission).where(Submission.conference_id == conference.id)
    if q.state:
        query = query.where(Submission.state == q.state)
    if q.unconfirmed:
        query = query.where(Submission.state == SubmissionState.ACCEPTED)
    if q.format_id:
        query = query.where(Submission.format_id == q.format_id)
    if q.track_id:
        query = query.where(Submission.track_id == q.track_id)
    if q.needs_my_review:
        mine = sa.select(SubmissionReview.submission_id).where(
            SubmissionReview.reviewer_id == user.id
        )
        conflicts = sa.select(ReviewConflict.submission_id).where(ReviewConflict.user_id == user.id)
        query = query.where(
            Submission.state != SubmissionState.WITHDRAWN,
            Submission.id.not_in(mine),
            Submission.id.not_in(conflicts),
        )
    text = q.search.strip()
    if text:
        like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like += "%"
        matches = [
            sa.func.lower(Submission.title).like(like, escape="\\"),
            sa.func.lower(Submission.code).like(like, escape="\\"),
        ]
        if not hides_speakers(conference, user):  # an anonymous review cannot search by name
            by_speaker = sa.select(Speaker.submission_id).where(
                sa.func.lower(Speaker.name).like(like, escape="\\")
            )
            matches.append(Submission.id.in_(by_speaker))
        query = query.where(sa.or_(*matches))
    return query


def list_submissions(conference: Conference, user: User, q: ListQuery) -> Page:
    """One page of submissions; the number of queries does not depend on how many there are."""
    query = _filtered(conference, user, q)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(q.page, 1), pages)
    score_sort = q.sort == "score" and sees_all_scores(conference, user)
    if score_sort:
        mean = weighted_mean_sql()
        order: tuple[Any, ...] = (mean.is_(None), mean.desc(), Submission.id)
    elif q.sort == "title":
        order = (sa.func.lower(Submission.title), Submission.id)
    else:
        order = (Submission.submitted_at, Submission.id)
    # A reviewer's queue: the submissions assigned to them first.
    assigned = Submission.id.in_(
        sa.select(ReviewAssignment.submission_id).where(ReviewAssignment.user_id == user.id)
    )
    rows = db.session.scalars(
        query.order_by(sa.case((assigned, 0), else_=1), *order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(
            selectinload(Submission.speakers),
            selectinload(Submission.reviews)
            .selectinload(SubmissionReview.scores)
            .joinedload(ReviewScore.criterion),
            selectinload(Submission.conflicts),
            selectinload(Submission.format),
            selectinload(Submission.track),
        )
    ).all()
    return Page(list(rows), total, page, pages, score_sort)
