"""Calendar feeds of the meetings: built from the schedule, rendered by ``webapp.ical``, and
stored so that each is rendered once per change of its data, not once per request.

What a series feed holds (ICAL-FEEDS.md has the reasons):

* one master VEVENT per schedule rule, UID ``series-<slug>-<rule's first date>@<host>``, with
  ``RRULE:FREQ=WEEKLY;INTERVAL=n;BYDAY=..`` (a retimed rule ends with UNTIL, in UTC);
* an EXDATE (same zone, same wall time as DTSTART) per cancelled occurrence;
* a VEVENT with the master's UID and a RECURRENCE-ID per moved occurrence;
* a VEVENT of its own, UID ``meeting-<slug>-<date>@<host>``, per extra meeting (STATUS:CANCELLED
  when it was cancelled).

The window: the site settings' "months of past meetings" (default ``FEED_PAST_MONTHS``) back (from a UTC midnight, see ``services.feed_window``) and
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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from sqlalchemy.exc import IntegrityError

from webapp import clock, settings, wiring
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
from webapp.wiring import MeetingLink


def _links_of(series: Series) -> dict[date, list[MeetingLink]]:
    found: dict[date, list[MeetingLink]] = {}
    for linker in wiring.of().occurrence_linkers:
        for day, link in linker.links(series).items():
            found.setdefault(day, []).append(link)
    return found


def _link_text(links: list[MeetingLink]) -> str:
    return "\n".join(f"{link.label}: {link.url}" for link in links)


# --- building ----------------------------------------------------------------------------------


def _base() -> str:
    return str(current_app.config["CADENCE_BASE_URL"]).rstrip("/")


def _host() -> str:
    return urlsplit(_base()).hostname or "localhost"


def _now() -> datetime:
    return clock.now()


def window_start(now: datetime) -> datetime:
    """The feeds' first day: the admin's "months of past meetings" (site settings)."""
    from webapp import settings

    return services.feed_window(now, settings.current().feed_past_months)[0]


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
    links = _links_of(series)
    events: list[FeedEvent] = []
    for rule, row in zip(rules, series.rules, strict=True):
        first = next(
            (
                d
                for d in rule.dates(
                    start_of_window.astimezone(tz).date() - timedelta(days=1),
                    date.max - timedelta(days=400),
                )
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
                        last_modified=max(occ.updated_at, row.updated_at, series.updated_at)
                        if occ
                        else row.updated_at,
                        sequence=rule.sequence + change.sequence,
                        description=_text(
                            series,
                            _meeting_url(series, day),
                            "\n\n".join(
                                p
                                for p in (
                                    f"Moved from {rule_start.astimezone(tz):%A %d %B %Y %H:%M} ({series.timezone}).",
                                    _link_text(links.get(day, [])),
                                )
                                if p
                            ),
                        ),
                        url=_meeting_url(series, day),
                        location=_location(series),
                        recurrence_id=rule_start,
                    )
                )
        for day, day_links in sorted(links.items()):
            # A meeting held as the rule says, with something to link (its minutes): an override
            # at the same time whose DESCRIPTION and URL carry the links.
            if day < first or day in changes or not rule.has_date(day):
                continue
            rule_start = schedule.to_utc(day, rule.start_time, tz)
            overrides.append(
                FeedEvent(
                    uid=uid,
                    summary=series.title,
                    start=rule_start,
                    end=rule_start + timedelta(minutes=rule.duration_minutes),
                    tzid=series.timezone,
                    last_modified=max(
                        [
                            row.updated_at,
                            series.updated_at,
                            *(link.changed_at for link in day_links),
                        ]
                    ),
                    sequence=rule.sequence + 1,
                    description=_text(series, _meeting_url(series, day), _link_text(day_links)),
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
                    series,
                    _series_url(series),
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
        events.append(
            _extra_event(
                series,
                schedule.slot_of(None, change, day, tz),
                _row(series, day),
                links.get(day, []),
            )
        )
    return events


def _extra_event(
    series: Series, slot: Slot, occ: Occurrence | None, links: list[MeetingLink] | None = None
) -> FeedEvent:
    day = slot.original_date
    title = f"{series.title}: {slot.title}" if slot.title else series.title
    cancelled = slot.cancelled
    note = (
        f"Cancelled: {slot.cancel_reason}"
        if cancelled and slot.cancel_reason
        else ("Cancelled." if cancelled else "")
    )
    return FeedEvent(
        uid=uid_of_meeting(series, day),
        summary=title,
        start=slot.start,
        end=slot.end,
        tzid=series.timezone,
        last_modified=max(occ.updated_at, series.updated_at) if occ else series.updated_at,
        sequence=slot.change.sequence if slot.change else 0,
        description=_text(
            series,
            _meeting_url(series, day),
            "\n\n".join(p for p in (note, _link_text(links or [])) if p),
        ),
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
    for provider in wiring.of().feed_providers:
        events += list(provider.events(now))
    community = settings.current().community_name
    return FeedCalendar(
        name=f"{community}: meetings",
        description=f"Every public meeting of the {community}. {_base()}/",
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
    links = _links_of(series).get(day, [])
    stamps = (
        [series.updated_at]
        + ([rule_row.updated_at] if rule_row else [])
        + ([occ.updated_at] if occ else [])
    )
    stamps += [link.changed_at for link in links]
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
        description=_text(
            series,
            _meeting_url(series, day),
            "\n\n".join(p for p in (note, _link_text(links or [])) if p),
        ),
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


#: Row counts and latest changes of everything a meetings feed is built from, in one query
#: (plain SQL: it runs on every feed request, also below Flask in ``FastFeeds``).
VERSION_SQL = (
    "SELECT (SELECT count(*) FROM series), (SELECT max(updated_at) FROM series), "
    "(SELECT count(*) FROM schedule_rules), (SELECT max(updated_at) FROM schedule_rules), "
    "(SELECT count(*) FROM occurrences), (SELECT max(updated_at) FROM occurrences), "
    # The site settings: the feeds' span is one of them (None: the app config's FEED_PAST_MONTHS).
    "(SELECT max(updated_at) FROM site_settings), (SELECT max(feed_past_months) FROM site_settings)"
)


def _version(config: Any, row: Sequence[Any], now: datetime) -> str:
    start = services.feed_window(now, int(row[7] or config["FEED_PAST_MONTHS"]))[0]
    parts = [start.date().isoformat(), str(config["CADENCE_BASE_URL"]), *(str(v) for v in row)]
    board = wiring.of()
    parts += [f"{p.name}={p.version()}" for p in board.feed_providers]
    parts += [f"{linker.name}={linker.version()}" for linker in board.occurrence_linkers]
    return "|".join(parts)


def data_version(now: datetime) -> str:
    """A string that changes whenever any feed's content may: one query, no row loading."""
    row = db.session.connection().exec_driver_sql(VERSION_SQL).one()
    return _version(current_app.config, row, now)


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
            row = RenderedFeed(
                key=key,
                etag=etag,
                last_modified=stamp,
                body=body,
                data_version=version,
                rendered_at=stamp,
            )
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


