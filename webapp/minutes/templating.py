"""Template helpers of the minutes area and its panel on the meeting page."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    current_app,
    url_for,
)
from werkzeug.exceptions import HTTPException

from webapp import clock, dates
from webapp.markdown import render_inline, render_markdown
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.rendering import notes_html
from webapp.minutes.services.live_entry import current_or_last, window_open
from webapp.minutes.views.helpers import can_edit
from webapp.models import Series


def meeting_url(series: Series, day: date | str) -> str:
    """The meeting's page: the meetings area's ``/meetings/SLUG/DATE`` when the app has one, else
    this area's agenda or minutes page."""
    day_text = day if isinstance(day, str) else day.isoformat()
    path = f"/meetings/{series.slug}/{day_text}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        meeting_day, suffix = dates.parse_meeting(day_text)
        minutes = svc.get_minutes(series, meeting_day, suffix)
        if minutes is not None and (minutes.published or can_edit()):
            return url_for("minutes.minutes_page", slug=series.slug, day=day_text)
        return url_for("minutes.agenda_page", slug=series.slug, day=day_text)
    return path


def minutes_for(series: Series, day: date | str) -> svc.Meeting | None:
    """For ``templates/minutes/_meeting.html``: agenda, minutes and follow-ups of one meeting."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return None
    try:
        return svc.meeting(series, day, clock.now(), can_edit=can_edit())
    except ScheduleError:
        return None


def meeting_panel(series: Series, day: date, slot: Any) -> dict[str, Any]:
    """The meeting page's panel of this area: the agenda before the meeting, minutes after."""
    return {"series": series, "slot": slot, "occurrence_date": day, "on_meeting_page": True}


def local_start(series: Series, slot: Any) -> str:
    """A meeting's start in the series' own zone, in the one format of meeting times (the
    meetings area's ``wall`` filter), e.g. "Thursday 7 February 2019, 16:00 EST"."""
    local = slot.start.astimezone(ZoneInfo(series.timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()}"


_UNKNOWN = "?"


def take_minutes(series: Series, slot: Any, state: str | None = _UNKNOWN) -> dict[str, Any] | None:
    """ "Take minutes" for a signed-in scribe or organizer while the meeting is open for minutes:
    ``{"url", "start"}`` (``start``: no minutes yet, so the button POSTs to start them), or None.

    ``state`` ("draft", "published", None for no minutes) spares a query when the caller knows it.
    """
    if slot is None or not can_edit() or slot.suffix:
        return None  # a second meeting that day is written by importing its file
    day = slot.original_date
    if state == _UNKNOWN:
        minutes = svc.get_minutes(series, day)
        state = minutes.state if minutes is not None else None
    if not window_open(slot, state, clock.now()):
        return None
    # No minutes yet: the shared notes' start (a POST that starts them, then the call page).
    endpoint = "live.start" if state is None else "minutes.live"
    return {"url": url_for(endpoint, slug=series.slug, day=day.isoformat()), "start": state is None}


def take_minutes_slot(series: Series) -> Any:
    """The meeting a series page offers "Take minutes" for (None for the public: no queries)."""
    return current_or_last(series, clock.now()) if can_edit() else None


def published_minutes_days(series: Series) -> list[date]:
    """The meetings of ``series`` with published minutes, newest first (one query)."""
    return svc.published_days(series)


def template_helpers() -> dict[str, Any]:
    return {
        "local_start": local_start,
        "minutes_for": minutes_for,
        "minutes_url_for": svc.minutes_url_for,
        "meeting_url": meeting_url,
        "render_markdown": render_markdown,
        "minutes_html": notes_html,
        "render_inline": render_inline,
        "can_edit_minutes": can_edit,
        "take_minutes": take_minutes,
        "take_minutes_slot": take_minutes_slot,
        "published_minutes_days": published_minutes_days,
        "published_minutes_keys": svc.published_keys,
    }
