"""The programme as an iCal feed (docs/ICAL-FEEDS.md) and as frab schedule JSON.

A small adapter until ``webapp/ical`` lands: ``vtimezone_for`` is the one place that builds a
VTIMEZONE, so the shared renderer's version can replace it. Output is deterministic: the same
programme gives the same bytes (DTSTAMP is the talk's last change, never "now").
"""

from __future__ import annotations

import calendar as _calendar
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app

from webapp.cfp import services
from webapp.models import Conference, Submission

PRODID = "-//Cadence//Conference programme//EN"
REFRESH = timedelta(hours=6)


# -- VTIMEZONE -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Transition:
    at: datetime  # UTC instant
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    @property
    def local(self) -> datetime:
        """The wall time of the change, read on the clock before it (RFC 5545 DTSTART)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    found = []
    step = timedelta(days=1)
    t = start
    prev = t.astimezone(zone).utcoffset()
    while t < end:
        nxt = t + step
        off = nxt.astimezone(zone).utcoffset()
        if off != prev:
            lo, hi = t, nxt  # bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            after = hi.astimezone(zone)
            found.append(
                _Transition(hi, prev, off, bool(after.dst()), after.tzname() or "")  # type: ignore[arg-type]
            )
            prev = off
        t = nxt
    return found


def _byday(local: datetime) -> str:
    """'-1SU' for the last such weekday of the month, else '2SU' etc."""
    wd = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    days_in_month = _calendar.monthrange(local.year, local.month)[1]
    if local.day + 7 > days_in_month:
        return f"-1{wd}"
    return f"{(local.day - 1) // 7 + 1}{wd}"


def _matches_rule(t: _Transition, first: _Transition) -> bool:
    return (
        t.local.month == first.local.month
        and _byday(t.local) == _byday(first.local)
        and t.local.time() == first.local.time()
        and (t.offset_from, t.offset_to) == (first.offset_from, first.offset_to)
    )


def vtimezone_for(tzid: str, start: datetime, end: datetime) -> icalendar.Timezone:
    """A VTIMEZONE for ``tzid`` valid from ``start`` to ``end`` (aware datetimes).

    Observances are STANDARD/DAYLIGHT with a yearly RRULE (BYMONTH + BYDAY) derived from the
    zone's actual transitions in the span (a year either side); a transition that breaks the
    pattern gets an observance of its own (no RDATE lists, which Outlook misreads).
    """
    zone = ZoneInfo(tzid)
    lo = datetime(start.year - 1, 1, 1, tzinfo=UTC)
    hi = datetime(end.year + 2, 1, 1, tzinfo=UTC)
    tz = icalendar.Timezone()
    tz.add("tzid", tzid)
    changes = _transitions(zone, lo, hi)
    if not changes:
        at = lo.astimezone(zone)
        std = icalendar.TimezoneStandard()
        std.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - VTIMEZONE DTSTART is local
        std.add("tzoffsetfrom", at.utcoffset())
        std.add("tzoffsetto", at.utcoffset())
        std.add("tzname", at.tzname())
        tz.add_component(std)
        return tz
    # Group runs of transitions that follow one yearly rule.
    groups: list[list[_Transition]] = []
    for t in changes:
        for g in groups:
            if g[0].is_dst == t.is_dst and _matches_rule(t, g[0]) and g[-1].at.year == t.at.year - 1:
                g.append(t)
                break
        else:
            groups.append([t])
    for g in sorted(groups, key=lambda g: g[0].at):
        first = g[0]
        comp = icalendar.TimezoneDaylight() if first.is_dst else icalendar.TimezoneStandard()
        comp.add("dtstart", first.local)
        comp.add("tzoffsetfrom", first.offset_from)
        comp.add("tzoffsetto", first.offset_to)
        comp.add("tzname", first.name)
        if len(g) > 1:
            rule: dict[str, Any] = {"freq": "yearly", "bymonth": first.local.month, "byday": _byday(first.local)}
            if g is not groups[-1] and g[-1].at.year < hi.year - 1 and _group_ends(g, groups):
                rule["until"] = g[-1].at
            comp.add("rrule", rule)
        tz.add_component(comp)
    return tz


def _group_ends(group: list[_Transition], groups: list[list[_Transition]]) -> bool:
    """True when a later group of the same kind takes over (the rule changed)."""
    return any(g is not group and g[0].is_dst == group[0].is_dst and g[0].at > group[-1].at for g in groups)


# -- the programme -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEvent:
    """One placed talk, as the site-wide calendar (``/calendar.ics``) may include it."""

    uid: str
    conference_slug: str
    code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    room: str
    location: str
    url: str
    description: str
    track: str
    sequence: int
    last_modified: datetime


def feed_host() -> str:
    return urlsplit(current_app.config.get("CADENCE_BASE_URL", "")).hostname or "localhost"


def talk_uid(conference: Conference, code: str) -> str:
    return f"talk-{conference.slug}-{code}@{feed_host()}"


def talk_url(conference: Conference, code: str) -> str:
    return services.public_url(f"/conferences/{conference.slug}/talks/{code}")


def _event(conference: Conference, talk: Submission) -> ProgrammeEvent:
    url = talk_url(conference, talk.code)
    speakers = talk.speaker_names
    description = f"{talk.abstract}\n\nSpeakers: {speakers}\n\n{url}" if speakers else f"{talk.abstract}\n\n{url}"
    room = talk.room.name if talk.room else ""
    return ProgrammeEvent(
        uid=talk_uid(conference, talk.code),
        conference_slug=conference.slug,
        code=talk.code,
        title=talk.title,
        starts_at=talk.starts_at,  # type: ignore[arg-type]
        ends_at=talk.ends_at,  # type: ignore[arg-type]
        timezone=conference.timezone,
        room=room,
        location=", ".join(p for p in (room, conference.place) if p),
        url=url,
        description=description,
        track=talk.track.name if talk.track else "",
        sequence=talk.sequence,
        last_modified=talk.schedule_changed_at or talk.updated_at,
    )


def programme_events(conference: Conference | None = None) -> list[ProgrammeEvent]:
    """Placed, confirmed talks of one conference, or of every published one."""
    conferences = [conference] if conference is not None else services.published_conferences()
    return [_event(c, t) for c in conferences for t in services.placed_talks(c)]


def _last_modified(conference: Conference, events: list[ProgrammeEvent]) -> datetime:
    stamps = [e.last_modified for e in events] + [conference.updated_at]
    return max(stamps).replace(microsecond=0)


def programme_calendar(conference: Conference) -> tuple[bytes, datetime]:
    """The programme feed's bytes and its last change."""
    events = programme_events(conference)
    zone = conference.zone
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", f"{conference.name} programme")
    cal.add("x-wr-calname", f"{conference.name} programme")
    cal.add("x-wr-timezone", conference.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    start = datetime.combine(conference.starts_on, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(conference.ends_on, datetime.max.time(), tzinfo=zone)
    cal.add_component(vtimezone_for(conference.timezone, start, end))
    for e in sorted(events, key=lambda e: (e.starts_at, e.room, e.code)):
        ev = icalendar.Event()
        ev.add("uid", e.uid)
        stamp = e.last_modified.astimezone(UTC).replace(microsecond=0)
        ev.add("dtstamp", stamp)
        ev.add("last-modified", stamp)
        ev.add("sequence", e.sequence)
        ev.add("dtstart", e.starts_at.astimezone(zone))
        ev.add("dtend", e.ends_at.astimezone(zone))
        ev.add("summary", e.title)
        ev.add("location", e.location)
        ev.add("description", e.description)
        ev.add("url", e.url)
        if e.track:
            ev.add("categories", [e.track])
        ev.add("status", "CONFIRMED")
        ev.add("transp", "OPAQUE")
        cal.add_component(ev)
    return cal.to_ical(), _last_modified(conference, events)


# -- frab schedule JSON --------------------------------------------------------------------------

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "cadence.conference.programme")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slugify(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(p for p in out.split("-") if p)[:60]


def frab_schedule(conference: Conference) -> tuple[dict[str, Any], datetime]:
    """The programme in the frab schedule JSON format that conference apps read."""
    talks = services.placed_talks(conference)
    events = programme_events(conference)
    zone = conference.zone
    base = services.public_url("")
    days = []
    n_days = (conference.ends_on - conference.starts_on).days + 1
    for index in range(n_days):
        day: date = conference.starts_on + timedelta(days=index)
        rooms: dict[str, list[dict[str, Any]]] = {r.name: [] for r in conference.rooms}
        for t in talks:
            local = t.starts_at.astimezone(zone)  # type: ignore[union-attr]
            if local.date() != day or t.room is None:
                continue
            minutes = int((t.ends_at - t.starts_at).total_seconds() // 60)  # type: ignore[operator]
            uid = talk_uid(conference, t.code)
            rooms.setdefault(t.room.name, []).append(
                {
                    "guid": str(uuid.uuid5(_NAMESPACE, uid)),
                    "id": t.id,
                    "code": t.code,
                    "logo": None,
                    "date": local.isoformat(),
                    "start": local.strftime("%H:%M"),
                    "duration": _hhmm(minutes),
                    "room": t.room.name,
                    "slug": f"{conference.slug}-{t.id}-{_slugify(t.title)}",
                    "url": talk_url(conference, t.code),
                    "title": t.title,
                    "subtitle": "",
                    "track": t.track.name if t.track else None,
                    "type": t.format.name,
                    "language": "en",
                    "abstract": t.abstract,
                    "description": t.description,
                    "recording_license": "",
                    "do_not_record": False,
                    "persons": [{"id": s.id, "public_name": s.name} for s in t.speakers],
                    "links": [],
                    "attachments": [],
                }
            )
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        days.append(
            {
                "index": index + 1,
                "date": day.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": (day_start + timedelta(days=1)).isoformat(),
                "rooms": rooms,
            }
        )
    data = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "cadence", "version": "0.1.0"},
        "schedule": {
            "version": str(max((t.sequence for t in talks), default=0)),
            "base_url": base + "/",
            "url": base + f"/conferences/{conference.slug}/program",
            "conference": {
                "acronym": conference.slug,
                "title": conference.name,
                "start": conference.starts_on.isoformat(),
                "end": conference.ends_on.isoformat(),
                "daysCount": n_days,
                "timeslot_duration": "00:05",
                "time_zone_name": conference.timezone,
                "url": base + f"/conferences/{conference.slug}/",
                "rooms": [
                    {"name": r.name, "guid": str(uuid.uuid5(_NAMESPACE, f"room-{conference.slug}-{r.id}"))}
                    for r in conference.rooms
                ],
                "tracks": [{"name": t.name} for t in conference.tracks],
                "days": days,
            },
        },
    }
    return data, _last_modified(conference, events)
