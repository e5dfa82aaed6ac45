"""What the agenda mail says: plain data (the outbox stores it sealed; the worker renders it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from webapp.announcements.times import meeting_links, when
from webapp.meetings.schedule import Slot
from webapp.minutes import services as minutes
from webapp.minutes.services.reviews import ReviewNode
from webapp.models import FollowUpState, Series


def _follow_ups(series: Series, day: date) -> list[dict[str, Any]]:
    """Open follow-ups carried to the meeting of ``day``, by owner; owners in the order of their
    oldest follow-up, each item with its age in meetings and the date it was raised."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item, age in minutes.open_at(series, day):
        if item.state != FollowUpState.OPEN:
            continue
        groups.setdefault(minutes.owner_label(item), []).append(
            {
                "text": item.text,
                "age": age,
                "raised": item.raised_at.original_date.isoformat(),
                "due": item.due_date.isoformat() if item.due_date else "",
            }
        )
    return [{"owner": owner, "items": items} for owner, items in groups.items()]


def _reviews(nodes: list[ReviewNode], depth: int = 0) -> list[dict[str, Any]]:
    """The review queue in priority order, stacked reviews after their parent (``depth``)."""
    out: list[dict[str, Any]] = []
    for node in nodes:
        review = node.review
        out.append(
            {
                "title": review.title,
                "url": review.url,
                "author": review.author.name if review.author else "",
                "state": review.state,
                "depth": depth,
                "indent": "  " * depth,
            }
        )
        out.extend(_reviews(node.children, depth + 1))
    return out


def agenda_context(series: Series, slot: Slot, zones: list[str], now: datetime) -> dict[str, Any]:
    day = slot.original_date
    items = [item.text for item in minutes.agenda_items(series, day)]
    return {
        "series": {"title": series.title, "slug": series.slug, "zone": series.timezone},
        "meeting": {
            "date": day.isoformat(),
            "title": slot.title,
            "join_url": series.join_url,
            "place": series.place,
            **when(series, slot.start, slot.end, zones),
            **meeting_links(series, day),
        },
        "agenda": series.agenda_template.strip(),
        "items": items,
        "follow_ups": _follow_ups(series, day),
        "reviews": _reviews(minutes.review_tree(series, open_only=True)),
        "queued_at": now.isoformat(timespec="minutes"),
    }
