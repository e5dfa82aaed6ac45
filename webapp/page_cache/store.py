"""Stored page renders in the database: the ``rendered_feeds`` table, keys ``page:PATH``.

Read and written on connections of their own (a GET never commits its session), so a render
stored by one worker serves every other worker and node until the data version moves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from webapp import clock, data_version
from webapp.extensions import db
from webapp.models import RenderedFeed

#: Longer paths are kept in memory only (the key column holds 200 characters).
MAX_PATH = 190


@dataclass(frozen=True)
class Page:
    counter: int
    until: datetime
    etag: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @cached_property
    def quoted_etag(self) -> str:
        return f'"{self.etag}"'

    @cached_property
    def full_headers(self) -> tuple[tuple[str, str], ...]:
        return (*self.headers, ("Content-Length", str(len(self.body))))

    @cached_property
    def not_modified(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, v) for k, v in self.headers if k.lower() != "content-type")


def read_version() -> tuple[int, datetime]:
    with db.engine.connect() as conn:
        return data_version.current(conn)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_page(path: str) -> Page | None:
    """The stored render of ``path``, whatever its version (None: none, or unreadable)."""
    if len(path) > MAX_PATH:
        return None
    table = RenderedFeed.__table__
    try:
        with db.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.key == f"page:{path}")).first()
        if row is None:
            return None
        stored_counter, until = row.data_version.split("|", 1)
        head, _, body = row.body.partition(b"\n")
        headers = tuple((str(k), str(v)) for k, v in json.loads(head))
        return Page(
            int(stored_counter),
            _aware(datetime.fromisoformat(until)),
            row.etag,
            _aware(row.last_modified),
            headers,
            body,
        )
    except (SQLAlchemyError, ValueError):
        return None


def write_page(path: str, page: Page) -> None:
    """Store ``page`` in a short transaction of its own; a failure only costs a later render."""
    if len(path) > MAX_PATH:
        return
    table = sa.table(
        "rendered_feeds", *(sa.column(c.name, c.type) for c in RenderedFeed.__table__.columns)
    )
    key = f"page:{path}"
    values = {
        "etag": page.etag,
        "last_modified": page.last_modified,
        "body": json.dumps(page.headers).encode() + b"\n" + page.body,
        "data_version": f"{page.counter}|{page.until.isoformat()}",
        "rendered_at": clock.now().replace(microsecond=0),
    }
    try:
        with db.engine.begin() as conn:
            done = conn.execute(sa.update(table).where(table.c.key == key).values(**values))
            if not done.rowcount:
                conn.execute(sa.insert(table).values(key=key, **values))
    except (IntegrityError, SQLAlchemyError):
        pass  # another worker stored it first, or the database is busy: its render is as good
