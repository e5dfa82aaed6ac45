"""Review-queue entries from an imported file (Cadence's export carries them)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.minutes import services as svc
from webapp.minutes.importer.model import ImportProblem, ParsedReview
from webapp.minutes.importer.write_follow_ups import Owners
from webapp.models import Review, Series


def _find(series: Series, url: str) -> Review | None:
    return db.session.scalar(
        sa.select(Review).where(Review.series_id == series.id, Review.url == url)
    )


def _one(
    series: Series, day: date, item: ParsedReview, owners: Owners, actor: audit.Actor
) -> tuple[Review, int]:
    author = None
    if item.author:
        author, created = svc.person_for(item.author, actor, index=owners.index)
        if created:
            owners.new.append(author.name)
    review = _find(series, item.url)
    try:
        if review is None:
            review = svc.add_review(
                series,
                day,
                item.url,
                item.title,
                actor,
                author=author,
                state=item.state,
                position=item.position,
            )
            return review, 1
    except svc.MinutesError as exc:
        raise ImportProblem(item.line, f"review {item.url}: {exc}") from None
    wanted = (item.title, item.state, author.id if author else None)
    position = item.position or review.position
    if (review.title, review.state, review.author_id, review.position) == (*wanted, position):
        return review, 0
    review.title, review.state, review.author = item.title, item.state, author
    review.position = position
    return review, 1


def write(
    series: Series, day: date, items: list[ParsedReview], owners: Owners, actor: audit.Actor
) -> int:
    """Create or update the reviews, then their stacking; returns how many changed."""
    made = 0
    by_url: dict[str, Review] = {}
    for item in items:
        by_url[item.url], changed = _one(series, day, item, owners, actor)
        made += changed
    for item in items:
        review = by_url[item.url]
        parent = None
        if item.parent:
            parent = by_url.get(item.parent) or _find(series, item.parent)
            if parent is None:
                message = f"review {item.url}: its parent {item.parent} is not in the queue"
                raise ImportProblem(item.line, message)
        if review.parent_id != (parent.id if parent else None):
            review.parent = parent
            made += 1
    return made
