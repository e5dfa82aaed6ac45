"""How far back the meetings' feeds reach: the one place that computes it.

The site settings' "months of past meetings" (default ``FEED_PAST_MONTHS``) back from a UTC
midnight, and everything ahead. The start moves once a day, so a feed rendered in the morning and
one rendered in the evening of the same day are the same bytes (stable ETags, 304s).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from webapp import settings


def feed_window(now: datetime, past_months: int) -> tuple[datetime, datetime | None]:
    """What a feed covers: ``past_months`` back, and everything ahead (``None``)."""
    start = now.astimezone(UTC) - timedelta(days=round(past_months * 30.44))
    return start.replace(hour=0, minute=0, second=0, microsecond=0), None


def window_start(now: datetime) -> datetime:
    """The feeds' first instant for the current site settings."""
    return feed_window(now, settings.current().feed_past_months)[0]


#: How far ahead of today the feeds spell out meetings on clock changes (and end the rules that
#: have them): calendar clients expand a subscribed feed for years ahead.
HORIZON_YEARS = 30


def feed_horizon(now: datetime) -> date:
    """The last day the feeds spell out: ``HORIZON_YEARS`` after today (UTC), moving daily with
    the window's start (the feeds' version holds that day, so the two change together)."""
    today = now.astimezone(UTC).date()
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + HORIZON_YEARS, day=28)
