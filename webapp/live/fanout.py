"""Updates reach the other workers and app nodes: Redis pub/sub when ``REDIS_URL`` is set, else
PostgreSQL LISTEN/NOTIFY, else (SQLite) each process polls the updates table.

Every process has an ``origin`` (host, pid, random): it skips its own messages, since its own
sockets had the update already. Updates are published only once stored.
"""

from __future__ import annotations

import logging
import os
import secrets
import struct
import threading
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pycrdt import write_var_uint

from webapp.live import protocol, store
from webapp.live.hub import HUB
from webapp.live.store import UPDATES, Stored
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

KINDS = ("redis", "postgres", "poll")
POLL_INTERVAL = 0.05
_HEAD = struct.Struct(">16sBQQ")
_UPDATE, _AWARENESS, _ASK = 1, 2, 3
_origin: list[Any] = [None, b""]


def origin() -> bytes:
    """This process's id (made again after a fork)."""
    if _origin[0] != os.getpid():
        _origin[:] = [os.getpid(), secrets.token_bytes(16)]
    return bytes(_origin[1])


def choose(config: dict[str, Any], database_url: str) -> tuple[str, str | None]:
    """The fan-out this configuration uses, or (``""``, the reason it cannot fan out)."""
    wanted = config.get("LIVE_FANOUT") or "auto"
    redis_url = config.get("REDIS_URL") or ""
    backend = sa.engine.make_url(database_url).get_backend_name()
    if wanted not in ("auto", *KINDS):
        return "", f"LIVE_FANOUT is {wanted!r}; expected auto, redis, postgres or poll"
    if wanted == "auto":
        wanted = "redis" if redis_url else "postgres" if backend == "postgresql" else "poll"
    if wanted == "redis" and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        return "", f"live notes fan out through Redis, but REDIS_URL is {redis_url!r}"
    if wanted == "postgres" and backend != "postgresql":
        return "", "LIVE_FANOUT=postgres needs DATABASE_URL to be PostgreSQL"
    if wanted == "poll" and backend == "sqlite":
        database = sa.engine.make_url(database_url).database or ""
        if database in ("", ":memory:") and not config.get("TESTING"):
            return "", "live notes cannot fan out from an in-memory SQLite database"
    return wanted, None


