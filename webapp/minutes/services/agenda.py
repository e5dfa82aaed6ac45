"""Agenda items an organizer adds to one meeting."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.services.errors import MinutesError
from webapp.minutes.services.occurrences import stored_occurrence
from webapp.models import (
    AgendaItem,
    Series,
)


def agenda_items(series: Series, day: date) -> list[AgendaItem]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.occurrence_id == occ.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def add_agenda_item(series: Series, day: date, text: str, actor: audit.Actor) -> AgendaItem:
    text = text.strip()
    if not text:
        raise MinutesError("an agenda item needs a text")
    if len(text) > 1000:
        raise MinutesError("an agenda item may have at most 1000 characters")
    occ = meetings.occurrence_row(series, day)
    last = (
        db.session.scalar(
            sa.select(sa.func.max(AgendaItem.position)).where(AgendaItem.occurrence_id == occ.id)
        )
        or 0
    )
    item = AgendaItem(occurrence_id=occ.id, text=text, position=last + 1, added_by=actor.label)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "agenda_item.create", "agenda_item", item.id, text)
    return item


def delete_agenda_item(item: AgendaItem, actor: audit.Actor) -> None:
    audit.record(actor, "agenda_item.delete", "agenda_item", item.id, item.text)
    db.session.delete(item)
    db.session.flush()
