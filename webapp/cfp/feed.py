"""The programme as an iCal feed (docs/ICAL-FEEDS.md) and as frab schedule JSON.

Built with the shared renderer ``webapp.ical`` (VTIMEZONE, determinism, refresh hints): the
same programme gives the same bytes (DTSTAMP is the talk's last change, never "now").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp.cfp import services
from webapp.cfp.services import ReleasedTalk
from webapp.extensions import db
from webapp.ical import FeedCalendar, FeedEvent, render_calendar
from webapp.models import Conference, ProgrammeRelease
from webapp.urls import base_url, external_url, site_host
from webapp.wiring import FeedProvider

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


def talk_uid(conference: Conference, code: str) -> str:
    return f"talk-{conference.slug}-{code}@{site_host()}"


def talk_url(conference: Conference, code: str) -> str:
    return external_url(f"/conferences/{conference.slug}/talks/{code}")


def _event(conference: Conference, talk: ReleasedTalk) -> ProgrammeEvent:
    url = talk_url(conference, talk.code)
    speakers = talk.speaker_names
    description = (
        f"{talk.abstract}\n\nSpeakers: {speakers}\n\n{url}"
        if speakers
        else f"{talk.abstract}\n\n{url}"
    )
    room = talk.room.name
    return ProgrammeEvent(
        uid=talk_uid(conference, talk.code),
        conference_slug=conference.slug,
        code=talk.code,
        title=talk.title,
        starts_at=talk.starts_at,
        ends_at=talk.ends_at,
        timezone=conference.timezone,
        room=room,
        location=", ".join(p for p in (room, conference.place) if p),
        url=url,
        description=description,
        track=talk.track.name if talk.track else "",
        sequence=talk.sequence,
        last_modified=talk.last_modified,
    )


def programme_events(conference: Conference | None = None) -> list[ProgrammeEvent]:
    """The released talks of one conference, or of every published one."""
    conferences = [conference] if conference is not None else services.published_conferences()
    return [_event(c, t) for c in conferences for t in services.released_talks(c)[1]]


def _last_modified(
    conference: Conference, events: list[ProgrammeEvent], release: ProgrammeRelease | None
) -> datetime:
    stamps = [e.last_modified for e in events] + [conference.updated_at]
    if release is not None:
        stamps.append(release.created_at)
    return max(stamps).replace(microsecond=0)


def feed_event(e: ProgrammeEvent) -> FeedEvent:
    """A placed talk as the shared renderer's event (also used by ``/calendar.ics``)."""
    zone = ZoneInfo(e.timezone)
    return FeedEvent(
        uid=e.uid,
        summary=e.title,
        start=e.starts_at.astimezone(zone),
        end=e.ends_at.astimezone(zone),
        tzid=e.timezone,
        last_modified=e.last_modified.astimezone(UTC).replace(microsecond=0),
        sequence=e.sequence,
        description=e.description,
        url=e.url,
        location=e.location or None,
        categories=(e.track,) if e.track else (),
    )


def programme_calendar(conference: Conference) -> tuple[bytes, datetime]:
    """The programme feed's bytes and its last change."""
    release, talks = services.released_talks(conference)
    events = [_event(conference, t) for t in talks]
    cal = FeedCalendar(
        name=f"{conference.name} programme",
        description=(
            f"The programme of {conference.name}. "
            f"{external_url(f'/conferences/{conference.slug}/program')}"
        ),
        # No X-WR-TIMEZONE: see webapp.meetings.feeds.calendars.series_calendar.
        events=tuple(feed_event(e) for e in events),
    )
    return render_calendar(cal), _last_modified(conference, events, release)


def _programme_version() -> str:
    """Changes whenever a release is made or a conference is edited (one cheap query)."""
    row = db.session.execute(
        sa.select(
            sa.func.count(ProgrammeRelease.id),
            sa.func.max(ProgrammeRelease.id),
            sa.select(sa.func.max(Conference.updated_at)).scalar_subquery(),
        )
    ).one()
    return ":".join(str(v) for v in row)


#: Every published programme's talks in the site-wide ``/calendar.ics`` (registered in
#: ``webapp.cfp.init_app``).
PROVIDER = FeedProvider(
    name="programme",
    events=lambda now: [feed_event(e) for e in programme_events()],
    version=_programme_version,
)


# -- frab schedule JSON --------------------------------------------------------------------------

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "cadence.conference.programme")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slugify(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(p for p in out.split("-") if p)[:60]


def _frab_event(conference: Conference, t: ReleasedTalk, local: datetime) -> dict[str, Any]:
    minutes = int((t.ends_at - t.starts_at).total_seconds() // 60)
    return {
        "guid": str(uuid.uuid5(_NAMESPACE, talk_uid(conference, t.code))),
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
        # The description is for the reviewers only: never published.
        "description": "",
        "recording_license": "",
        "do_not_record": False,
        "persons": [{"id": s.id, "public_name": s.name} for s in t.speakers],
        # The public custom questions (an extension; frab readers skip unknown keys).
        "answers": [{"question": q, "answer": a} for q, a in t.answers],
        "links": [],
        "attachments": [],
    }


def _frab_days(conference: Conference, talks: list[ReleasedTalk]) -> list[dict[str, Any]]:
    zone = conference.zone
    days = []
    for index in range((conference.ends_on - conference.starts_on).days + 1):
        day: date = conference.starts_on + timedelta(days=index)
        rooms: dict[str, list[dict[str, Any]]] = {r.name: [] for r in conference.rooms}
        for t in talks:
            local = t.starts_at.astimezone(zone)
            if local.date() == day:
                rooms.setdefault(t.room.name, []).append(_frab_event(conference, t, local))
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
    return days


def frab_schedule(conference: Conference) -> tuple[dict[str, Any], datetime]:
    """The programme in the frab schedule JSON format that conference apps read."""
    release, talks = services.released_talks(conference)
    events = [_event(conference, t) for t in talks]
    base = base_url()  # no trailing slash (external_url("") has one: base_url was "…//")
    data = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "cadence", "version": "0.1.0"},
        "schedule": {
            "version": release.label if release else "v0",
            "base_url": base + "/",
            "url": base + f"/conferences/{conference.slug}/program",
            "conference": {
                "acronym": conference.slug,
                "title": conference.name,
                "start": conference.starts_on.isoformat(),
                "end": conference.ends_on.isoformat(),
                "daysCount": (conference.ends_on - conference.starts_on).days + 1,
                "timeslot_duration": "00:05",
                "time_zone_name": conference.timezone,
                "url": base + f"/conferences/{conference.slug}/",
                "rooms": [
                    {
                        "name": r.name,
                        "guid": str(uuid.uuid5(_NAMESPACE, f"room-{conference.slug}-{r.id}")),
                    }
                    for r in conference.rooms
                ],
                "tracks": [{"name": t.name} for t in conference.tracks],
                "days": _frab_days(conference, talks),
            },
        },
    }
    return data, _last_modified(conference, events, release)
