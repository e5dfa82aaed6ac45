"""The one date range of Cadence, and the one spelling of a date in addresses.

Every entry point (forms, CLI, importer, API, URL paths) accepts dates from ``FIRST_DATE`` to
``LAST_DATE`` only, so that nothing downstream (time-zone arithmetic, feed windows, a year 9999
plus a day) can overflow. Addresses spell a date one way, ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
#: The longest a conference may last.
MAX_CONFERENCE_DAYS = 14

_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateOutOfRange(ValueError):
    pass


def check_date(day: date, what: str = "The date") -> date:
    """``day`` itself, or a ``DateOutOfRange`` saying which dates Cadence accepts."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise DateOutOfRange(
            f"{what} {day.isoformat()} is outside the dates Cadence accepts "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})."
        )
    return day


def parse_day(text: str, what: str = "The date") -> date:
    """A ``YYYY-MM-DD`` date inside the range; anything else is a ``ValueError`` with a reason."""
    if not _CANONICAL.fullmatch(text):
        raise ValueError(f"“{text[:40]}” is not a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date of the calendar.") from None
    return check_date(day, what)


def clamp(day: date) -> date:
    """``day`` moved into the range (for windows computed as a date plus or minus a span)."""
    return min(max(day, FIRST_DATE), LAST_DATE)


def add_days(day: date, days: int) -> date:
    """``day + days`` that stays inside the range instead of overflowing."""
    try:
        return clamp(day + timedelta(days=days))
    except OverflowError:
        return LAST_DATE if days > 0 else FIRST_DATE


#: A same-day meeting's suffix: what its file name says after ``YYYY-MM-DD-`` (``guests``).
SUFFIX_MAX = 40
_SUFFIX = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def check_suffix(text: str) -> str:
    """``text`` itself when it is a same-day meeting's suffix, else a ``ValueError`` saying why."""
    if not _SUFFIX.fullmatch(text):
        shown = text[:50].encode("unicode_escape").decode("ascii")
        raise ValueError(
            f"“{shown}” is not a meeting suffix: up to {SUFFIX_MAX} lowercase letters, digits "
            "and hyphens, starting with a letter or digit (2019-02-07-guests)."
        )
    return text


def parse_meeting(text: str, what: str = "The meeting") -> tuple[date, str]:
    """A meeting's key as addresses, the CLI, the API and the importer spell it: ``YYYY-MM-DD``
    (the date's meeting) or ``YYYY-MM-DD-suffix`` (a second meeting that day); a ``ValueError``
    with a reason for anything else."""
    day_text, dash, suffix = text[:10], text[10:11], text[11:]
    if dash not in ("", "-"):
        shown = text[:60].encode("unicode_escape").decode("ascii")
        raise ValueError(f"“{shown}” is not a meeting written YYYY-MM-DD or YYYY-MM-DD-suffix.")
    day = parse_day(day_text, what)
    if dash:
        check_suffix(suffix)
    return day, suffix


def meeting_key(day: date, suffix: str = "") -> str:
    """The key ``parse_meeting`` reads back: ``2019-02-07`` or ``2019-02-07-guests``."""
    return f"{day.isoformat()}-{suffix}" if suffix else day.isoformat()
