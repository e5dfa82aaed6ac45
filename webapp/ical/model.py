"""The data a feed is rendered from: plain frozen dataclasses, checked on creation.

The checks catch, at the app's side, the mistakes that calendar clients punish
silently: naive datetimes, an EXDATE at another wall time than the series, a
RECURRENCE-ID that is not an occurrence of its master.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = ["EventStatus", "FeedCalendar", "FeedEvent", "Organizer", "WeeklyRule", "wall_in"]


class EventStatus(StrEnum):
    """The VEVENT STATUS values a published feed uses."""

    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


def wall_in(value: datetime, zone: ZoneInfo) -> datetime:
    """``value`` as a wall time in ``zone``; a value already in that zone keeps its wall time,
    even one the clock skips (an occurrence of a rule on a DST-gap day keeps its nominal time)."""
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key == zone.key:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """``FREQ=WEEKLY;INTERVAL=n;BYDAY=<start's weekday>``, optionally ending at ``until``.

    ``until`` is an instant (any aware datetime); it is written in UTC because strict
    readers reject a local UNTIL. It should be at or after the last occurrence's start
    and before the first one that must not happen.
    """

    interval: int = 1
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValueError("WeeklyRule.interval must be at least 1")
        if self.until is not None:
            _aware("WeeklyRule.until", self.until)


@dataclass(frozen=True, slots=True)
class Organizer:
    """A neutral ``ORGANIZER;CN=...:mailto:...`` (never a person's own address)."""

    email: str
    name: str


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT: a single event, a series master, or an override of one occurrence.

    ``start``/``end`` are aware datetimes; they are written as wall times in ``tzid``
    (an IANA name). A series master has ``rule``; an override has ``recurrence_id``
    (the occurrence's original start, as a wall time in ``tzid``) and the master's
    ``uid``. ``exdates`` are cancelled occurrences, given by their original start.
    ``utc_exdates`` are instants at which some reader puts an occurrence that the rule does not
    have there (libical after a skipped wall time), written as EXDATEs in UTC.
    """

    uid: str
    summary: str
    start: datetime
    end: datetime
    tzid: str
    last_modified: datetime
    sequence: int = 0
    description: str = ""
    url: str | None = None
    location: str | None = None
    status: EventStatus = EventStatus.CONFIRMED
    rule: WeeklyRule | None = None
    exdates: tuple[datetime, ...] = ()
    utc_exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None
    categories: tuple[str, ...] = ()
    organizer: Organizer | None = None
    #: An all-day event (``DTSTART;VALUE=DATE``): from the date of ``start`` to the date of
    #: ``end`` (exclusive), both read as wall times in ``tzid``. Not recurring.
    all_day: bool = False

    def __post_init__(self) -> None:
        if not self.uid or not self.uid.strip():
            raise ValueError("FeedEvent.uid must not be empty")
        zone = ZoneInfo(self.tzid)  # unknown zone -> ZoneInfoNotFoundError
        for name in ("start", "end", "last_modified"):
            _aware(f"FeedEvent.{name}", getattr(self, name))
        if self.end <= self.start:
            raise ValueError(f"FeedEvent {self.uid}: end must be after start")
        if self.sequence < 0:
            raise ValueError("FeedEvent.sequence must not be negative")
        EventStatus(self.status)
        if self.rule is not None and self.rule.until is not None and self.rule.until < self.start:
            raise ValueError(f"FeedEvent {self.uid}: the rule ends before the series starts")
        if self.all_day and (self.rule is not None or self.recurrence_id is not None):
            raise ValueError(f"FeedEvent {self.uid}: an all-day event cannot recur")
        if self.all_day and self.local_end.date() <= self.local_start.date():
            raise ValueError(f"FeedEvent {self.uid}: an all-day event lasts at least a day")
        if self.rule is not None and self.recurrence_id is not None:
            raise ValueError("an override (recurrence_id) cannot carry its own rule")
        if (self.exdates or self.utc_exdates) and self.rule is None:
            raise ValueError("exdates need a recurrence rule")
        for instant in self.utc_exdates:
            _aware("FeedEvent.utc_exdates[]", instant)
        first = self.local_start
        for exdate in self.exdates:
            _aware("FeedEvent.exdates[]", exdate)
            local = wall_in(exdate, zone)
            if local.time() != first.time() or local.weekday() != first.weekday():
                raise ValueError(
                    f"EXDATE {exdate.isoformat()} is not at the series' wall time "
                    f"{first:%A %H:%M:%S} in {self.tzid}"
                )
            if not self.is_occurrence(local):
                raise ValueError(f"EXDATE {exdate.isoformat()} is not an occurrence")
        if self.recurrence_id is not None:
            _aware("FeedEvent.recurrence_id", self.recurrence_id)

    @property
    def zone(self) -> ZoneInfo:
        """The event's zone as a tzinfo."""
        return ZoneInfo(self.tzid)

    @property
    def local_start(self) -> datetime:
        """``start`` as a wall time in ``tzid``."""
        return wall_in(self.start, self.zone)

    @property
    def local_end(self) -> datetime:
        """``end`` as a wall time in ``tzid``."""
        return self.end.astimezone(self.zone)

    @property
    def last_modified_utc(self) -> datetime:
        """``last_modified`` in UTC, to the second (DTSTAMP and LAST-MODIFIED)."""
        return self.last_modified.astimezone(UTC).replace(microsecond=0)

    def is_occurrence(self, when: datetime) -> bool:
        """Whether the series (this event must have a rule) starts at ``when``."""
        if self.rule is None:
            return False
        first = self.local_start
        local = wall_in(when, self.zone)
        if (local.time(), local.weekday()) != (first.time(), first.weekday()):
            return False
        days = (local.date() - first.date()).days
        if days < 0 or days % (7 * self.rule.interval):
            return False
        return self.rule.until is None or local.replace(fold=0) <= self.rule.until


@dataclass(frozen=True, slots=True)
class FeedCalendar:
    """A whole feed: its name, description and events.

    ``x_wr_timezone``, if set, must be the TZID of every event: clients that honour it
    show floating and all-day values in it, and a different zone there is a known
    source of shifted events.
    """

    name: str
    events: tuple[FeedEvent, ...]
    description: str = ""
    refresh_interval: timedelta = field(default=timedelta(hours=6))
    x_wr_timezone: str | None = None
    #: The last change of the calendar's own data (its name and description).
    last_modified: datetime | None = None

    @property
    def last_modified_utc(self) -> datetime:
        """The latest change of anything the calendar holds, to the second: HTTP's Last-Modified,
        from the data, never the time of rendering (the same data gives the same value)."""
        stamps = [e.last_modified_utc for e in self.events]
        if self.last_modified is not None:
            stamps.append(self.last_modified.astimezone(UTC).replace(microsecond=0))
        return max(stamps, default=datetime(1970, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.last_modified is not None:
            _aware("FeedCalendar.last_modified", self.last_modified)
        if self.refresh_interval <= timedelta(0):
            raise ValueError("FeedCalendar.refresh_interval must be positive")
        if self.x_wr_timezone is not None:
            ZoneInfo(self.x_wr_timezone)
            others = {e.tzid for e in self.events} - {self.x_wr_timezone}
            if others:
                raise ValueError(
                    f"X-WR-TIMEZONE {self.x_wr_timezone} differs from event zones {sorted(others)}"
                )
