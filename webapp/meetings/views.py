"""Public pages of the bi-weekly call: a series, one meeting, and the calendar feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from webapp import clock, dates, wiring
from webapp.converters import positive_int
from webapp.ical import FeedCalendar
from webapp.meetings import schedule, services
from webapp.meetings.feeds.calendars import (
    all_calendar,
    meeting_calendar,
    series_calendar,
    subscribe_links,
)
from webapp.meetings.feeds.http import serve
from webapp.meetings.links import meeting_path
from webapp.meetings.pages import series_start
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.models import Series
from webapp.security import public, stateless
from webapp.stored_html import html_of

bp = Blueprint("meetings", __name__)

UPCOMING = 8
PAST_PER_PAGE = 20


def _may_see(series: Series) -> bool:
    return series.public or (current_user.is_authenticated and current_user.has_role("organizer"))


def visible_series(slug: str) -> Series:
    """The series ``slug``, or 404 (also for a private series shown to the public)."""
    try:
        series = services.get_series(slug)
    except ScheduleError:
        abort(404, f"There is no meeting series called “{slug}”.")
    if not _may_see(series):
        abort(404, f"There is no meeting series called “{slug}”.")
    return series


def local(series: Series, when: datetime) -> datetime:
    return when.astimezone(schedule.zone(series.timezone))


@bp.route("/series/<slug>")
@public
def series_page(slug: str) -> ResponseReturnValue:
    series = visible_series(slug)
    now = clock.now()
    upcoming = services.occurrences(series, now, now + timedelta(weeks=UPCOMING * 4 + 4))[:UPCOMING]
    past = [s for s in services.occurrences(series, series_start(series), now) if s.end <= now]
    past.reverse()
    # A page number that is no number is the first page; one past the last is no page (404):
    # the stored renders (webapp.page_cache) keep one per page that exists.
    page_no = positive_int(request.args.get("page")) or 1
    pages = max(1, -(-len(past) // PAST_PER_PAGE))
    if page_no > pages:
        abort(404, f"There is no page {page_no}: the past meetings fill {pages}.")
    shown = past[(page_no - 1) * PAST_PER_PAGE : page_no * PAST_PER_PAGE]
    return render_template(
        "meetings/series.html",
        series=series,
        schedule_words=services.describe_schedule(series),
        history=[
            services.describe_rule(r, series.timezone) + f", {r.first_date} to {r.until_date}"
            for r in series.rules[:-1]
        ],
        description=html_of(series, "description"),
        upcoming=upcoming,
        past=shown,
        page=page_no,
        pages=pages,
        past_total=len(past),
        links=subscribe_links(series.slug),
        local=lambda when: local(series, when),
        now=now,
    )


def _parse_day(series: Series, day: str) -> tuple[date, Slot]:
    """A meeting in its one spelling (``YYYY-MM-DD``, or ``YYYY-MM-DD-suffix`` for a second
    meeting that day, inside the app's range), or 404."""
    try:
        when, suffix = dates.parse_meeting(day)
    except ValueError as exc:
        abort(404, f"{exc} So it is no meeting of {series.title}.")
    try:
        return when, services.find_occurrence(series, when, suffix)
    except ScheduleError as exc:
        abort(404, f"There is no meeting of {series.title} on that date: {exc}.")


@bp.route("/meetings/<slug>/<day>")
@public
def meeting(slug: str, day: str) -> ResponseReturnValue:
    series = visible_series(slug)
    occurrence_date, slot = _parse_day(series, day)
    previous, following = services.neighbours(series, occurrence_date, slot.suffix)
    now = clock.now()
    # A second meeting that day: what the other areas show for its date is its own.
    with services.same_day_meeting(series, occurrence_date, slot.suffix):
        return render_template(
            "meetings/meeting.html",
            series=series,
            slot=slot,
            occurrence_date=occurrence_date,
            previous=previous,
            following=following,
            is_past=slot.end <= now,
            local=lambda when: local(series, when),
            links=subscribe_links(series.slug),
            meeting_feed=meeting_path(series, occurrence_date, slot.suffix) + ".ics",
            panels=_panels(series, occurrence_date, slot),
        )


def _panels(series: Series, day: date, slot: Slot) -> list[Markup]:
    """The parts other areas add to the meeting page (agenda, minutes), each rendered once."""
    rendered = []
    for panel in wiring.of().meeting_panels:
        context = panel.context(series, day, slot)
        if context is not None:
            rendered.append(Markup(render_template(panel.template, **context)))  # noqa: S704
    return rendered


@bp.route("/meetings/<slug>/<day>.ics")
@public
@stateless
def meeting_feed(slug: str, day: str) -> ResponseReturnValue:
    def build(_now: datetime) -> FeedCalendar:
        series = _public_series(slug)
        occurrence_date, slot = _parse_day(series, day)
        return meeting_calendar(series, occurrence_date, slot.suffix)

    return serve(f"meeting:{slug}:{day}", build, keep=False)


def _public_series(slug: str) -> Series:
    """For feeds: only public series have one (no session is read for them)."""
    try:
        series = services.get_series(slug)
    except ScheduleError:
        abort(404, f"There is no meeting series called “{slug}”.")
    if not series.public:
        abort(404, f"There is no meeting series called “{slug}”.")
    return series


@bp.route("/calendar/<slug>.ics")
@public
@stateless
def series_feed(slug: str) -> ResponseReturnValue:
    # The series is loaded (and a missing or private one refused) only when the feed has to be
    # rendered: a stored render for the current data version proves it was servable then, and
    # any change since (deletion, made private) moves the version.
    return serve(f"series:{slug}", lambda now: series_calendar(_public_series(slug), now))


@bp.route("/calendar.ics")
@public
@stateless
def all_feed() -> ResponseReturnValue:
    return serve("all", all_calendar)


@bp.app_template_filter("utc_iso")
def utc_iso(when: datetime) -> str:
    """For ``<time datetime=...>``: ``2026-03-12T20:00:00Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.app_template_filter("wall")
def wall(when: datetime, timezone: str) -> str:
    """``Thursday 12 March 2026, 16:00 EDT`` in ``timezone``."""
    here = when.astimezone(schedule.zone(timezone))
    return f"{here:%A} {here.day} {here:%B %Y, %H:%M} {here.tzname()}"
