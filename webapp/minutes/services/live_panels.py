"""What the call page shows around the shared notes: the agenda, follow-ups still open from
earlier meetings, the review queue, attendees and decisions (each panel re-rendered alone after a
change made on the page, ``templates/minutes/live/_panel_*.html``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.minutes.grammar import format_attendee, read_minutes
from webapp.minutes.services.agenda import agenda_items
from webapp.minutes.services.live_actions import (
    Suggestion,
    follow_up_rows,
    recently_closed_reviews,
)
from webapp.minutes.services.live_preview import preview
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.people import person_of_attendee
from webapp.minutes.services.reviews import review_tree
from webapp.models import Minutes, Person, Series

#: People offered in the attendee field's list without JavaScript (with it, matches are fetched).
LISTED_PEOPLE = 500

PANELS = ("agenda", "follow-ups", "reviews", "attendees", "decisions", "preview")


def people_list(limit: int = LISTED_PEOPLE) -> list[Suggestion]:
    people = db.session.scalars(sa.select(Person).order_by(Person.name).limit(limit))
    return [Suggestion(p.name, p.handle) for p in people]


def shared_text(minutes: Minutes) -> str:
    """The notes as typed on the call page (the shared text), else as saved."""
    from webapp.live import store

    loaded = store.load(db.session.connection(), minutes.id)
    return store.text_of(loaded.doc()) if loaded is not None else minutes.notes


def new_people(text: str) -> list[str]:
    """The names of the notes' attendance block that match no one, once each, as typed: listed
    in the attendee panel as new people, each created only when the scribe adds them."""
    reading = read_minutes(text)
    index = PeopleIndex()
    names = [
        format_attendee(a.name, a.handle, "")
        for a in reading.attendees
        if a.name and person_of_attendee(a.name, a.handle, index) is None
    ]
    return list(dict.fromkeys(names))


def panels_context(
    series: Series, day: date, slot: Any, minutes: Minutes | None, now: datetime
) -> dict[str, Any]:
    """The template context of ``templates/minutes/live/_panels.html``."""
    text = shared_text(minutes) if minutes is not None else ""
    return {
        "panel_items": agenda_items(series, day),
        "panel_follow_ups": follow_up_rows(series, day),
        "panel_reviews": review_tree(series, open_only=True),
        "panel_closed_reviews": recently_closed_reviews(series),
        "panel_attendees": list(minutes.attendees) if minutes is not None else [],
        "panel_decisions": minutes.decision_list if minutes is not None else [],
        "panel_people": people_list(),
        "panel_new_people": new_people(text) if minutes is not None else [],
        "panel_preview": preview(series, day, minutes.notes) if minutes is not None else None,
    }
