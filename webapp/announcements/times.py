"""How an announcement names a meeting: its times in every zone asked for, and its links.

Links are built from ``CADENCE_BASE_URL`` by hand (as the CFP mails do): announcements are
queued from the CLI and the outbox worker too, where there is no request to ``url_for`` in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from webapp.meetings import schedule
from webapp.models import Series
from webapp.urls import external_url


def local_text(start: datetime, end: datetime, zone_name: str) -> str:
    """``Thursday 2026-12-03, 16:00–17:00 America/New_York`` (the end's date when it differs)."""
    tz = schedule.zone(zone_name) if zone_name != "UTC" else UTC
    a, b = start.astimezone(tz), end.astimezone(tz)
    until = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%A %Y-%m-%d %H:%M}"
    return f"{a:%A %Y-%m-%d}, {a:%H:%M}–{until} {zone_name}"


def when(series: Series, start: datetime, end: datetime, zones: list[str]) -> dict[str, Any]:
    """The meeting's time in the series' zone, in UTC and in each extra zone."""
    extra = [z for z in zones if z not in (series.timezone, "UTC")]
    return {
        "local": local_text(start, end, series.timezone),
        "utc": local_text(start, end, "UTC"),
        "zones": [local_text(start, end, z) for z in extra],
    }


def meeting_links(series: Series, day: date) -> dict[str, str]:
    path = f"/meetings/{series.slug}/{day.isoformat()}"
    return {"url": external_url(path), "ics": external_url(path + ".ics")}