class Fanout:
    """The chosen fan-out of one app; its listener thread starts on first use in a process."""

    def __init__(self, kind: str, engine: sa.Engine, channel: str, redis_url: str = "") -> None:
        self.kind, self.engine, self.channel, self.redis_url = kind, engine, channel, redis_url
        self.lock = threading.Lock()
        self.pid = 0
        self.redis: Any = None
        self.ready = threading.Event()
        #: Set when the app is done: the listener ends instead of reconnecting or polling.
        self.stopping = threading.Event()
        self.mine: dict[int, None] = {}  # seqs stored by this process (poll: skip them)
        #: Poll: presence to write, the latest per (minutes, client), and the clocks seen.
        self.presence_out: dict[tuple[int, int], tuple[int, bytes]] = {}
        self.presence_seen: dict[tuple[int, int], int] = {}

    def ensure_started(self) -> None:
        """Start listening in this process; wait (a moment, once) until the subscription is
        made, so that what others publish right after this socket opened is not missed."""
        with self.lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.ready = threading.Event()
                target = {"redis": self._redis_loop, "postgres": self._pg_loop, "poll": self._poll}
                threading.Thread(target=target[self.kind], name="live-fanout", daemon=True).start()
        self.ready.wait(3)

    # -- sending
    def _payloads(self, items: list[Stored]) -> list[str]:
        return [f"u:{item.minutes_id}:{item.seq}:{origin().hex()}" for item in items]

    def in_transaction(self, conn: sa.Connection, items: list[Stored]) -> None:
        """PostgreSQL: NOTIFY in the transaction that stores the updates (sent on commit)."""
        if self.kind == "postgres":
            for payload in self._payloads(items):
                conn.execute(sa.select(sa.func.pg_notify(self.channel, payload)))

    def stored_elsewhere(self, items: list[Stored]) -> None:
        """Updates a request's own transaction stored (the no-JS form): announce them now."""
        if self.kind == "postgres":
            store.notify(self.engine, self.channel, self._payloads(items))

    def after_commit(self, items: list[Stored]) -> None:
        if self.kind == "redis":
            client = self._client()
            pipe = client.pipeline(transaction=False)
            for item in items:
                head = _HEAD.pack(origin(), _UPDATE, item.minutes_id, item.seq)
                pipe.publish(self.channel, head + item.data)
            self._quietly(pipe.execute)
        elif self.kind == "poll":
            for item in items:
                self.mine[item.seq] = None
            while len(self.mine) > 10000:
                self.mine.pop(next(iter(self.mine)))

    def awareness(self, minutes_id: int, data: bytes) -> None:
        if self.kind == "redis":
            head = _HEAD.pack(origin(), _AWARENESS, minutes_id, 0)
            self._quietly(self._client().publish, self.channel, head + data)
        elif self.kind == "poll":
            try:
                found = protocol.awareness_clients(data)
            except protocol.ProtocolError:
                return
            with self.lock:
                for client, (clock, state) in found.items():
                    entry = protocol.awareness_entry(client, clock, state)
                    self.presence_out[(minutes_id, client)] = (clock, entry)
        elif self.kind == "postgres" and len(data) < 5000:
            payload = f"a:{minutes_id}:{data.hex()}:{origin().hex()}"
            self._quietly(store.notify, self.engine, self.channel, [payload])

    def ask_presence(self, minutes_id: int) -> None:
        """A document just opened in this process: the processes that have it open already
        answer with the presence they know, so that the people there appear at once (browsers
        renew their presence only every 15 seconds)."""
        if self.kind == "redis":
            head = _HEAD.pack(origin(), _ASK, minutes_id, 0)
            self._quietly(self._client().publish, self.channel, head)
        elif self.kind == "postgres":
            payload = f"q:{minutes_id}::{origin().hex()}"
            self._quietly(store.notify, self.engine, self.channel, [payload])
        elif self.kind == "poll":  # the table holds everyone's presence: read it all again
            with self.lock:
                for key in [k for k in self.presence_seen if k[0] == minutes_id]:
                    del self.presence_seen[key]

    def _answer(self, minutes_id: int) -> None:
        room = HUB.room(minutes_id)
        if room is None:
            return
        if self.kind == "redis":
            found = room.presence_update()
            if found:
                self.awareness(minutes_id, found)
        else:  # one entry per NOTIFY (its payload is limited to 8,000 bytes)
            for entry in room.presence_entries():
                self.awareness(minutes_id, write_var_uint(1) + entry)

    def _client(self) -> Any:
        if self.redis is None:
            import redis

            self.redis = redis.Redis.from_url(self.redis_url)
        return self.redis

    @staticmethod
    def _quietly(call: Any, *args: Any) -> None:
        try:
            call(*args)
        except Exception as exc:  # noqa: BLE001 - stored already; browsers resync on reconnect
            log.warning("live: fan-out failed: %s", exc)

    # -- receiving
    def _redis_loop(self) -> None:
        import redis

        while True:
            try:
                pubsub = redis.Redis.from_url(self.redis_url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=2)  # the subscription's confirmation
                self.ready.set()
                for message in pubsub.listen():
                    self._on_redis(message["data"])
            except Exception as exc:  # noqa: BLE001 - reconnect
                if self.stopping.is_set():
                    return
                log.warning("live: Redis subscription lost (%s); again in 1 s", exc)
                time.sleep(1)

    def _on_redis(self, data: bytes) -> None:
        if len(data) < _HEAD.size:
            return
        sender, kind, minutes_id, _seq = _HEAD.unpack_from(data)
        if sender == origin():
            return
        body = data[_HEAD.size :]
        if kind == _UPDATE:
            HUB.remote_update(minutes_id, body)
        elif kind == _AWARENESS:
            HUB.remote_awareness(minutes_id, body)
        elif kind == _ASK:
            self._answer(minutes_id)

    def _pg_loop(self) -> None:
        while True:
            try:
                raw = self.engine.raw_connection()
                pg = raw.driver_connection
                raw.detach()
                assert pg is not None  # noqa: S101
                pg.autocommit = True
                pg.execute(f'LISTEN "{self.channel}"')
                self.ready.set()
                for note in pg.notifies():
                    self._on_pg(note.payload)
            except Exception as exc:  # noqa: BLE001 - reconnect
                if self.stopping.is_set():
                    return
                log.warning("live: PostgreSQL LISTEN lost (%s); again in 1 s", exc)
                time.sleep(1)

    def _on_pg(self, payload: str) -> None:
        kind, minutes, body, sender = (payload.split(":") + ["", "", "", ""])[:4]
        if sender == origin().hex() or not minutes.isdigit():
            return
        if kind == "a":
            HUB.remote_awareness(int(minutes), bytes.fromhex(body))
        elif kind == "q":
            self._answer(int(minutes))
        elif kind == "u" and HUB.room(int(minutes)) is not None:
            with self.engine.connect() as conn:
                data = conn.scalar(sa.select(UPDATES.c.data).where(UPDATES.c.seq == int(body)))
            if data is not None:
                HUB.remote_update(int(minutes), data)

    def _poll(self) -> None:
        with self.engine.connect() as conn:
            last = conn.scalar(sa.select(sa.func.max(UPDATES.c.seq))) or 0
        self.ready.set()
        while not self.stopping.wait(POLL_INTERVAL):
            ids = HUB.open_ids()
            if not ids:
                continue
            try:
                last = self._poll_updates(ids, last)
                self._poll_presence(ids)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("live: polling the updates failed: %s", exc)

    def _poll_updates(self, ids: list[int], last: int) -> int:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(UPDATES.c.seq, UPDATES.c.minutes_id, UPDATES.c.data)
                .where(UPDATES.c.seq > last, UPDATES.c.minutes_id.in_(ids))
                .order_by(UPDATES.c.seq)
                .limit(1000)
            ).all()
        for row in rows:
            last = max(last, row.seq)
            if row.seq not in self.mine:
                HUB.remote_update(row.minutes_id, row.data)
        return last

    def _poll_presence(self, ids: list[int]) -> None:
        with self.lock:
            out, self.presence_out = self.presence_out, {}
        if out:
            store.write_presence(self.engine, origin().hex(), out)
        since = utcnow() - timedelta(minutes=2)
        with self.engine.connect() as conn:
            rows = store.read_presence(conn, ids, origin().hex(), since)
        for row in rows:
            key = (row.minutes_id, row.client_id)
            if self.presence_seen.get(key, -1) < row.clock:
                self.presence_seen[key] = row.clock
                HUB.remote_awareness(row.minutes_id, write_var_uint(1) + row.entry)
