"""What the minutes pages share: the blueprint, who may edit, looking up a series and a meeting."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    redirect,
    request,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import dates
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.models import Series

bp = Blueprint("minutes", __name__)


EDITORS = ("organizer", "scribe")


def can_edit() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*EDITORS))


def series_or_404(slug: str) -> Series:
    try:
        series = meetings.get_series(slug)
    except ScheduleError:
        abort(404)
    if not series.public and not can_edit():
        abort(404)
    return series


def day_or_404(text: str) -> date:
    """A meeting date from an address: ``YYYY-MM-DD`` inside the app's date range, else 404."""
    try:
        return dates.parse_day(text)
    except ValueError:
        abort(404)


def occurrence_or_404(
    slug: str, day_text: str, *, same_day: bool = False
) -> tuple[Series, date, Any]:
    """The series, date and slot of a meeting address, else 404. Only pages that read
    (``same_day``) take a second meeting that day (``YYYY-MM-DD-suffix``): it is written by
    importing its file, so the pages that change a meeting answer 404 for it."""
    series = series_or_404(slug)
    suffix = ""
    if same_day:
        try:
            day, suffix = dates.parse_meeting(day_text)
        except ValueError:
            abort(404)
    else:
        day = day_or_404(day_text)
    try:
        slot = meetings.find_occurrence(series, day, suffix)
    except ScheduleError:
        abort(404, f"{dates.meeting_key(day, suffix)} is not a meeting of {series.title}.")
    return series, day, slot


def back(default: str) -> ResponseReturnValue:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


def people_names() -> list[str]:
    return [p.name for p in svc.list_people()]
