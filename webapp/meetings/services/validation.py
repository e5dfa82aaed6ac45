"""Checking what people type, one way for every entry point (forms, CLI, API, importer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from webapp.meetings import schedule
from webapp.meetings.schedule import (
    ScheduleError,
)
from webapp.models import INTERVALS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def in_range(day: date) -> bool:
    """Dates Cadence works with (``schedule.FIRST_YEAR`` to ``LAST_YEAR``)."""
    return schedule.FIRST_YEAR <= day.year <= schedule.LAST_YEAR


def _check_range(day: date, what: str, text: str) -> date:
    if not in_range(day):
        raise ScheduleError(
            f"{what} {text!r} is outside the years {schedule.FIRST_YEAR} to {schedule.LAST_YEAR}"
        )
    return day


def parse_date(text: str, what: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    return _check_range(day, what, text)


def parse_local(text: str, what: str = "start") -> tuple[date, time]:
    try:
        value = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - a local wall time, zone applied by the caller
    except ValueError:
        raise ScheduleError(
            f'{what} {text!r} is not a local date and time in the form "YYYY-MM-DD HH:MM"'
        ) from None
    return _check_range(value.date(), what, text), value.time()


def check_duration(minutes: int) -> int:
    if not 1 <= minutes <= 1440:
        raise ScheduleError(f"duration {minutes} is out of range: give minutes from 1 to 1440")
    return minutes


def check_interval(weeks: int) -> int:
    if weeks not in INTERVALS:
        raise ScheduleError(f"every {weeks} weeks is not offered: choose 1, 2 or 4")
    return weeks


@dataclass(frozen=True)
class SeriesDetails:
    title: str
    description: str = ""
    join_url: str = ""
    place: str = ""
    agenda_template: str = ""
    public: bool = True
