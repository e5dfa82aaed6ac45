"""Calendar feeds of the meetings: built from the schedule, rendered by ``webapp.ical``, and
stored so that each is rendered once per change of its data, not once per request.

What a series feed holds (ICAL-FEEDS.md has the reasons):

* one master VEVENT per schedule rule, UID ``series-<slug>-<rule's first date>@<host>``, with
  ``RRULE:FREQ=WEEKLY;INTERVAL=n;BYDAY=..`` (a retimed rule ends with UNTIL, in UTC);
* an EXDATE (same zone, same wall time as DTSTART) per cancelled occurrence;
* a VEVENT with the master's UID and a RECURRENCE-ID per moved occurrence;
* a VEVENT of its own, UID ``meeting-<slug>-<date>@<host>``, per extra meeting (STATUS:CANCELLED
  when it was cancelled).

The window: ``FEED_PAST_MONTHS`` back (from a UTC midnight, see ``services.feed_window``) and
everything ahead. A master whose rule began inside the window keeps DTSTART at the rule's first
meeting. When the rule began earlier, DTSTART is its first occurrence at or after the window
start, always an occurrence of the rule (same weekday, wall time and interval phase), so every
RECURRENCE-ID and EXDATE written for a later occurrence still names an occurrence of the master;
exceptions before the new DTSTART are outside the window and are left out; the UID, which comes
from the rule's first date and not from DTSTART, does not change. The window moving forward
changes DTSTART but not the occurrences ahead, so SEQUENCE stays.

SEQUENCE: master = rule.sequence; an override = rule.sequence + occurrence.sequence (always
higher than its master's); an extra = occurrence.sequence. LAST-MODIFIED (and DTSTAMP) come from
``updated_at``.

Caching: ``serve`` keeps the rendered bytes in the ``rendered_feeds`` table with a strong ETag
(a hash of the bytes) and Last-Modified. Each request computes ``data_version``: one aggregate
query over series, rules and occurrences (row counts and latest ``updated_at``) plus the window's
start day, the base URL and the extra providers' versions. Any change, from any worker, the CLI or
another area, moves it, and the next request renders again; nothing has to remember to
invalidate. The window's day being part of it re-renders a feed once a day as "12 months back"
moves. A worker also keeps the last bytes it served in memory, keyed by version, so a request that
finds the version unchanged costs one small query.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, current_app, request, url_for
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.ical import (
    EventStatus,
    FeedCalendar,
    FeedEvent,
    WeeklyRule,
    google_calendar_url,
    render_calendar,
    webcal_url,
)
from webapp.meetings import schedule, services
from webapp.meetings.schedule import Slot
from webapp.models import Occurrence, OccurrenceStatus, RenderedFeed, ScheduleRule, Series, utcnow


@dataclass(frozen=True)
class FeedProvider:
    """Events another area (the conference programme) adds to ``/calendar.ics``.

    ``events(now)`` returns FeedEvents (UIDs in their own namespace); ``version()`` is a cheap
    string that changes whenever those events would (e.g. a max(updated_at) query).
    """

    name: str
    events: Callable[[datetime], Iterable[FeedEvent]]
    version: Callable[[], str]


#: Append a FeedProvider to add events to the combined feed ``/calendar.ics``.
EXTRA_FEED_PROVIDERS: list[FeedProvider] = []


# --- building ----------------------------------------------------------------------------------


def _base() -> str:
    return str(current_app.config["CADENCE_BASE_URL"]).rstrip("/")


def _host() -> str:
    return urlsplit(_base()).hostname or "localhost"


def _now() -> datetime:
    pinned = current_app.config.get("MEETINGS_NOW")
    return pinned if pinned is not None else datetime.now(UTC)


def window_start(now: datetime) -> datetime:
    return services.feed_window(now, int(current_app.config["FEED_PAST_MONTHS"]))[0]


def _meeting_url(series: Series, day: date) -> str:
    return _base() + url_for("meetings.meeting", slug=series.slug, day=day.isoformat())


def _series_url(series: Series) -> str:
    return _base() + url_for("meetings.series_page", slug=series.slug)


def _location(series: Series) -> str | None:
    return series.place or series.join_url or None


def _text(series: Series, url: str, extra: str = "") -> str:
    """Plain-text DESCRIPTION: what and where to join, then the page."""
    parts = [p for p in (extra, series.description.strip()) if p]
    if series.join_url:
        parts.append(f"Join: {series.join_url}")
    if series.place:
        parts.append(f"Place: {series.place}")
    parts.append(f"Meeting page: {url}")
    return "\n\n".join(parts)


def uid_of_rule(series: Series, rule: ScheduleRule) -> str:
    return f"series-{series.slug}-{rule.first_date.isoformat()}@{_host()}"


def uid_of_meeting(series: Series, day: date) -> str:
    return f"meeting-{series.slug}-{day.isoformat()}@{_host()}"


def _row(series: Series, day: date) -> Occurrence | None:
    return next((o for o in series.occurrences if o.original_date == day), None)


def series_events(series: Series, now: datetime) -> list[FeedEvent]:
    """Every VEVENT of one series within the feed window."""
    tz = schedule.zone(series.timezone)
    start_of_window = window_start(now)
    rules = services.rules_of(series)
    changes = {c.original_date: c for c in services.changes_of(series)}
    events: list[FeedEvent] = []
    for rule, row in zip(rules, series.rules, strict=True):
        first = next(
            (
                d
                for d in rule.dates(start_of_window.astimezone(tz).date() - timedelta(days=1), date.max - timedelta(days=400))
                if schedule.to_utc(d, rule.start_time, tz) >= start_of_window
            ),
            None,
        )
        if first is None:
            continue  # the whole rule lies before the window
        until = None
        if rule.until_date is not None:
            last = max(rule.dates(first, rule.until_date))
            until = schedule.to_utc(last, rule.start_time, tz)
        master_start = schedule.to_utc(first, rule.start_time, tz)
        uid = uid_of_rule(series, row)
        exdates: list[datetime] = []
        overrides: list[FeedEvent] = []
        for day, change in sorted(changes.items()):
            if day < first or not rule.has_date(day):
                continue
            rule_start = schedule.to_utc(day, rule.start_time, tz)
            occ = _row(series, day)
            if change.status == OccurrenceStatus.CANCELLED:
                exdates.append(rule_start)
            elif change.status == OccurrenceStatus.MOVED and change.start_at is not None:
                slot = schedule.slot_of(rule, change, day, tz)
                overrides.append(
                    FeedEvent(
                        uid=uid,
                        summary=series.title,
                        start=slot.start,
                        end=slot.end,
                        tzid=series.timezone,
                        last_modified=max(occ.updated_at, row.updated_at, series.updated_at) if occ else row.updated_at,
                        sequence=rule.sequence + change.sequence,
                        description=_text(series, _meeting_url(series, day), f"Moved from {rule_start.astimezone(tz):%A %d %B %Y %H:%M} ({series.timezone})."),
                        url=_meeting_url(series, day),
                        location=_location(series),
                        recurrence_id=rule_start,
                    )
                )
        events.append(
            FeedEvent(
                uid=uid,
                summary=series.title,
                start=master_start,
                end=master_start + timedelta(minutes=rule.duration_minutes),
                tzid=series.timezone,
                last_modified=max(row.updated_at, series.updated_at),
                sequence=rule.sequence,
                description=_text(
                    series, _series_url(series),
                    f"{services.describe_rule(rule, series.timezone)}. Each meeting has its own page at "
                    f"{_base()}/meetings/{series.slug}/YYYY-MM-DD.",
                ),
                url=_series_url(series),
                location=_location(series),
                rule=WeeklyRule(interval=rule.interval_weeks, until=until),
                exdates=tuple(exdates),
            )
        )
        events += overrides
    for day, change in sorted(changes.items()):
        if schedule.rule_for(rules, day) is not None or change.start_at is None:
            continue  # not an extra meeting
        if change.start_at < start_of_window:
            continue
        events.append(_extra_event(series, schedule.slot_of(None, change, day, tz), _row(series, day)))
    return events


def _extra_event(series: Series, slot: Slot, occ: Occurrence | None) -> FeedEvent:
    day = slot.original_date
    title = f"{series.title}: {slot.title}" if slot.title else series.title
    cancelled = slot.cancelled
    note = f"Cancelled: {slot.cancel_reason}" if cancelled and slot.cancel_reason else ("Cancelled." if cancelled else "")
    return FeedEvent(
        uid=uid_of_meeting(series, day),
        summary=title,
        start=slot.start,
        end=slot.end,
        tzid=series.timezone,
        last_modified=max(occ.updated_at, series.updated_at) if occ else series.updated_at,
        sequence=slot.change.sequence if slot.change else 0,
        description=_text(series, _meeting_url(series, day), note),
        url=_meeting_url(series, day),
        location=_location(series),
        status=EventStatus.CANCELLED if cancelled else EventStatus.CONFIRMED,
    )


def _calendar_description(series: Series) -> str:
    return f"{services.describe_schedule(series)}. {_series_url(series)}"


def series_calendar(series: Series) -> FeedCalendar:
    return FeedCalendar(
        name=series.title,
        description=_calendar_description(series),
        events=tuple(series_events(series, _now())),
        x_wr_timezone=series.timezone,
    )


def all_calendar() -> FeedCalendar:
    now = _now()
    events: list[FeedEvent] = []
    for series in services.list_series(public_only=True):
        events += series_events(series, now)
    for provider in EXTRA_FEED_PROVIDERS:
        events += list(provider.events(now))
    return FeedCalendar(
        name=f"{current_app.config['COMMUNITY_NAME']}: meetings",
        description=f"Every public meeting of the {current_app.config['COMMUNITY_NAME']}. {_base()}/",
        events=tuple(events),
    )


def meeting_calendar(series: Series, day: date) -> FeedCalendar:
    """One meeting as a plain event of its own (UID ``meeting-<slug>-<date>``).

    A plain event rather than an override (UID of the master plus RECURRENCE-ID): a file holding
    only an override has no master to attach to, and Google and Outlook import such orphans
    inconsistently. Someone who downloads one meeting usually does not subscribe to the series;
    for an extra meeting the UID is the same as in the series feed.
    """
    slot = services.find_occurrence(series, day)
    occ = _row(series, day)
    rule_row = next((r for r in series.rules if slot.rule and r.id == slot.rule.id), None)
    sequence = (rule_row.sequence if rule_row else 0) + (occ.sequence if occ else 0)
    stamps = [series.updated_at] + ([rule_row.updated_at] if rule_row else []) + ([occ.updated_at] if occ else [])
    cancelled = slot.cancelled
    note = ""
    if cancelled:
        note = f"Cancelled: {slot.cancel_reason}" if slot.cancel_reason else "Cancelled."
    event = FeedEvent(
        uid=uid_of_meeting(series, day),
        summary=f"{series.title}: {slot.title}" if slot.title else series.title,
        start=slot.start,
        end=slot.end,
        tzid=series.timezone,
        last_modified=max(stamps),
        sequence=sequence,
        description=_text(series, _meeting_url(series, day), note),
        url=_meeting_url(series, day),
        location=_location(series),
        status=EventStatus.CANCELLED if cancelled else EventStatus.CONFIRMED,
    )
    return FeedCalendar(
        name=f"{series.title} {day.isoformat()}", events=(event,), x_wr_timezone=series.timezone
    )


# --- links -------------------------------------------------------------------------------------


def subscribe_links(slug: str | None) -> dict[str, str]:
    """``https``, ``webcal`` and Google "add by URL" links for a series feed (None: all series)."""
    path = url_for("meetings.series_feed", slug=slug) if slug else url_for("meetings.all_feed")
    url = _base() + path
    links = {"url": url, "webcal": webcal_url(url)}
    with contextlib.suppress(ValueError):  # longer than Google accepts: offer the others
        links["google"] = google_calendar_url(url)
    return links


# --- storing and serving -----------------------------------------------------------------------


def data_version(now: datetime) -> str:
    """A string that changes whenever any feed's content may: one query, no row loading."""
    s, r, o = Series.__table__, ScheduleRule.__table__, Occurrence.__table__
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(s).scalar_subquery().label("sn"),
            sa.select(sa.func.max(s.c.updated_at)).scalar_subquery().label("su"),
            sa.select(sa.func.count()).select_from(r).scalar_subquery().label("rn"),
            sa.select(sa.func.max(r.c.updated_at)).scalar_subquery().label("ru"),
            sa.select(sa.func.count()).select_from(o).scalar_subquery().label("on"),
            sa.select(sa.func.max(o.c.updated_at)).scalar_subquery().label("ou"),
        )
    ).one()
    parts = [window_start(now).date().isoformat(), _base(), *(str(v) for v in row)]
    parts += [f"{p.name}={p.version()}" for p in EXTRA_FEED_PROVIDERS]
    return "|".join(parts)


