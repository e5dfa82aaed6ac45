"""Published minutes, linked from their meeting's event in the calendar feeds."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from webapp.extensions import db
from webapp.models import Minutes, MinutesState, Occurrence, Series
from webapp.urls import external_url
from webapp.wiring import MeetingLink, OccurrenceLinker


def published_minutes_links(series: Series) -> dict[date, MeetingLink]:
    if not series.public:
        return {}
    rows = db.session.execute(
        sa.select(Occurrence.original_date, Minutes.updated_at)
        .join(Minutes, Minutes.occurrence_id == Occurrence.id)
        .where(
            Occurrence.series_id == series.id,
            Occurrence.suffix == "",  # a second meeting that day has no link of the date's
            Minutes.state == MinutesState.PUBLISHED,
        )
    ).all()
    return {
        day: MeetingLink(
            "Minutes",
            external_url(url_for("minutes.minutes_page", slug=series.slug, day=day.isoformat())),
            changed,
        )
        for day, changed in rows
    }


def minutes_version() -> str:
    row = db.session.execute(
        sa.select(sa.func.count(Minutes.id), sa.func.max(Minutes.updated_at)).where(
            Minutes.state == MinutesState.PUBLISHED
        )
    ).one()
    return f"{row[0]}:{row[1]}"


#: Registered in ``webapp.minutes.init_app``.
LINKER = OccurrenceLinker(name="minutes", links=published_minutes_links, version=minutes_version)
