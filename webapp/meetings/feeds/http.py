"""Serving stored renders over HTTP: ETag, Last-Modified, Cache-Control, 304, HEAD, no cookies.

``serve_bytes(key, render)`` is the one path for every public feed and export: the meetings'
feeds here, and the programme's ``program.ics`` and ``schedule.json`` (``webapp.cfp.views``). Its
views are ``@stateless`` (no session, so no cookie and no ``Vary: Cookie``). ``FastFeeds`` then
answers repeated requests for the same paths below Flask.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.http import http_date, is_resource_modified, parse_date, unquote_etag
from werkzeug.wrappers import Response as BaseResponse

from webapp import clock
from webapp.ical import FeedCalendar, render_calendar
from webapp.meetings.feeds import cache

CALENDAR = "text/calendar; charset=utf-8"
#: Where ``FastFeeds`` leaves the data version for the view it passes a request to.
VERSION_KEY = "cadence.feed_version"


def serve_bytes(
    key: str,
    render: Callable[[], cache.Rendered],
    *,
    content_type: str = CALENDAR,
    headers: Iterable[tuple[str, str]] = (),
    keep: bool = True,
    version: str | None = None,
    private: bool = False,
) -> BaseResponse:
    """The stored render ``key`` (rendered by ``render()`` when the data changed) as a response.

    ``render`` returns the bytes and the latest change of the data they hold (``Last-Modified``),
    or the bytes alone (see ``cache.stored``). It may abort (404): nothing is stored then.
    ``keep=False``: memory only. ``version``: the data version the render depends on, when it is
    not the public feeds' one. ``private``: ``Cache-Control: private`` (a feed behind a secret
    address: no shared cache may keep it).
    """
    # FastFeeds has just computed it (at most once per FEED_VERSION_TTL): one check a request.
    version = version or request.environ.get(VERSION_KEY) or cache.data_version(clock.now())
    stored = cache.stored(key, version, render, keep=keep)
    response = Response(stored.body, content_type=content_type)
    for name, value in headers:
        response.headers[name] = value
    response.set_etag(stored.etag)
    response.last_modified = stored.last_modified
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config.get("FEED_MAX_AGE", 900))
    return response.make_conditional(request)


def serve(
    key: str, build: Callable[[datetime], FeedCalendar], *, keep: bool = True
) -> BaseResponse:
    """A calendar built by ``build(now)``, rendered by ``webapp.ical`` and served as stored."""
    now = clock.now()

    def render() -> tuple[bytes, datetime]:
        calendar = build(now)
        return render_calendar(calendar), calendar.last_modified_utc

    return serve_bytes(key, render, keep=keep)


# --- the hot path --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Replay:
    version: str
    etag: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def not_modified(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (k, v) for k, v in self.headers if k.lower() not in ("content-type", "content-length")
        )


_dates: tuple[int, tuple[str, str]] = (0, ("Date", ""))


def date_header() -> tuple[str, str]:
    """The Date header, formatted once per second (also for ``webapp.page_cache``)."""
    global _dates
    now = int(time.time())
    if _dates[0] != now:
        _dates = (now, ("Date", http_date(now)))
    return _dates[1]


def key_of(path: str) -> str | None:
    """The paths ``FastFeeds`` may answer: the feeds and the programme's exports."""
    if path == "/calendar.ics":
        return "all"
    parts = path.split("/")
    if len(parts) == 3 and parts[1] == "calendar" and parts[2].endswith(".ics"):
        return f"series:{parts[2][: -len('.ics')]}"
    if (
        len(parts) == 4
        and parts[1] == "conferences"
        and parts[3] in ("program.ics", "schedule.json")
    ):
        return f"programme:{parts[2]}:{parts[3]}"
    return None


class FastFeeds:
    """WSGI middleware that answers repeated requests for a feed without going through Flask.

    It serves only what the Flask view served before, byte for byte and header for header (it
    records the view's 200 response), and only while ``data_version`` (the same one query) is
    unchanged; anything else (first request, a change, another path, a POST) goes to Flask.
    Calendar clients poll the same URL again and again, so this is the path almost every feed
    request takes; Flask's own per-request work (sessions, login, rate limiter, hooks) is several
    times the cost of the lookup. With ``FEED_VERSION_TTL`` > 0 a process reuses the version it
    computed for that many seconds, so a change reaches this path at most that much later.
    """

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.replays: dict[str, _Replay] = {}
        self.lock = threading.Lock()
        self.last_version: tuple[str, float] | None = None

    def version(self) -> str:
        """``data_version``, queried at most once per ``FEED_VERSION_TTL`` seconds per process."""
        ttl = float(self.app.config.get("FEED_VERSION_TTL", 0))
        now = time.monotonic()
        cached = self.last_version
        if cached is not None and ttl > 0 and now - cached[1] < ttl:
            return cached[0]
        with self.app.app_context():  # the providers' version() may use the app's session
            version = cache.data_version(clock.now())
        self.last_version = (version, now)
        return version

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD")
        key = key_of(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
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
        environ[VERSION_KEY] = version
        return self.record(key, version, environ, start_response)

    def replay(
        self, replay: _Replay, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and not is_resource_modified(
            environ, etag=replay.etag, last_modified=replay.last_modified
        ):
            start_response("304 NOT MODIFIED", [*replay.not_modified, date_header()])
            return [b""]
        start_response("200 OK", [*replay.headers, date_header()])
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
        ok = str(seen.get("status", "")).startswith("200")
        if environ.get("REQUEST_METHOD") != "GET" or not ok:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.remember(key, version, seen["headers"], body)
        return [body]

    def remember(self, key: str, version: str, raw: list[tuple[str, str]], body: bytes) -> None:
        headers = tuple((k, v) for k, v in raw if k.lower() not in ("date", "set-cookie"))
        found = {k.lower(): v for k, v in headers}
        if "set-cookie" in {k.lower() for k, _ in raw} or "etag" not in found:
            return
        modified = parse_date(found.get("last-modified"))
        if modified is not None:
            with self.lock:
                self.replays[key] = _Replay(
                    version, unquote_etag(found["etag"])[0], modified, headers, body
                )


def install_fast_path(app: Flask) -> None:
    """Put ``FastFeeds`` in front of the app (``FEED_FAST_PATH = False`` turns it off)."""
    app.wsgi_app = FastFeeds(app, app.wsgi_app)  # type: ignore[method-assign]
