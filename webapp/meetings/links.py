"""The addresses of a series and of its meetings (pages, API and feeds use the same)."""

from __future__ import annotations

from datetime import date

from flask import url_for

from webapp import dates
from webapp.models import Series
from webapp.urls import external_url


def meeting_path(series: Series, day: date, suffix: str = "") -> str:
    """``/meetings/SLUG/YYYY-MM-DD``: the meeting's page, keyed by its original date
    (``YYYY-MM-DD-suffix`` for a second meeting that day)."""
    return url_for("meetings.meeting", slug=series.slug, day=dates.meeting_key(day, suffix))


def meeting_url(series: Series, day: date, suffix: str = "") -> str:
    """The meeting page's absolute address, on CADENCE_BASE_URL (pages, API, feeds)."""
    return external_url(meeting_path(series, day, suffix))


def series_url(series: Series) -> str:
    return external_url(url_for("meetings.series_page", slug=series.slug))
