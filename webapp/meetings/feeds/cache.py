"""Rendered feeds, stored once per change of their data and shared by every worker.

One data version for every public feed and export: one aggregate query over series, rules,
occurrences and the site settings (row counts and latest ``updated_at``), plus the window's start
day, the base URL, and the version of everything registered in ``webapp.wiring`` (the programme,
the minutes' links). Any change, from any worker, the CLI or another area, moves it, and the next
request renders again; nothing has to remember to invalidate. The window's day being part of it
re-renders a feed once a day as "12 months back" moves.

The bytes are kept in the ``rendered_feeds`` table (written in a short transaction of its own, on
its own connection, never through the request's session) and in a small per-process LRU, keyed by
version, so a request that finds the version unchanged costs one small query.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from webapp import clock, wiring
from webapp.extensions import db
from webapp.meetings.feeds.window import feed_window
from webapp.models import RenderedFeed
from webapp.urls import base_url

#: Row counts and latest changes of everything a meetings feed is built from, in one query
#: (plain SQL: it runs on every feed request, also below Flask in ``FastFeeds``).
VERSION_SQL = (
    "SELECT (SELECT count(*) FROM series), (SELECT max(updated_at) FROM series), "
    "(SELECT count(*) FROM schedule_rules), (SELECT max(updated_at) FROM schedule_rules), "
    "(SELECT count(*) FROM occurrences), (SELECT max(updated_at) FROM occurrences), "
    # The site settings: the feeds' span is one of them (None: the app config's FEED_PAST_MONTHS).
    "(SELECT max(updated_at) FROM site_settings), (SELECT max(feed_past_months) FROM site_settings)"
)

#: How many renders a process keeps in memory (per-meeting files are many and small).
MEMORY_SIZE = 256


def version_of(config: Mapping[str, Any], row: Sequence[Any], now: datetime) -> str:
    start = feed_window(now, int(row[7] or config["FEED_PAST_MONTHS"]))[0]
    parts = [start.date().isoformat(), base_url(), *(str(v) for v in row)]
    board = wiring.of()
    parts += [f"{p.name}={p.version()}" for p in board.feed_providers]
    parts += [f"{linker.name}={linker.version()}" for linker in board.occurrence_linkers]
    return "|".join(parts)


def data_version(now: datetime) -> str:
    """A string that changes whenever any feed's content may: one query, no row loading."""
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(VERSION_SQL).one()
    return version_of(current_app.config, row, now)


@dataclass(frozen=True)
class Stored:
    version: str
    etag: str
    last_modified: datetime
    body: bytes


class _Memory:
    """A bounded, thread-safe LRU of the renders this process served last."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], Stored] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Stored | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str], value: Stored) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


memory = _Memory(MEMORY_SIZE)


def _read(key: str) -> Any:
    table = RenderedFeed.__table__
    with db.engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c.key == key)).first()


def _write(key: str, values: dict[str, Any]) -> None:
    """Store a render in a short transaction of its own (a GET never commits its session)."""
    table = sa.table(
        "rendered_feeds", *(sa.column(c.name, c.type) for c in RenderedFeed.__table__.columns)
    )
    try:
        with db.engine.begin() as conn:
            done = conn.execute(sa.update(table).where(table.c.key == key).values(**values))
            if not done.rowcount:
                conn.execute(sa.insert(table).values(key=key, **values))
    except IntegrityError:
        pass  # another worker stored it first; its render is as good as ours


#: What a render returns: its bytes and the latest change of the data in them, or the bytes alone.
Rendered = bytes | tuple[bytes, datetime]


def _last_modified(given: datetime | None, etag: str, before: Any, stamp: datetime) -> datetime:
    """``Last-Modified``: the data's latest change when the render says it (the same data gives
    the same value, also after the stored renders are lost; a change that only the moving window
    makes, older meetings leaving, changes the ETag alone). Otherwise: kept while the bytes are
    unchanged, else the time of this render."""
    if given is not None:
        return given.astimezone(UTC).replace(microsecond=0)
    return before.last_modified if before is not None and before.etag == etag else stamp


def stored(key: str, version: str, render: Callable[[], Rendered], *, keep: bool = True) -> Stored:
    """The render ``key`` for ``version``: from memory, from the table, or rendered now.

    ``keep=False`` leaves the table alone (one-meeting files: any date may be asked for, so only
    the bounded memory holds them).
    """
    cache_key = (f"{id(db.engine)}:{db.engine.url}", key)
    hit = memory.get(cache_key)
    if hit is not None and hit.version == version:
        return hit
    row = _read(key) if keep else None
    if row is not None and row.data_version == version:
        result = Stored(version, row.etag, row.last_modified, row.body)
    else:
        rendered = render()
        body, given = rendered if isinstance(rendered, tuple) else (rendered, None)
        etag = hashlib.sha256(body).hexdigest()[:40]
        stamp = clock.now().replace(microsecond=0)
        before = row if row is not None else hit
        modified = _last_modified(given, etag, before, stamp)
        result = Stored(version, etag, modified, body)
        if keep:
            _write(
                key,
                {
                    "etag": etag,
                    "last_modified": modified,
                    "body": body,
                    "data_version": version,
                    "rendered_at": stamp,
                },
            )
    memory.put(cache_key, result)
    return result
