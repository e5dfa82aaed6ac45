"""What the meetings' pages share with the organizer pages and the home page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from webapp.meetings import schedule, services
from webapp.meetings.feeds.calendars import subscribe_links
from webapp.meetings.schedule import Slot
from webapp.models import Series


def series_start(series: Series) -> datetime:
    """The earliest instant the series could have a meeting (its first rule, or an earlier
    extra)."""
    tz = schedule.zone(series.timezone)
    first = min(
        [r.first_date for r in series.rules] + [o.original_date for o in series.occurrences]
    )
    return datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(
        UTC
    )


def home_context(now: datetime) -> dict[str, Any]:
    """What the home page shows of the calls: each public series' next meeting, and what is
    ahead."""
    cards = []
    upcoming: list[tuple[Series, Slot]] = []
    for series in services.list_series(public_only=True):
        nxt = services.next_occurrence(series, now)
        cards.append(
            {
                "series": series,
                "next": nxt,
                "schedule": services.describe_schedule(series),
                "links": subscribe_links(series.slug),
            }
        )
        upcoming += [
            (series, s) for s in services.occurrences(series, now, now + timedelta(weeks=6))
        ]
    upcoming.sort(key=lambda pair: pair[1].start)
    return {
        "meeting_cards": cards,
        "upcoming_meetings": upcoming[:12],
        "all_feed_links": subscribe_links(None),
    }
