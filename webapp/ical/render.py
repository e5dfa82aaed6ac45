"""Render a FeedCalendar to iCalendar bytes that every client reads the same way.

Everything here is deterministic: the same FeedCalendar gives the same bytes, so the
app can store them, hash them for an ETag and answer 304s. That is why DTSTAMP is the
event's LAST-MODIFIED rather than "now", and why nothing uses ``Calendar.new()`` or
``Event.new()`` (they fill in random UIDs and the current time).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from webapp import plaintext
from webapp.ical.model import FeedCalendar, FeedEvent, wall_in
from webapp.ical.timezones import vtimezone

__all__ = ["PRODID", "render_calendar"]

PRODID = "-//Cadence//Cadence//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _duration(value: timedelta) -> str:
    """RFC 5545 dur-value for a positive timedelta, e.g. ``PT6H`` or ``P1DT30M``."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"P{days}D" if days else "P"
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return text + (f"T{clock}" if clock else "")


_LINE = re.compile("\r\n|[\r\u0085\u2028\u2029]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """TEXT a strict reader accepts: no control characters (RFC 5545 allows none but HTAB in
    TEXT; icalendar escapes the line breaks that remain), one-line values without line breaks,
    and none of the invisible bidirectional or zero-width characters of ``webapp.plaintext``.
    Input is refused at the entry points; this keeps old data from breaking a whole feed."""
    text = _LINE.sub("\n", plaintext.strip_hidden(text))
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept if multiline else kept.replace("\n", " ")


def _description(event: FeedEvent) -> str:
    """Plain-text description, with the link repeated for clients that hide URL."""
    text = clean_text(event.description, multiline=True).strip()
    if event.url and event.url not in text:
        text = f"{text}\n\n{event.url}" if text else event.url
    return text


def _rrule(event: FeedEvent) -> vRecur:
    assert event.rule is not None  # noqa: S101 - callers check
    rule: dict[str, object] = {
        "FREQ": "WEEKLY",
        "BYDAY": _WEEKDAYS[event.local_start.weekday()],
    }
    if event.rule.interval != 1:
        rule["INTERVAL"] = event.rule.interval
    if event.rule.until is not None:
        rule["UNTIL"] = event.rule.until.astimezone(UTC).replace(microsecond=0)
    # WKST matters for INTERVAL>1 with BYDAY; say it so no client guesses.
    rule["WKST"] = "MO"
    return vRecur(rule)


def _is_ambiguous(local: datetime) -> bool:
    """Whether this wall time happens twice (the hour repeated when clocks go back) or not at all
    (the hour skipped): zoneinfo then gives its two folds different offsets."""
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def _wall_or_utc(local: datetime, may_use_utc: bool) -> datetime:
    """The wall time in the event's zone, or UTC where the wall time is ambiguous.

    RFC 5545 reads an ambiguous wall time as its first occurrence, ical.js as its
    second; UTC is read the same way by all. A series master keeps its zone (its
    rule repeats the wall time); only single events and overrides can switch.
    """
    local = local.replace(microsecond=0)
    if may_use_utc and _is_ambiguous(local):
        return local.astimezone(UTC)
    return local


def _skipped(local: datetime) -> bool:
    """Whether the clock skips this wall time (zoneinfo then gives it the offset before the gap)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) != local.replace(tzinfo=None)


def _exdate_values(local: datetime) -> list[datetime]:
    """One EXDATE per line: the TZID of the series and the wall time of DTSTART; on a day whose
    wall time the clock skips, also its instant (RFC 5545 3.3.5: the offset before the gap) in UTC.

    libical reads a known TZID in an EXDATE with its own zone data, which puts a skipped wall time
    after the gap, while its rule iterator puts the occurrence before it: the local EXDATE alone
    cancels nothing there. Only that one extra value: ical.js checks a single EXDATE value per
    occurrence, so an extra value earlier than the occurrence it reads would hide the EXDATE.
    """
    return [local, local.astimezone(UTC)] if _skipped(local) else [local]


