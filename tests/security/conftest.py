from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from webapp.extensions import db


@pytest.fixture
def demo_paths(app) -> dict[str, Any]:
    """Load the demo community; give real paths of each public kind of page and output."""
    from webapp import demo
    from webapp.models import Conference, Occurrence, Person, Series, Submission

    with app.app_context():
        demo.load(datetime(2026, 11, 30, 12, tzinfo=UTC))
        db.session.commit()
        series = db.session.scalars(sa.select(Series).where(Series.public)).first()
        conference = db.session.scalars(sa.select(Conference)).first()
        person = db.session.scalars(sa.select(Person)).first()
        occurrence = db.session.scalars(
            sa.select(Occurrence).where(Occurrence.series_id == series.id)
        ).first()
        talk = db.session.scalars(sa.select(Submission)).first()
        return {
            "series": series.slug,
            "conference": conference.slug,
            "person": person.id if person else None,
            "day": occurrence.original_date.isoformat() if occurrence else None,
            "occurrence_series": occurrence.series_id if occurrence else None,
            "talk": talk.code if talk else None,
        }
