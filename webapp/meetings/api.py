"""JSON: the app's own statement of a series' schedule (the feeds must agree with it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from webapp.meetings import schedule, services
from webapp.meetings.links import meeting_url
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.models import Series
from webapp.security import public, stateless

bp = Blueprint("meetings_api", __name__, url_prefix="/api/v1")

#: The longest span one request may ask for.
MAX_SPAN = timedelta(days=3653)


def iso_utc(when: datetime) -> str:
    """``2026-03-12T20:00:00Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_json(series: Series, slot: Slot) -> dict[str, Any]:
    tz = schedule.zone(series.timezone)
    return {
        "date": slot.original_date.isoformat(),
        # The meeting's key: its date, or ``date-suffix`` for a second meeting that day.
        "key": slot.key,
        "start": iso_utc(slot.start),
        "end": iso_utc(slot.end),
        "local_start": slot.start.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "status": slot.status,
        "title": slot.title,
        "reason": slot.cancel_reason,
        "url": meeting_url(series, slot.original_date, slot.suffix),
    }


def listed_on(slot: Slot, tz: ZoneInfo) -> date:
    """The date a meeting is listed under: a moved (or extra) meeting's local start date; an
    unmoved one's rule date, the date of its rule time before a skipped hour is resolved (a 23:30
    Saturday meeting on the night the clock skips from 23:00 to 00:00 is held at Sunday 00:30 and
    still listed on its Saturday)."""
    if slot.change is not None and slot.change.start_at is not None:
        return slot.start.astimezone(tz).date()
    return slot.original_date


def _bad(message: str) -> ResponseReturnValue:
    return {"error": 400, "message": message}, 400


@bp.route("/series/<slug>/occurrences")
@public
@stateless
def occurrences(slug: str) -> ResponseReturnValue:
    """Meetings listed (``listed_on``) on the dates ``from`` .. ``to`` (inclusive)."""
    try:
        series = services.get_series(slug)
    except ScheduleError:
        abort(404, f"there is no series {slug!r}")
    if not series.public:
        abort(404, f"there is no series {slug!r}")
    values = {}
    for name in ("from", "to"):
        raw = request.args.get(name)
        if not raw:
            return _bad(f"the parameter {name!r} is missing: give a date as YYYY-MM-DD")
        try:
            values[name] = services.parse_date(raw, name)
        except ScheduleError as exc:
            return _bad(str(exc))
    first, last = values["from"], values["to"]
    if last < first:
        return _bad(f"'to' {last} is before 'from' {first}")
    if last - first > MAX_SPAN:
        return _bad("the span from 'from' to 'to' may be at most 10 years")
    tz = schedule.zone(series.timezone)
    # A day either side: a skipped hour moves an unmoved meeting's start to another local date.
    start = datetime.combine(first - timedelta(days=1), time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=2), time(0), tzinfo=tz)
    slots = services.occurrences(series, start, end)
    return {
        "series": series.slug,
        "title": series.title,
        "timezone": series.timezone,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "occurrences": [slot_json(series, s) for s in slots if first <= listed_on(s, tz) <= last],
    }