def _vevent(event: FeedEvent, master: FeedEvent | None) -> Event:
    component = Event()
    component.add("uid", event.uid)
    component.add("dtstamp", event.last_modified_utc)
    component.add("last-modified", event.last_modified_utc)
    sequence = event.sequence
    if master is not None:
        # An override must outrank its master, or clients keep the old time.
        sequence = max(sequence, master.sequence + 1)
    component.add("sequence", sequence)
    component.add("summary", clean_text(event.summary))
    if event.all_day:
        # VALUE=DATE, DTEND the day after (exclusive): what every client shows as all day.
        component.add("dtstart", event.local_start.date())
        component.add("dtend", event.local_end.date())
    else:
        component.add("dtstart", _wall_or_utc(event.local_start, event.rule is None))
        component.add("dtend", _wall_or_utc(event.local_end, event.rule is None))
    if master is not None and event.recurrence_id is not None:
        original = wall_in(event.recurrence_id, master.zone).replace(microsecond=0)
        component.add("recurrence-id", original)
    if event.rule is not None:
        component.add("rrule", _rrule(event))
        for exdate in sorted(event.exdates):
            local = wall_in(exdate, event.zone).replace(microsecond=0)
            for value in _exdate_values(local):
                component.add("exdate", value)
        for instant in sorted(event.utc_exdates):
            component.add("exdate", instant.astimezone(UTC).replace(microsecond=0))
    component.add("status", str(event.status))
    description = _description(event)
    if description:
        component.add("description", vText(description))
    if event.url:
        component.add("url", event.url, parameters={"VALUE": "URI"})
    if event.location:
        component.add("location", clean_text(event.location))
    if event.categories:
        component.add("categories", [clean_text(c) for c in event.categories])
    if event.organizer is not None:
        address = vCalAddress(f"mailto:{event.organizer.email}")
        address.params["CN"] = event.organizer.name
        component.add("organizer", address)
    component.add("transp", "OPAQUE")
    return component


def _check_overrides(events: tuple[FeedEvent, ...]) -> dict[str, FeedEvent]:
    """Masters by UID; raise on duplicate UIDs and overrides without a master."""
    masters: dict[str, FeedEvent] = {}
    for event in events:
        if event.recurrence_id is None:
            if event.uid in masters:
                raise ValueError(f"duplicate UID {event.uid}")
            masters[event.uid] = event
    seen: set[tuple[str, datetime]] = set()
    for event in events:
        if event.recurrence_id is None:
            continue
        master = masters.get(event.uid)
        if master is None or master.rule is None:
            raise ValueError(f"override {event.uid} has no recurring master")
        if event.tzid != master.tzid:
            raise ValueError(f"override {event.uid} must use the master's zone")
        original = wall_in(event.recurrence_id, master.zone)
        if not master.is_occurrence(original):
            raise ValueError(
                f"RECURRENCE-ID {original.isoformat()} is not an occurrence of {event.uid}"
            )
        if any(original == wall_in(ex, master.zone) for ex in master.exdates):
            raise ValueError(f"{event.uid} {original.isoformat()} is both excluded and moved")
        key = (event.uid, original)
        if key in seen:
            raise ValueError(f"two overrides of {event.uid} at {original.isoformat()}")
        seen.add(key)
    return masters


def _zone_spans(events: tuple[FeedEvent, ...]) -> dict[str, tuple[datetime, datetime | None]]:
    """For each TZID used, the span its VTIMEZONE must be exact over."""
    starts: dict[str, list[datetime]] = defaultdict(list)
    ends: dict[str, list[datetime | None]] = defaultdict(list)
    for event in events:
        if event.all_day:
            continue  # dates carry no zone: no VTIMEZONE for them
        starts[event.tzid] += [event.start, *event.exdates]
        ends[event.tzid].append(event.end)
        if event.recurrence_id is not None:
            starts[event.tzid].append(event.recurrence_id)
            ends[event.tzid].append(event.recurrence_id)
        if event.rule is not None:
            ends[event.tzid].append(event.rule.until)
    spans: dict[str, tuple[datetime, datetime | None]] = {}
    for tzid, values in starts.items():
        finishes = ends[tzid]
        end = None if None in finishes else max(e for e in finishes if e is not None)
        spans[tzid] = (min(values), end)
    return spans


def _sort_key(event: FeedEvent) -> tuple[str, int, datetime]:
    """Master before its overrides, overrides by original start."""
    if event.recurrence_id is None:
        return (event.uid, 0, event.start.astimezone(UTC))
    return (event.uid, 1, event.recurrence_id.astimezone(UTC))


def render_calendar(cal: FeedCalendar) -> bytes:
    """The feed as iCalendar bytes (CRLF, folded at 75 octets); same input, same bytes."""
    masters = _check_overrides(cal.events)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name, description = clean_text(cal.name), clean_text(cal.description, multiline=True)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    if cal.x_wr_timezone:
        calendar.add("x-wr-timezone", cal.x_wr_timezone)
    interval = _duration(cal.refresh_interval)
    calendar.add("refresh-interval", cal.refresh_interval, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", interval)

    for tzid, (start, end) in sorted(_zone_spans(cal.events).items()):
        calendar.add_component(vtimezone(tzid, start, end))
    for event in sorted(cal.events, key=_sort_key):
        master = masters[event.uid] if event.recurrence_id is not None else None
        calendar.add_component(_vevent(event, master))
    return bytes(calendar.to_ical())
