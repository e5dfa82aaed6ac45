"""The review queue: code reviews in priority order, stacks nested under their parent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.services.errors import MinutesError
from webapp.models import (
    Person,
    Review,
    ReviewState,
    Series,
)


def reviews_of(series: Series) -> list[Review]:
    return list(
        db.session.scalars(
            sa.select(Review)
            .where(Review.series_id == series.id)
            .order_by(Review.position, Review.id)
        )
    )


@dataclass
class ReviewNode:
    review: Review
    children: list[ReviewNode] = field(default_factory=list)

    @property
    def any_open(self) -> bool:
        return self.review.state == ReviewState.OPEN or any(c.any_open for c in self.children)


def review_tree(series: Series, *, open_only: bool = False) -> list[ReviewNode]:
    """The queue as a forest in priority order; stacks nest under their parent review.

    ``open_only`` keeps a review when it or something stacked on it is still open."""
    reviews = reviews_of(series)
    nodes = {r.id: ReviewNode(r) for r in reviews}
    roots: list[ReviewNode] = []
    for review in reviews:
        parent = nodes.get(review.parent_id) if review.parent_id else None
        (parent.children if parent else roots).append(nodes[review.id])

    def prune(items: list[ReviewNode]) -> list[ReviewNode]:
        kept = [n for n in items if n.any_open]
        for n in kept:
            n.children = prune(n.children)
        return kept

    return prune(roots) if open_only else roots


def _check_url(url: str) -> str:
    url = url.strip()
    if (
        not url.startswith(("https://", "http://"))
        or len(url) > 500
        or any(c.isspace() for c in url)
    ):
        raise MinutesError(f"{url!r} is not an http(s) link")
    return url


def _check_parent(series: Series, review: Review | None, parent: Review | None) -> None:
    if parent is None:
        return
    if parent.series_id != series.id:
        raise MinutesError("the parent review belongs to another series")
    node: Review | None = parent
    while node is not None:
        if review is not None and node.id == review.id:
            raise MinutesError("a review cannot be stacked on itself or on a review stacked on it")
        node = node.parent


def add_review(
    series: Series,
    day: date,
    url: str,
    title: str,
    actor: audit.Actor,
    *,
    author: Person | None = None,
    parent: Review | None = None,
    state: str = ReviewState.OPEN,
    position: int | None = None,
) -> Review:
    url = _check_url(url)
    title = " ".join(title.split())
    if not title:
        raise MinutesError("a review needs a title")
    if state not in (ReviewState.OPEN, ReviewState.LANDED, ReviewState.ABANDONED):
        raise MinutesError(f"state {state!r} is not open, landed or abandoned")
    if db.session.scalar(
        sa.select(Review.id).where(Review.series_id == series.id, Review.url == url)
    ):
        raise MinutesError(f"{url} is already in the review queue")
    _check_parent(series, None, parent)
    occ = meetings.occurrence_row(series, day)
    if position is None:
        position = (
            db.session.scalar(
                sa.select(sa.func.max(Review.position)).where(Review.series_id == series.id)
            )
            or 0
        ) + 1
    review = Review(
        series_id=series.id,
        url=url,
        title=title[:300],
        author=author,
        parent=parent,
        state=state,
        position=position,
        listed_occurrence_id=occ.id,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(actor, "review.create", "review", review.id, f"{title} ({url})")
    return review


def update_review(
    review: Review,
    series: Series,
    actor: audit.Actor,
    *,
    title: str,
    state: str,
    author: Person | None,
    parent: Review | None,
) -> None:
    if state not in (ReviewState.OPEN, ReviewState.LANDED, ReviewState.ABANDONED):
        raise MinutesError(f"state {state!r} is not open, landed or abandoned")
    title = " ".join(title.split())
    if not title:
        raise MinutesError("a review needs a title")
    _check_parent(series, review, parent)
    before = {
        "title": review.title,
        "state": review.state,
        "author": review.author.name if review.author else None,
        "parent": review.parent.url if review.parent else None,
    }
    review.title, review.state, review.author, review.parent = title[:300], state, author, parent
    after = {
        "title": review.title,
        "state": review.state,
        "author": author.name if author else None,
        "parent": parent.url if parent else None,
    }
    db.session.flush()
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "review.update", "review", review.id, review.title, changes)


def _same_parent(parent_id: int | None) -> sa.ColumnElement[bool]:
    return Review.parent_id.is_(None) if parent_id is None else Review.parent_id == parent_id


def move_review(review: Review, direction: str, actor: audit.Actor) -> bool:
    """Swap ``review`` with the sibling above (``up``) or below (``down``). False at an end."""
    if direction not in ("up", "down"):
        raise MinutesError("move a review up or down")
    siblings = [
        r
        for r in db.session.scalars(
            sa.select(Review)
            .where(Review.series_id == review.series_id, _same_parent(review.parent_id))
            .order_by(Review.position, Review.id)
        )
    ]
    index = siblings.index(review)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return False
    # Renumber the siblings so that ties (equal positions) cannot make a swap a no-op.
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    slots = sorted(r.position for r in siblings)
    for i, (r, pos) in enumerate(zip(siblings, slots, strict=True)):
        r.position = pos if len(set(slots)) == len(slots) else i + 1
    db.session.flush()
    audit.record(actor, f"review.move_{direction}", "review", review.id, review.title)
    return True
