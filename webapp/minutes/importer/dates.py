"""Dates as minutes write them: "Next meeting: Feb 21st", ISO dates, dates in file names."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from webapp import dates
from webapp.minutes.importer.model import ImportProblem

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9


_MONTH = r"([A-Za-z]{3,9})\.?"


_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"


_YEAR = r"(?:,?\s+(\d{4}))?"


_WEEKDAY = r"(?:[A-Za-z]+day,?\s+)?"


MONTH_DAY = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY}{_YEAR}\b")


DAY_MONTH = re.compile(rf"^{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b")


ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")


def _in_range(day: date) -> date | None:
    return day if dates.FIRST_DATE <= day <= dates.LAST_DATE else None


def resolve_next_meeting(text: str, meeting_day: date) -> date | None:
    """ "Feb 21st", "21 February", "Thursday, March 7", "2019-02-21" → the nearest such date
    after ``meeting_day`` (the year given wins when there is one); None outside the app's range."""
    text = text[:100].strip().strip("*_").strip()
    m = ISO.match(text)
    if m:
        try:
            return _in_range(date.fromisoformat(m.group(1)))
        except ValueError:
            return None
    m = MONTH_DAY.match(text)
    if m:
        month_name, day_text, year_text = m.group(1), m.group(2), m.group(3)
    else:
        m = DAY_MONTH.match(text)
        if not m:
            return None
        day_text, month_name, year_text = m.group(1), m.group(2), m.group(3)
    month = MONTHS.get(month_name.lower())
    if month is None:
        return None
    try:
        if year_text:
            return _in_range(date(int(year_text), month, int(day_text)))
        candidate = date(meeting_day.year, month, int(day_text))
        if candidate <= meeting_day:
            candidate = date(meeting_day.year + 1, month, int(day_text))
        return _in_range(candidate)
    except ValueError:
        return None


def parse_date(value: Any, line: int, what: str) -> date | None:
    """A ``YYYY-MM-DD`` date from front matter, inside the app's range; else ImportProblem."""
    if value in (None, ""):
        return None
    try:
        return dates.parse_day(str(value).strip(), what)
    except ValueError as exc:
        message = str(exc)
        if "outside" not in message:
            message = f"{what} {value!r} is not a date in the form YYYY-MM-DD"
        raise ImportProblem(line, message) from None
