"""The occurrence rows minutes, follow-ups, reviews and agenda items hang on."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.models import (
    AgendaItem,
    FollowUp,
    Minutes,
    Occurrence,
    Review,
    Series,
)


def stored_occurrence(series: Series, day: date, suffix: str | None = None) -> Occurrence | None:
    """The occurrence row of ``day`` if one exists (reading never creates one)."""
    return meetings.stored_row(series, day, suffix)


def has_attachments(occ: Occurrence) -> bool:
    """Do minutes, follow-ups, reviews or agenda items hang on ``occ``? (retime refuses then)"""
    if occ.id is None:
        return False
    checks = [
        sa.select(Minutes.id).where(Minutes.occurrence_id == occ.id),
        sa.select(FollowUp.id).where(
            sa.or_(FollowUp.raised_occurrence_id == occ.id, FollowUp.closed_occurrence_id == occ.id)
        ),
        sa.select(Review.id).where(Review.listed_occurrence_id == occ.id),
        sa.select(AgendaItem.id).where(AgendaItem.occurrence_id == occ.id),
    ]
    return any(db.session.scalar(q.limit(1)) is not None for q in checks)
