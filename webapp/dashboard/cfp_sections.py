"""Dashboard section of the call for papers: one card per conference that has not ended.

Everything is counted in SQL (GROUP BY conference, state, format, day), so the number of
queries does not depend on the number of submissions or reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from webapp.cfp import services as cfp
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewConflict,
    Role,
    Submission,
    SubmissionReview,
    SubmissionState,
    User,
    UserRole,
)

#: Submissions listed in a reviewer's to-do (the oldest first); the count covers them all.
REVIEWS_TO_DO_SHOWN = 10
#: Days shown in the submissions-per-day chart (the last ones of the call).
CHART_DAYS = 60


@dataclass
class Chart:
    days: list[tuple[date, int]]
    peak: int
    width: int = 0
    height: int = 60

    @property
    def bars(self) -> list[dict[str, Any]]:
        """SVG rectangles: presentation attributes only (the CSP forbids ``style=``)."""
        step = 8
        out = []
        for i, (day, n) in enumerate(self.days):
            h = 0 if not self.peak else max(round(n / self.peak * (self.height - 4)), 1 if n else 0)
            out.append(
                {"x": i * step, "y": self.height - h, "w": step - 2, "h": h, "day": day, "n": n}
            )
        return out


@dataclass
class ConferenceCard:
    conference: Conference
    closes: str
    window: Any
    #: Every submission, whatever its state: the list's count and the by-state table's sum.
    total: int = 0
    #: Decisions taken but not sent yet (see "Send decisions").
    staged: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_format: list[tuple[str, int]] = field(default_factory=list)
    reviewed_by_all: int = 0
    reviewed_by_some: int = 0
    reviewed_by_none: int = 0
    unplaced: int = 0
    chart: Chart | None = None
    todo_total: int = 0
    todo: list[Submission] = field(default_factory=list)
    #: Accepted talks whose speakers did not confirm by the deadline.
    overdue: list[Submission] = field(default_factory=list)

    @property
    def pending_decisions(self) -> int:
        return self.by_state.get(SubmissionState.SUBMITTED, 0)

    @property
    def unconfirmed(self) -> int:
        return self.by_state.get(SubmissionState.ACCEPTED, 0)


def _utc_day(column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in SQL (SQLite stores naive UTC text)."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _chart(conference: Conference, per_day: dict[date, int], now: datetime) -> Chart:
    first = conference.cfp_opens_at.date()
    last = min(now, conference.cfp_closes_at).date()
    if last < first:
        return Chart([], 0)
    first = max(first, last - timedelta(days=CHART_DAYS - 1))
    days = [(first + timedelta(days=i), 0) for i in range((last - first).days + 1)]
    days = [(d, per_day.get(d, 0)) for d, _ in days]
    chart = Chart(days, max((n for _, n in days), default=0))
    chart.width = len(days) * 8
    return chart


def _conferences(now: datetime) -> list[Conference]:
    return list(
        db.session.scalars(
            sa.select(Conference)
            .where(Conference.ends_on >= now.date())
            .options(selectinload(Conference.formats))
            .order_by(Conference.starts_on, Conference.id)
        )
    )


def _live(ids: list[int]) -> tuple[Any, ...]:
    return (Submission.conference_id.in_(ids), Submission.state != SubmissionState.WITHDRAWN)


def _count_states(cards: dict[int, ConferenceCard]) -> None:
    """Counts by state, and confirmed talks not yet in the programme, in one pass."""
    for conf_id, state, n, unplaced, staged in db.session.execute(
        sa.select(
            Submission.conference_id,
            Submission.state,
            sa.func.count(),
            sa.func.sum(sa.case((Submission.starts_at.is_(None), 1), else_=0)),
            sa.func.sum(sa.case((Submission.pending_state.is_not(None), 1), else_=0)),
        )
        .where(Submission.conference_id.in_(list(cards)))
        .group_by(Submission.conference_id, Submission.state)
    ):
        card = cards[conf_id]
        card.by_state[state] = int(n)
        card.total += int(n)
        card.staged += int(staged or 0)
        if state == SubmissionState.CONFIRMED:
            card.unplaced = int(unplaced or 0)


def _count_formats(cards: dict[int, ConferenceCard]) -> None:
    format_names = {f.id: f.name for card in cards.values() for f in card.conference.formats}
    for conf_id, format_id, n in db.session.execute(
        sa.select(Submission.conference_id, Submission.format_id, sa.func.count())
        .where(Submission.conference_id.in_(list(cards)))
        .group_by(Submission.conference_id, Submission.format_id)
    ):
        cards[conf_id].by_format.append((format_names.get(format_id, "?"), int(n)))
    for card in cards.values():
        order = {f.name: f.position for f in card.conference.formats}
        card.by_format.sort(key=lambda pair: order.get(pair[0], 0))


def _reviewer_ids() -> Any:
    """Active holders of the reviewer role: only their scores count towards "scored by all"."""
    return (
        sa.select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.REVIEWER, User.active.is_(True))
    )


def _review_progress_rows(ids: list[int]) -> Any:
    reviewers = sa.select(sa.func.count(sa.distinct(UserRole.user_id))).where(
        UserRole.user_id.in_(_reviewer_ids())
    )
    scored = sa.select(sa.func.count()).where(
        SubmissionReview.submission_id == Submission.id,
        SubmissionReview.reviewer_id.in_(_reviewer_ids()),
    )
    conflicted = sa.select(sa.func.count()).where(
        ReviewConflict.submission_id == Submission.id,
        ReviewConflict.user_id.in_(_reviewer_ids()),
    )
    per = (
        sa.select(
            Submission.conference_id.label("conference_id"),
            scored.scalar_subquery().label("scored"),
            (reviewers.scalar_subquery() - conflicted.scalar_subquery()).label("expected"),
        )
        .where(*_live(ids))
        .subquery()
    )
    some = per.c.scored > 0

    def tally(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    return db.session.execute(
        sa.select(
            per.c.conference_id,
            tally(sa.and_(some, per.c.scored >= per.c.expected)),
            tally(sa.and_(some, per.c.scored < per.c.expected)),
            tally(per.c.scored == 0),
        ).group_by(per.c.conference_id)
    )


def _review_progress(cards: dict[int, ConferenceCard]) -> None:
    """Scored by every reviewer (less those with a conflict), by some, or by none."""
    for conf_id, all_, some, none in _review_progress_rows(list(cards)):
        card = cards[conf_id]
        card.reviewed_by_all = int(all_ or 0)
        card.reviewed_by_some = int(some or 0)
        card.reviewed_by_none = int(none or 0)


def _charts(cards: dict[int, ConferenceCard], now: datetime) -> None:
    """Submissions per (UTC) day, for the chart."""
    day = _utc_day(Submission.submitted_at)
    per_day: dict[int, dict[date, int]] = {i: {} for i in cards}
    for conf_id, when, n in db.session.execute(
        sa.select(Submission.conference_id, day, sa.func.count())
        .where(Submission.conference_id.in_(list(cards)))
        .group_by(Submission.conference_id, day)
    ):
        per_day[conf_id][_as_date(when)] = int(n)
    for card in cards.values():
        card.chart = _chart(card.conference, per_day[card.conference.id], now)


def _reviews_to_do(cards: dict[int, ConferenceCard], user: User) -> None:
    """The signed-in reviewer's to-do: live submissions they have neither scored nor declined."""
    live = _live(list(cards))
    mine = sa.select(SubmissionReview.submission_id).where(SubmissionReview.reviewer_id == user.id)
    conflicts = sa.select(ReviewConflict.submission_id).where(ReviewConflict.user_id == user.id)
    open_ = (*live, Submission.id.not_in(mine), Submission.id.not_in(conflicts))
    for conf_id, n in db.session.execute(
        sa.select(Submission.conference_id, sa.func.count())
        .where(*open_)
        .group_by(Submission.conference_id)
    ):
        cards[conf_id].todo_total = int(n)
    # The oldest few per conference, in one query (a window function ranks them).
    rank = sa.func.row_number().over(
        partition_by=Submission.conference_id, order_by=(Submission.submitted_at, Submission.id)
    )
    ranked = sa.select(Submission).where(*open_).add_columns(rank.label("rank")).subquery()
    listed = aliased(Submission, ranked)
    for item in db.session.scalars(
        sa.select(listed)
        .where(ranked.c.rank <= REVIEWS_TO_DO_SHOWN)
        .order_by(ranked.c.submitted_at, ranked.c.id)
    ):
        cards[item.conference_id].todo.append(item)


def _overdue(cards: dict[int, ConferenceCard], now: datetime) -> None:
    """Accepted talks past their confirmation deadline, in one query."""
    for sub in db.session.scalars(
        sa.select(Submission)
        .where(
            Submission.conference_id.in_(list(cards)),
            Submission.state == SubmissionState.ACCEPTED,
            Submission.decided_at.is_not(None),
        )
        .order_by(Submission.decided_at, Submission.id)
    ):
        card = cards[sub.conference_id]
        decided = sub.decided_at or now
        if now >= decided + timedelta(days=card.conference.confirm_days):
            card.overdue.append(sub)


def call_for_papers(now: datetime, user: User) -> dict[str, Any] | None:
    conferences = _conferences(now)
    cards = {c.id: ConferenceCard(c, cfp.closes_in(c, now), c.cfp(now)) for c in conferences}
    _count_states(cards)
    _count_formats(cards)
    _review_progress(cards)
    _charts(cards, now)
    _reviews_to_do(cards, user)
    _overdue(cards, now)
    return {"cards": list(cards.values()), "organizer": user.has_role("organizer"), "now": now}
