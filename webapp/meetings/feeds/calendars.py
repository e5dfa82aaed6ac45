"""The meetings' calendars: one series, every public series (``/calendar.ics``), one meeting;
and the links people subscribe with."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from flask import url_for

from webapp import settings, wiring
from webapp.ical import FeedCalendar, FeedEvent, google_calendar_url, webcal_url
from webapp.meetings import services
from webapp.meetings.feeds.events import SeriesView, series_events, series_url, slot_event
from webapp.meetings.feeds.window import feed_horizon, window_start
from webapp.models import Series
from webapp.urls import base_url, external_url


def series_calendar(series: Series, now: datetime) -> FeedCalendar:
    return FeedCalendar(
        name=series.title,
        description=f"{services.describe_schedule(series)}. {series_url(series)}",
        # No X-WR-TIMEZONE (nor in the site and programme feeds): recurring-ical-events reads
        # UTC values through it as wall times, and a move ending in a repeated hour then ended
        # before it began. Every value carries its TZID or is UTC; nothing is floating.
        events=tuple(series_events(series, window_start(now), feed_horizon(now))),
        last_modified=series.updated_at,
    )


def _settings_changed() -> datetime | None:
    """When the site settings (the community's name, in the site feed's NAME) last changed."""
    row = settings.stored()
    return row.updated_at if row is not None else None


def all_calendar(now: datetime) -> FeedCalendar:
    start, horizon = window_start(now), feed_horizon(now)
    events: list[FeedEvent] = []
    for series in services.list_series(public_only=True):
        events += series_events(series, start, horizon)
    for provider in wiring.of().feed_providers:
        events += list(provider.events(now))
    community = settings.current().community_name
    return FeedCalendar(
        name=f"{community}: meetings",
        description=f"Every public meeting of the {community}. {base_url()}/",
        events=tuple(events),
        last_modified=_settings_changed(),
    )


def meeting_calendar(series: Series, day: date, suffix: str = "") -> FeedCalendar:
    """One meeting as a plain event of its own (UID ``meeting-<slug>-<date>``).

    A plain event rather than an override (UID of the master plus RECURRENCE-ID): a file holding
    only an override has no master to attach to, and Google and Outlook import such orphans
    inconsistently. Someone who downloads one meeting usually does not subscribe to the series;
    for an extra meeting the UID is the same as in the series feed.
    """
    view = SeriesView.of(series)
    slot = services.find_occurrence(series, day, suffix)
    occ = view.row(day, suffix)
    rule_row = next((r for r in series.rules if slot.rule and r.id == slot.rule.id), None)
    sequence = (rule_row.sequence if rule_row else 0) + (occ.sequence if occ else 0)
    stamps = [series.updated_at]
    stamps += [rule_row.updated_at] if rule_row else []
    stamps += [occ.updated_at] if occ else []
    return FeedCalendar(
        name=f"{series.title} {slot.key}",
        # No X-WR-TIMEZONE: with no recurrence there is nothing for it to do, and
        # recurring-ical-events then reads a meeting on a repeated hour as zero minutes long.
        events=(slot_event(view, slot, sequence, stamps),),
        last_modified=series.updated_at,
    )


def subscribe_links(slug: str | None) -> dict[str, str]:
    """``https``, ``webcal`` and Google "add by URL" links for a series feed (None: all series)."""
    path = url_for("meetings.series_feed", slug=slug) if slug else url_for("meetings.all_feed")
    url = external_url(path)
    links = {"url": url, "webcal": webcal_url(url)}
    with contextlib.suppress(ValueError):  # longer than Google accepts: offer the others
        links["google"] = google_calendar_url(url)
    return links
