"""Times and text of the call for papers: zones, local wall times, dates, countdowns, CSV cells."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from webapp import dates
from webapp.cfp.services.errors import CfpError
from webapp.models import Conference


def zone_or_error(name: str) -> ZoneInfo:
    if not name or name not in available_timezones():
        raise CfpError(f"Unknown time zone {name!r}: use an IANA name such as Europe/Amsterdam.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - filtered above
        raise CfpError(f"Unknown time zone {name!r}.") from None


def check_day(day: date, what: str) -> date:
    """``day`` inside the app's date range, or a ``CfpError`` saying which dates are accepted."""
    try:
        return dates.check_date(day, what)
    except dates.DateOutOfRange as exc:
        raise CfpError(str(exc)) from None


def local_to_utc(wall: datetime, zone: ZoneInfo, what: str = "time") -> datetime:
    """A local wall time in ``zone`` as a UTC instant; a time the clocks skip is refused."""
    if wall.tzinfo is not None:
        raise CfpError(f"{what}: expected a local wall time")
    check_day(wall.date(), what)
    aware = wall.replace(tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != wall:
        raise CfpError(
            f"{what} {wall:%Y-%m-%d %H:%M} does not exist in {zone.key}: "
            "the clocks skip it (daylight saving time starts)."
        )
    return aware.astimezone(UTC)


def parse_local_datetime(text: str, what: str) -> datetime:
    try:
        wall = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - local wall time
    except ValueError:
        raise CfpError(f"{what} {text!r} is not a date and time like 2027-03-01 23:59.") from None
    check_day(wall.date(), what)
    return wall


def parse_hour(text: str, what: str) -> time:
    """A time of day in its one spelling, ``HH:MM`` (24 hours)."""
    text = text.strip()
    try:
        if len(text) != 5:
            raise ValueError
        return datetime.strptime(text, "%H:%M").time()  # noqa: DTZ007 - a wall time of day
    except ValueError:
        raise CfpError(f"{what} {text!r} is not a time of day like 09:00.") from None


def parse_date(text: str, what: str) -> date:
    try:
        return dates.parse_day(text.strip(), what)
    except dates.DateOutOfRange as exc:
        raise CfpError(str(exc)) from None
    except ValueError:
        raise CfpError(f"{what} {text!r} is not a date like 2027-06-10.") from None


def format_local(instant: datetime, conference: Conference) -> str:
    return f"{conference.local(instant):%Y-%m-%d %H:%M} {conference.timezone}"


def closes_in(conference: Conference, now: datetime) -> str:
    """'closes in 3 days' (server-side text of the countdown)."""
    left = conference.cfp_closes_at - now
    if left <= timedelta(0):
        return "closed"
    if left >= timedelta(days=2):
        return f"closes in {left.days} days"
    hours = int(left.total_seconds() // 3600)
    if hours >= 2:
        return f"closes in {hours} hours"
    minutes = max(int(left.total_seconds() // 60), 1)
    return f"closes in {minutes} minute{'s' if minutes != 1 else ''}"
