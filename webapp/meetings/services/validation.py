"""Checking what people type, one way for every entry point (forms, CLI, API, importer)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from urllib.parse import urlsplit

from webapp import dates, plaintext
from webapp.meetings.schedule import (
    ScheduleError,
)
from webapp.models import INTERVALS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def in_range(day: date) -> bool:
    """Dates Cadence works with (``webapp.dates``: ``FIRST_DATE`` to ``LAST_DATE``)."""
    return dates.FIRST_DATE <= day <= dates.LAST_DATE


def _check_range(day: date, what: str, text: str) -> date:
    if not in_range(day):
        raise ScheduleError(
            f"{what} {text!r} is outside the dates Cadence accepts "
            f"({dates.FIRST_DATE} to {dates.LAST_DATE})"
        )
    return day


def parse_date(text: str, what: str = "date") -> date:
    """A ``YYYY-MM-DD`` date (the one spelling) inside the app's range."""
    text = text.strip()
    try:
        dates.parse_day(text)
    except dates.DateOutOfRange:
        pass  # said below, in the words of the other range errors
    except ValueError:
        raise ScheduleError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    return _check_range(date.fromisoformat(text), what, text)


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


# --- free text and links ---------------------------------------------------------------------

_LINE_BREAKS = "\n\r\u0085\u2028\u2029"


def check_text(value: str, what: str, *, limit: int, multiline: bool = False) -> str:
    """``value`` without surrounding blanks, refused when too long or when it holds control
    characters (a line break too, unless ``multiline``): they break calendar feeds and mails; or
    invisible bidirectional or zero-width characters (``webapp.plaintext``)."""
    allowed = "\n\r\t" if multiline else ""
    if any(
        (unicodedata.category(ch) == "Cc" or ch in _LINE_BREAKS) and ch not in allowed
        for ch in value
    ):
        kind = "control characters" if multiline else "line breaks or control characters"
        raise ScheduleError(f"{what} may not contain {kind}")
    if (hidden := plaintext.hidden_in(value)) is not None:
        raise ScheduleError(
            f"{what} may not contain the invisible character {plaintext.describe(hidden)}"
        )
    if len(value) > limit:
        raise ScheduleError(f"{what} may have at most {limit} characters")
    return value if multiline else value.strip()


def check_join_url(value: str) -> str:
    """Where people join: an ``http://`` or ``https://`` address, or nothing."""
    value = check_text(value, "the join URL", limit=500)
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        raise ScheduleError(f"the join URL {value[:80]!r} must be an http:// or https:// address")
    return value


def check_details(details: SeriesDetails) -> SeriesDetails:
    """The same checks for every entry point (organizer form, CLI, importer, API)."""
    title = check_text(details.title, "the title", limit=200)
    if not title:
        raise ScheduleError("a series needs a title")
    return replace(
        details,
        title=title,
        description=check_text(details.description, "the description", limit=20000, multiline=True),
        join_url=check_join_url(details.join_url),
        place=check_text(details.place, "the place", limit=200),
        agenda_template=check_text(
            details.agenda_template, "the agenda template", limit=20000, multiline=True
        ),
    )