@dataclass(frozen=True)
class _Stored:
    version: str
    etag: str
    last_modified: datetime
    body: bytes


_memory: dict[tuple[str, str], _Stored] = {}
_memory_lock = threading.Lock()


def stored_feed(key: str, build: Callable[[], FeedCalendar]) -> _Stored:
    """The feed ``key`` for the current data: from memory, from the table, or rendered now."""
    now = _now()
    version = data_version(now)
    cache_key = (str(db.engine.url), key)
    with _memory_lock:
        hit = _memory.get(cache_key)
    if hit is not None and hit.version == version:
        return hit
    row = db.session.get(RenderedFeed, key)
    if row is None or row.data_version != version:
        body = render_calendar(build())
        etag = hashlib.sha256(body).hexdigest()[:40]
        stamp = utcnow().replace(microsecond=0)
        if row is None:
            row = RenderedFeed(key=key, etag=etag, last_modified=stamp, body=body, data_version=version, rendered_at=stamp)
            db.session.add(row)
        else:
            if row.etag != etag:
                row.etag, row.body, row.last_modified = etag, body, stamp
            row.data_version, row.rendered_at = version, stamp
        stored = _Stored(version, row.etag, row.last_modified, row.body)
        try:
            db.session.commit()
        except IntegrityError:  # another worker stored it first; ours is as good
            db.session.rollback()
    else:
        stored = _Stored(version, row.etag, row.last_modified, row.body)
        db.session.rollback()  # end the read transaction
    with _memory_lock:
        _memory[cache_key] = stored
    return stored


def serve(key: str, build: Callable[[], FeedCalendar]) -> Response:
    """The feed as an HTTP response: ETag, Last-Modified, Cache-Control, and 304 when unchanged."""
    stored = stored_feed(key, build)
    response = Response(stored.body, content_type="text/calendar; charset=utf-8")
    response.set_etag(stored.etag)
    response.last_modified = stored.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config.get("FEED_MAX_AGE", 900))
    return response.make_conditional(request)
