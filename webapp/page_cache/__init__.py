"""Public pages at the speed of a file: anonymous GETs answered from stored renders.

``PageCache`` is WSGI middleware, like the feeds' ``FastFeeds``. An anonymous GET (no session or
remember-me cookie) of a public page (``PAGES``: home, series, meeting, agenda, minutes, people,
person, conferences, conference, programme, its changes, talk; not the CFP form, which needs its
CSRF cookie) is answered with the bytes Flask rendered for it before, while

- the data version (``webapp.data_version``: a counter every committed change bumps, read at
  most once per ``FEED_VERSION_TTL`` seconds per process) is the one they were rendered at, and
- the clock has not reached the next instant at which a page changes by itself
  (``webapp.page_cache.changes``: meetings starting and ending, the CFP's countdown, midnight).

A page's query string is brought to its normal form first (``QUERY``: the series page's
``?page=N``; a page number that is no number is the first page, and any other argument is
dropped before Flask sees the request), so there is one stored render per page that exists and
``?page=2&utm_source=x`` is ``?page=2``.

Otherwise the request goes to Flask, and a 200 answer without a cookie is stored: in a bounded
memory of each process and in the ``rendered_feeds`` table (key ``page:PATH``, written on a
connection of its own), so every worker and node shares it. Answers carry ETag, Last-Modified,
``Cache-Control: no-cache`` and ``Vary: Cookie``, and a conditional request gets a 304.
``Last-Modified`` comes from the data and the clock alone (the data version's last change, or
the last instant at which the pages changed by itself, whichever is later), never from the time
of the render: a render that is lost and made again says the same. Signed-in
visitors, and anyone with a session (a flashed message, a CSRF token), get the page rendered as
before. Times on the pages are in the meeting's zone; the viewer's own is added by the script,
so the bytes are the same for everyone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, is_resource_modified

from webapp.converters import positive_int
from webapp.meetings.feeds.http import date_header
from webapp.page_cache import store
from webapp.page_cache.changes import span
from webapp.page_cache.store import Page

#: The endpoints whose anonymous GETs are stored.
PAGES = frozenset(
    {
        "main.home",
        "meetings.series_page",
        "meetings.meeting",
        "minutes.agenda_page",
        "minutes.minutes_page",
        "minutes.people",
        "minutes.person",
        "cfp.conferences",
        "cfp.conference",
        "cfp.program",
        "cfp.program_changes",
        "cfp.talk",
    }
)


def _page_number(value: str) -> str | None:
    number = positive_int(value)
    return str(number) if number is not None and number > 1 else None


#: The query arguments a stored page depends on, with their normal form (None: the default,
#: left out). Every other argument of a page in ``PAGES`` is dropped: its views read no other.
QUERY: dict[str, dict[str, Callable[[str], str | None]]] = {
    "meetings.series_page": {"page": _page_number},
}
#: Each process keeps at most this many pages and bytes in memory (the newest asked for), and
#: remembers this many paths as page or not.
MEMORY_SIZE, MEMORY_BYTES, PATHS_SIZE = 512, 64 * 1024 * 1024, 4096
logger = logging.getLogger(__name__)
STORED_HEADERS = (("Cache-Control", "no-cache"), ("Vary", "Cookie"))


class PageCache:
    """The middleware (see the module's text)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.bytes = 0
        self.paths: dict[str, str | None] = {}
        self.lock = threading.Lock()
        self.version_at: tuple[int, datetime, float] | None = None
        self.span: tuple[int, datetime, datetime] | None = None  # (counter, since, until)
        self.cookies = (
            f"{app.config.get('SESSION_COOKIE_NAME') or 'session'}=",
            f"{app.config.get('REMEMBER_COOKIE_NAME') or 'remember_token'}=",
        )

    # --- which requests -------------------------------------------------------------------------

    def page_of(self, path: str) -> str | None:
        """The endpoint of ``path`` if it is one of ``PAGES``, else None."""
        if path in self.paths:
            return self.paths[path]
        try:
            endpoint, _args = self.app.url_map.bind("localhost").match(path, "GET")
        except HTTPException:
            endpoint = None
        known = endpoint if endpoint in PAGES else None
        if len(self.paths) >= PATHS_SIZE:
            self.paths.clear()
        self.paths[path] = known
        return known

    def key(self, environ: dict[str, Any]) -> str | None:
        """The stored render's key (the path and the normal query) of a request it may answer,
        else None. The request's query string is made the normal one (see the module's text)."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if not self.app.config.get("PAGE_CACHE", True):
            return None
        cookie = environ.get("HTTP_COOKIE", "")
        if cookie and any(name in cookie for name in self.cookies):
            return None
        path = environ.get("PATH_INFO", "")
        endpoint = self.page_of(path)
        if endpoint is None:
            return None
        query = environ.get("QUERY_STRING", "")
        if "\x00" in unquote_plus(query):
            return None  # left as it is: the app answers 400 for a NUL anywhere in the request
        if query:
            query = normal_query(QUERY.get(endpoint, {}), query)
            environ["QUERY_STRING"] = query
        return f"{path}?{query}" if query else path

    # --- versions -------------------------------------------------------------------------------

    def now(self) -> datetime:
        override = self.app.config.get("CADENCE_NOW")
        if override is None:
            return datetime.now(UTC)
        return (override() if callable(override) else override).astimezone(UTC)

    def version(self) -> tuple[int, datetime]:
        """``(counter, changed_at)``, read at most once per ``FEED_VERSION_TTL`` seconds."""
        ttl = float(self.app.config.get("FEED_VERSION_TTL", 0))
        cached, mono = self.version_at, time.monotonic()
        if cached is not None and ttl > 0 and mono - cached[2] < ttl:
            return cached[0], cached[1]
        with self.app.app_context():
            counter, changed = store.read_version()
        self.version_at = (counter, changed, mono)
        return counter, changed

    def span_of(self, counter: int, now: datetime) -> tuple[datetime, datetime]:
        """``changes.span(now)``, computed again when the data or the span moves on."""
        cached = self.span
        if cached is not None and cached[0] == counter and cached[1] <= now < cached[2]:
            return cached[1], cached[2]
        try:
            with self.app.app_context():
                since, until = span(now)
        except (SQLAlchemyError, ValueError, LookupError):  # look again in a minute
            logger.exception("page cache: the next change of the pages could not be computed")
            since, until = now.replace(second=0, microsecond=0), now + timedelta(minutes=1)
        self.span = (counter, since, until)
        return since, until

    # --- serving --------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = self.key(environ)
        if path is None:
            return self.wsgi_app(environ, start_response)
        try:
            counter, changed = self.version()
        except SQLAlchemyError:  # no database, or not migrated: pages as before, never stored
            return self.wsgi_app(environ, start_response)
        now = self.now()
        page = self.pages.get(path)
        if page is None or page.counter != counter or now >= page.until:
            with self.app.app_context():
                page = store.read_page(path) or page
        if page is not None and page.counter == counter and now < page.until:
            self.remember(path, page)
            return self.replay(page, environ, start_response)
        since, until = self.span_of(counter, now)
        modified = min(max(changed, since), now).replace(microsecond=0)
        return self.record(path, (counter, until, modified), environ, start_response)

    def replay(
        self, page: Page, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match == page.quoted_etag or (
            (match or "HTTP_IF_MODIFIED_SINCE" in environ)
            and not is_resource_modified(environ, etag=page.etag, last_modified=page.last_modified)
        ):
            start_response("304 NOT MODIFIED", [*page.not_modified, date_header()])
            return [b""]
        start_response("200 OK", [*page.full_headers, date_header()])
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [page.body]

    def remember(self, path: str, page: Page) -> None:
        with self.lock:
            old = self.pages.get(path)
            if old is page:
                self.pages.move_to_end(path)
                return
            self.bytes += len(page.body) - (len(old.body) if old is not None else 0)
            self.pages[path] = page
            self.pages.move_to_end(path)
            while len(self.pages) > MEMORY_SIZE or (self.bytes > MEMORY_BYTES and self.pages):
                self.bytes -= len(self.pages.popitem(last=False)[1].body)

    def record(
        self,
        path: str,
        stamp: tuple[int, datetime, datetime],
        environ: dict[str, Any],
        start_response: Callable[..., Any],
    ) -> Any:
        """Let Flask render the page; store a 200 without a cookie, then answer as stored."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: seen.setdefault("written", []).append(data)

        result = self.wsgi_app(environ, capture)
        try:
            body = b"".join([*seen.get("written", []), *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        raw = seen["headers"]
        names = {k.lower() for k, _ in raw}
        if not str(seen["status"]).startswith("200") or "set-cookie" in names:
            start_response(seen["status"], raw)
            return [body]
        page = self.make_page(stamp, raw, body)
        if environ.get("REQUEST_METHOD") == "GET":
            self.remember(path, page)
            with self.app.app_context():
                store.write_page(path, page)
        return self.replay(page, environ, start_response)

    def make_page(
        self, stamp: tuple[int, datetime, datetime], raw: list[tuple[str, str]], body: bytes
    ) -> Page:
        counter, until, modified = stamp
        etag = hashlib.sha256(body).hexdigest()[:40]
        skip = {"date", "content-length", "etag", "last-modified", "cache-control", "vary"}
        headers = tuple((k, v) for k, v in raw if k.lower() not in skip)
        headers += (("ETag", f'"{etag}"'), ("Last-Modified", http_date(modified)))
        return Page(counter, until, etag, modified, headers + STORED_HEADERS, body)


def normal_query(arguments: dict[str, Callable[[str], str | None]], query: str) -> str:
    """``query`` with only ``arguments`` (the first value of each, in its normal form), sorted."""
    given: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, max_num_fields=None):
        if name in arguments and name not in given:
            given[name] = value
    kept = {name: arguments[name](value) for name, value in given.items()}
    return urlencode(sorted((name, value) for name, value in kept.items() if value is not None))


def install(app: Flask) -> None:
    """Put ``PageCache`` in front of the app (``PAGE_CACHE = False`` turns it off)."""
    app.wsgi_app = PageCache(app, app.wsgi_app)  # type: ignore[method-assign]
