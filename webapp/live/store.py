"""The shared notes in the database: load a document, store updates (commits grouped), compact.

This module and ``webapp.live.janitor`` are the documented exception to "one commit per
request": a socket is not a request, and a commit per keystroke would cost a disk flush each.
Updates wait in a queue; one writer thread per process commits whatever has gathered in one
transaction (usually within a few milliseconds, at most ``GROUP_WINDOW`` after the first), and
only then are they acknowledged to their sender and fanned out to everyone else.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from pycrdt import Doc, Text

from webapp.models import LiveDocument, LivePresence, LiveUpdate
from webapp.models.base import utcnow

DOCS = cast(sa.Table, LiveDocument.__table__)
UPDATES = cast(sa.Table, LiveUpdate.__table__)
PRESENCE = cast(sa.Table, LivePresence.__table__)
TEXT = "notes"
#: An update that changes nothing: acknowledged in its turn, never stored.
EMPTY = b"\x00\x00"
#: How long the writer waits after the first queued update for others to join its commit.
GROUP_WINDOW = 0.002
#: At most this many updates in one commit.
GROUP_LIMIT = 500
#: A writer thread with nothing to do for this long ends (a new one starts when needed).
WRITER_IDLE = 30.0


def notes_of(doc: Doc) -> Text:
    return doc.get(TEXT, type=Text)


def text_of(doc: Doc) -> str:
    return str(notes_of(doc))


@dataclass
class Stored:
    """An update as the database holds it."""

    minutes_id: int
    data: bytes
    user_id: int | None
    actor: str
    at: datetime = field(default_factory=utcnow)
    seq: int = 0
    #: Who sent it in this process (a socket connection), to be acknowledged; None otherwise.
    sender: object = None


@dataclass
class Loaded:
    key: str
    snapshot_seq: int
    revised_seq: int
    revised_at: datetime | None
    updates: list[bytes]
    max_seq: int

    def doc(self) -> Doc:
        # Applying the updates one by one is far faster than merging them first (Yrs'
        # merge_updates takes seconds for 10,000 updates; this takes a fraction of one).
        doc: Doc = Doc()
        for update in self.updates:
            doc.apply_update(update)
        return doc

    def merged(self) -> bytes:
        """The whole state as one update (squashed)."""
        return self.updates[0] if len(self.updates) == 1 else self.doc().get_update()


def initial_state(text: str) -> bytes:
    doc: Doc = Doc()
    if text:
        notes_of(doc).insert(0, text)
    return doc.get_update()


def load(conn: sa.Connection, minutes_id: int) -> Loaded | None:
    row = conn.execute(sa.select(DOCS).where(DOCS.c.minutes_id == minutes_id)).first()
    if row is None:
        return None
    # Every remaining row, not only those after snapshot_seq: an update committed late (after
    # a higher seq) is kept by compaction and must be read; applying one twice is harmless.
    rows = conn.execute(
        sa.select(UPDATES.c.seq, UPDATES.c.data)
        .where(UPDATES.c.minutes_id == minutes_id)
        .order_by(UPDATES.c.seq)
    ).all()
    return Loaded(
        key=row.key,
        snapshot_seq=row.snapshot_seq,
        revised_seq=row.revised_seq,
        revised_at=row.revised_at,
        updates=[row.snapshot, *(r.data for r in rows)],
        max_seq=max([row.snapshot_seq, *(r.seq for r in rows)]),
    )


def load_or_create(engine: sa.Engine, minutes_id: int, text: str) -> Loaded:
    """The stored document; created from the minutes' notes when it has never been opened.
    Two processes creating it at once: the first insert wins and both read it."""
    with engine.connect() as conn:
        found = load(conn, minutes_id)
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(DOCS).values(
                    minutes_id=minutes_id,
                    key=secrets.token_hex(8),
                    snapshot=initial_state(text),
                    snapshot_seq=0,
                    revised_seq=0,
                    created_at=utcnow(),
                )
            )
    except sa.exc.IntegrityError:
        pass
    with engine.connect() as conn:
        found = load(conn, minutes_id)
    assert found is not None  # noqa: S101 - inserted above or by the process that won
    return found


def insert_updates(conn: sa.Connection, items: list[Stored]) -> None:
    """Insert ``items`` in ``conn``'s transaction, setting each one's ``seq``."""
    result = conn.execute(
        sa.insert(UPDATES).returning(UPDATES.c.seq, sort_by_parameter_order=True),
        [
            {
                "minutes_id": s.minutes_id,
                "data": s.data,
                "user_id": s.user_id,
                "actor": s.actor[:254],
                "at": s.at,
            }
            for s in items
        ],
    )
    for item, seq in zip(items, result.scalars().all(), strict=True):
        item.seq = seq


def typists(conn: sa.Connection, minutes_id: int, after_seq: int) -> list[str]:
    """Who typed the updates after ``after_seq``, in the order they first typed."""
    rows = conn.execute(
        sa.select(UPDATES.c.actor, sa.func.min(UPDATES.c.seq).label("first"))
        .where(UPDATES.c.minutes_id == minutes_id, UPDATES.c.seq > after_seq)
        .group_by(UPDATES.c.actor)
        .order_by("first")
    ).all()
    return [r.actor for r in rows if r.actor]


def notify(engine: sa.Engine, channel: str, payloads: list[str]) -> None:
    """PostgreSQL NOTIFY, in a transaction of its own (updates already committed, presence)."""
    with engine.begin() as conn:
        for payload in payloads:
            conn.execute(sa.select(sa.func.pg_notify(channel, payload)))


def write_presence(
    engine: sa.Engine, origin: str, entries: dict[tuple[int, int], tuple[int, bytes]]
) -> None:
    """Keep the latest awareness entry of each (minutes, client), for polling processes."""
    now = utcnow()
    with engine.begin() as conn:
        for (minutes_id, client), (clock, entry) in entries.items():
            conn.execute(
                sa.delete(PRESENCE).where(
                    PRESENCE.c.minutes_id == minutes_id, PRESENCE.c.client_id == client
                )
            )
            conn.execute(
                sa.insert(PRESENCE).values(
                    minutes_id=minutes_id,
                    client_id=client,
                    clock=clock,
                    entry=entry,
                    origin=origin,
                    at=now,
                )
            )
        conn.execute(sa.delete(PRESENCE).where(PRESENCE.c.at < now - timedelta(hours=1)))


def read_presence(
    conn: sa.Connection, minutes_ids: list[int], origin: str, since: datetime
) -> list[sa.Row[Any]]:
    return list(
        conn.execute(
            sa.select(PRESENCE).where(
                PRESENCE.c.minutes_id.in_(minutes_ids),
                PRESENCE.c.origin != origin,
                PRESENCE.c.at >= since,
            )
        ).all()
    )


class _Lost(Exception):
    """Another process compacted the same document first."""


def compact(engine: sa.Engine, minutes_id: int) -> int:
    """Merge the updates already kept in a revision into the snapshot; returns how many rows
    went. Guarded by the snapshot_seq it read, so two processes compacting at once cannot both
    write (the loser changes nothing)."""
    try:
        return _compact(engine, minutes_id)
    except _Lost:
        return 0


def _compact(engine: sa.Engine, minutes_id: int) -> int:
    with engine.begin() as conn:
        doc = conn.execute(sa.select(DOCS).where(DOCS.c.minutes_id == minutes_id)).first()
        if doc is None:
            return 0
        rows = conn.execute(
            sa.select(UPDATES.c.seq, UPDATES.c.data)
            .where(UPDATES.c.minutes_id == minutes_id, UPDATES.c.seq <= doc.revised_seq)
            .order_by(UPDATES.c.seq)
        ).all()
        if not rows:
            return 0
        merged = Loaded("", 0, 0, None, [doc.snapshot, *(r.data for r in rows)], 0).merged()
        top = max(r.seq for r in rows)
        done = conn.execute(
            sa.update(DOCS)
            .where(DOCS.c.minutes_id == minutes_id, DOCS.c.snapshot_seq == doc.snapshot_seq)
            .values(snapshot=merged, snapshot_seq=max(top, doc.snapshot_seq))
        )
        if done.rowcount != 1:
            raise _Lost
        conn.execute(
            sa.delete(UPDATES).where(
                UPDATES.c.minutes_id == minutes_id, UPDATES.c.seq.in_([r.seq for r in rows])
            )
        )
        return len(rows)


#: Called in the commit's transaction (PostgreSQL NOTIFY), then after the commit (Redis, local
#: sockets).
InTransaction = Callable[[sa.Connection, list[Stored]], None]
AfterCommit = Callable[[list[Stored]], None]


class Writer:
    """One per process and database: commits queued updates in groups."""

    def __init__(self, engine: sa.Engine, in_txn: InTransaction, after: AfterCommit) -> None:
        self.engine, self.in_txn, self.after = engine, in_txn, after
        self.queue: queue.Queue[tuple[Stored, Future[int]]] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.commits = 0

    def submit(self, item: Stored) -> Future[int]:
        """Queue ``item``; the future gives its seq once committed (or the database's error)."""
        future: Future[int] = Future()
        with self.lock:
            self.queue.put((item, future))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="live-writer", daemon=True)
                self.thread.start()
        return future

    def _batch(self) -> list[tuple[Stored, Future[int]]] | None:
        try:
            batch = [self.queue.get(timeout=WRITER_IDLE)]
        except queue.Empty:
            return None
        deadline = time.monotonic() + GROUP_WINDOW
        while len(batch) < GROUP_LIMIT:
            try:
                batch.append(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        # The writer keeps one connection of its own while it runs: a commit costs no pool
        # checkout and no pre-ping round trip (pool_pre_ping), only the insert and the commit.
        conn: sa.Connection | None = None
        try:
            while True:
                batch = self._batch()
                if batch is None:
                    with self.lock:
                        if self.queue.empty():
                            self.thread = None
                            return
                    continue
                items = [item for item, _future in batch]
                rows = [item for item in items if item.data != EMPTY]
                try:
                    if rows:
                        conn = self._commit(conn, rows)
                except Exception as exc:  # noqa: BLE001 - every sender hears of it; none is acked
                    conn = self._drop(conn)
                    for _item, future in batch:
                        future.set_exception(exc)
                    continue
                self.commits += 1
                for item, future in batch:
                    future.set_result(item.seq)
                self.after(items)
        finally:
            self._drop(conn)

    def _commit(self, conn: sa.Connection | None, rows: list[Stored]) -> sa.Connection:
        """Insert ``rows`` in one transaction; a connection the database dropped meanwhile (a
        restart) is replaced once."""
        for attempt in (1, 2):
            if conn is None:
                conn = self.engine.connect()
            try:
                with conn.begin():
                    insert_updates(conn, rows)
                    self.in_txn(conn, rows)
                return conn
            except sa.exc.DBAPIError as exc:
                conn = self._drop(conn)
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _drop(conn: sa.Connection | None) -> None:
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - already broken
                conn.invalidate()
        return None