# --- the hot path --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Replay:
    version: str
    etag: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...]
    body: bytes


class FastFeeds:
    """WSGI middleware that answers repeated requests for a series feed (or ``/calendar.ics``)
    without going through Flask.

    It serves only what the Flask view served before, byte for byte and header for header (it
    records the view's 200 response), and only while ``data_version`` (the same one query) is
    unchanged; anything else (first request, a change, another path, a POST) goes to Flask.
    Calendar clients poll the same URL again and again, so this is the path almost every feed
    request takes; Flask's own per-request work (sessions, login, rate limiter, hooks) is several
    times the cost of the lookup. With ``FEED_VERSION_TTL`` > 0 a process reuses the version it
    computed for that many seconds, so a change reaches this path at most that much later.
    """

    def __init__(self, app: Any, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.engine: Any = None
        self.replays: dict[str, _Replay] = {}
        self.lock = threading.Lock()
        self.last_version: tuple[str, float] | None = None

    @staticmethod
    def key_of(path: str) -> str | None:
        if path == "/calendar.ics":
            return "all"
        if path.startswith("/calendar/") and path.endswith(".ics") and path.count("/") == 2:
            return f"series:{path[len('/calendar/') : -len('.ics')]}"
        return None

    def version(self) -> str:
        """``data_version``, queried at most once per ``FEED_VERSION_TTL`` seconds per process."""
        ttl = float(self.app.config.get("FEED_VERSION_TTL", 0))
        now = time.monotonic()
        cached = self.last_version
        if cached is not None and ttl > 0 and now - cached[1] < ttl:
            return cached[0]
        version = self.query_version()
        self.last_version = (version, now)
        return version

    def query_version(self) -> str:
        config = self.app.config
        pinned = config.get("CADENCE_NOW")
        now = (
            (pinned() if callable(pinned) else pinned) if pinned is not None else datetime.now(UTC)
        )
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql(VERSION_SQL).one()
        with self.app.app_context():  # the providers' version() may use the app's session
            return _version(config, row, now)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD")
        key = self.key_of(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if (
            key is None
            or environ.get("QUERY_STRING")
            or not self.app.config.get("FEED_FAST_PATH", True)
        ):
            return self.wsgi_app(environ, start_response)
        version = self.version()
        replay = self.replays.get(key)
        if replay is not None and replay.version == version:
            return self.replay(replay, environ, start_response)
        return self.record(key, version, environ, start_response)

    def replay(
        self, replay: _Replay, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        from werkzeug.http import http_date, is_resource_modified

        now = [("Date", http_date(datetime.now(UTC)))]
        if not is_resource_modified(environ, etag=replay.etag, last_modified=replay.last_modified):
            headers = [
                (k, v)
                for k, v in replay.headers
                if k.lower() not in ("content-type", "content-length")
            ]
            start_response("304 NOT MODIFIED", headers + now)
            return [b""]
        start_response("200 OK", list(replay.headers) + now)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [replay.body]

    def record(
        self, key: str, version: str, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        result = self.wsgi_app(environ, capture)
        if environ.get("REQUEST_METHOD") != "GET" or not str(seen.get("status", "")).startswith(
            "200"
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = tuple(
            (k, v) for k, v in seen["headers"] if k.lower() not in ("date", "set-cookie")
        )
        found = {k.lower(): v for k, v in headers}
        if "set-cookie" not in {k.lower() for k, _ in seen["headers"]} and "etag" in found:
            from werkzeug.http import parse_date, unquote_etag

            modified = parse_date(found.get("last-modified"))
            if modified is not None:
                with self.lock:
                    self.replays[key] = _Replay(
                        version, unquote_etag(found["etag"])[0], modified, headers, body
                    )
        return [body]


def install_fast_path(app: Any) -> None:
    """Put ``FastFeeds`` in front of the app (``FEED_FAST_PATH = False`` turns it off)."""
    app.wsgi_app = FastFeeds(app, app.wsgi_app)
