"""The open documents of this process and the sockets on each.

A :class:`Room` holds one document in memory (a pycrdt ``Doc``) while at least one socket of
this process has it open, with the presence (awareness) of everyone on it. Updates reach a room
from its own sockets (after they are stored), from other processes (``webapp.live.fanout``) and
from saves of the no-JS form; each is applied to the room's doc and sent to its sockets.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, write_var_uint

from webapp.live import protocol
from webapp.live.store import Stored

log = logging.getLogger(__name__)


@dataclass
class Limits:
    """Per socket: the largest frame, a token bucket of frames (burst, then per second), and
    how far the browser may fall behind (frames or bytes waiting to go out, seconds one send
    may block) before its socket is closed."""

    max_bytes: int = 512 * 1024
    burst: float = 200.0
    per_second: float = 50.0
    queue_frames: int = 1000
    queue_bytes: int = 4 * 1024 * 1024
    send_seconds: float = 5.0


#: The close code of a socket whose browser fell behind (1013: try again later).
BEHIND = 1013


class Connection:
    """One browser's socket. What goes out to it waits in its own bounded queue, sent by its
    own sender thread: no other thread (the writer, the fan-out, the janitor) ever blocks on
    this socket. A browser that stops reading (a suspended laptop, a phone out of range) fills
    the queue or blocks a send for ``send_seconds``: its socket is closed, and the browser
    reconnects and resyncs (Yjs sync step 1 and 2)."""

    def __init__(self, ws: Any, user_id: int | None, actor: str, limits: Limits) -> None:
        self.ws, self.user_id, self.actor, self.limits = ws, user_id, actor, limits
        self.received = 0  # update messages received on this socket
        self.acked = 0
        self.clients: dict[int, int] = {}  # awareness client id -> last clock
        self.tokens = limits.burst
        self.refilled = time.monotonic()
        self.open = True
        self.outbox: deque[bytes] = deque()
        self.queued = 0  # bytes in the outbox
        self.wake = threading.Condition()
        #: (code, reason) once the socket is to be closed, after what is queued.
        self.closing: tuple[int, str] | None = None
        self.ending = False  # the handler returned: send what is queued, then stop
        self.sending_since: float | None = None  # when the send under way began
        self.sender = threading.Thread(target=self._drain, name="live-sender", daemon=True)
        self.sender.start()

    def allow(self, size: int) -> str | None:
        """None when the frame may be read; else why the socket is closed."""
        if size > self.limits.max_bytes:
            return f"a message of {size:,} bytes is over the limit of {self.limits.max_bytes:,}"
        now = time.monotonic()
        self.tokens = min(
            self.limits.burst, self.tokens + (now - self.refilled) * self.limits.per_second
        )
        self.refilled = now
        if self.tokens < 1:
            return "too many messages: slow down"
        self.tokens -= 1
        return None

    def send(self, data: bytes) -> None:
        """Queue ``data`` for this socket; never blocks. A full queue closes the socket (what
        was waiting is dropped: the browser resyncs when it reconnects)."""
        with self.wake:
            if not self.open or self.closing is not None:
                return
            limits = self.limits
            # Bytes count once over the limit: one large frame (a resync's step 2) always fits.
            if len(self.outbox) >= limits.queue_frames or self.queued >= limits.queue_bytes:
                log.info("live: closing a socket of %s: it fell behind", self.actor)
                self.outbox.clear()
                self.queued = 0
                self.outbox.append(protocol.notice("Disconnected: this connection fell behind."))
                self.closing = (BEHIND, "fell behind: reconnect")
            else:
                self.outbox.append(data)
                self.queued += len(data)
            self.wake.notify()
        self.check()

    def close(self, code: int, reason: str, notice: str | None = None) -> None:
        """Send ``notice`` (a line for the page) and close the socket, after what is queued."""
        with self.wake:
            if not self.open or self.closing is not None:
                return
            if notice is not None:
                self.outbox.append(protocol.notice(notice))
            self.closing = (code, reason[:120])
            self.wake.notify()

    def stalled(self) -> bool:
        since = self.sending_since
        return since is not None and time.monotonic() - since > self.limits.send_seconds

    def check(self) -> bool:
        """Cut the socket when a send has blocked too long; True when it is (or was) cut."""
        if self.stalled():
            log.info("live: cutting a socket of %s: a send blocked", self.actor)
            self.cut()
            return True
        return not self.open

    def cut(self) -> None:
        """End the socket at once, without a word to a browser that does not read: a send
        blocked on it fails, and so does its reader."""
        with self.wake:
            self.open = False
            self.wake.notify()
        sock = getattr(self.ws, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        """The handler is done: send what is queued (a notice, the close), for at most
        ``send_seconds``, then end the socket."""
        with self.wake:
            self.ending = True
            self.wake.notify()
        self.sender.join(self.limits.send_seconds)
        if self.sender.is_alive():
            self.cut()
        self.open = False

    def _next(self) -> tuple[bytes | None, tuple[int, str] | None] | None:
        """The next frame to send, or the close; None when the sender stops."""
        with self.wake:
            while self.open and not self.outbox and self.closing is None and not self.ending:
                self.wake.wait()
            if not self.open:
                return None
            if self.outbox:
                data = self.outbox.popleft()
                self.queued -= len(data)
                self.sending_since = time.monotonic()
                return data, None
            if self.closing is not None:
                self.sending_since = time.monotonic()
                return None, self.closing
            return None

    def _drain(self) -> None:
        while (item := self._next()) is not None:
            data, closing = item
            try:
                if data is not None:
                    self.ws.send(data)
                elif closing is not None:
                    self.ws.close(*closing)
                    break
            except Exception:  # noqa: BLE001 - a gone socket is noticed by its own reader
                break
            finally:
                self.sending_since = None
        with self.wake:
            self.open = False


@dataclass
class Room:
    minutes_id: int
    doc: Doc = field(default_factory=Doc)
    key: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    connections: set[Connection] = field(default_factory=set)
    #: Presence: client id -> (clock, one-entry awareness update).
    presence: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)
    loaded: bool = False
    #: Whether the other processes were asked for their presence on this document.
    asked: bool = False

    def first_ask(self) -> bool:
        """True once: for the socket that should ask the other processes for their presence."""
        with self.lock:
            first, self.asked = not self.asked, True
        return first

    def apply(self, update: bytes) -> None:
        """Apply ``update``; ``protocol.ProtocolError`` when it does not decode."""
        with self.lock:
            try:
                self.doc.apply_update(update)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - Yrs panics are BaseExceptions
                raise protocol.ProtocolError(f"update does not decode: {exc}") from None

    def missing(self, state: bytes) -> bytes:
        with self.lock:
            try:
                return self.doc.get_update(state)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001
                raise protocol.ProtocolError(f"state vector does not decode: {exc}") from None

    def broadcast(self, frame: bytes, but: Connection | None = None) -> None:
        for conn in list(self.connections):
            if conn is not but:
                conn.send(frame)

    def note_presence(self, data: bytes, conn: Connection | None) -> None:
        """Keep the latest state of each client in ``data`` (an awareness update)."""
        for client, (clock, state) in protocol.awareness_clients(data).items():
            if conn is not None:
                conn.clients[client] = clock
            with self.lock:
                known = self.presence.get(client)
                if known is not None and known[0] > clock:
                    continue
                if state == "null":
                    self.presence.pop(client, None)
                else:
                    self.presence[client] = (clock, protocol.awareness_entry(client, clock, state))

    def presence_entries(self) -> list[bytes]:
        with self.lock:
            return [entry for _clock, entry in self.presence.values()]

    def presence_update(self) -> bytes | None:
        entries = self.presence_entries()
        if not entries:
            return None
        return write_var_uint(len(entries)) + b"".join(entries)


class LoadFailed(RuntimeError):
    """The document could not be read from the database."""


Loader = Callable[[int], tuple[str, list[bytes]]]


class Hub:
    """The rooms of this process."""

    def __init__(self) -> None:
        self.rooms: dict[int, Room] = {}
        #: Documents closed here lately (minutes id: when), still owed an automatic revision.
        self.closed: dict[int, float] = {}
        self.lock = threading.Lock()

    def join(self, minutes_id: int, conn: Connection, loader: Loader) -> Room:
        """The room of ``minutes_id`` with ``conn`` in it, loading the document when new.
        The room is listed before it loads, so that updates from other processes arriving
        meanwhile are applied too (merging is commutative)."""
        with self.lock:
            room = self.rooms.get(minutes_id)
            fresh = room is None
            if room is None:
                room = self.rooms[minutes_id] = Room(minutes_id)
            room.connections.add(conn)
        if fresh:
            try:
                room.key, updates = loader(minutes_id)
                for update in updates:
                    room.apply(update)
                room.loaded = True
            finally:
                room.ready.set()
        room.ready.wait(30)
        if not room.loaded:  # the database failed: nobody may edit a half-loaded document
            self.leave(room, conn)
            raise LoadFailed(minutes_id)
        return room

    def leave(self, room: Room, conn: Connection) -> bytes | None:
        """Take ``conn`` out; returns the awareness update saying its clients left."""
        with self.lock:
            room.connections.discard(conn)
            if not room.connections and self.rooms.get(room.minutes_id) is room:
                del self.rooms[room.minutes_id]
                self.closed[room.minutes_id] = time.monotonic()
        gone = {c: clock for c, clock in conn.clients.items() if c in room.presence}
        for client in gone:
            room.presence.pop(client, None)
        return protocol.awareness_gone(gone) if gone else None

    def room(self, minutes_id: int) -> Room | None:
        with self.lock:
            return self.rooms.get(minutes_id)

    def open_ids(self) -> list[int]:
        with self.lock:
            return list(self.rooms)

    def tended_ids(self, keep: float) -> list[int]:
        """Open documents, and those closed within ``keep`` seconds (their last words still
        become a revision once the interval allows)."""
        now = time.monotonic()
        with self.lock:
            for minutes_id, at in list(self.closed.items()):
                if now - at > keep or minutes_id in self.rooms:
                    del self.closed[minutes_id]
            return [*self.rooms, *self.closed]

    def stored(self, items: list[Stored]) -> None:
        """After a commit: acknowledge each sender, send each update to the others here."""
        for item in items:
            sender = item.sender if isinstance(item.sender, Connection) else None
            if sender is not None:
                sender.acked += 1
                sender.send(protocol.ack(sender.acked))
            if item.data == b"\x00\x00":
                continue
            room = self.room(item.minutes_id)
            if room is not None:
                if sender is None:  # the no-JS form's save: the room has not seen it yet
                    room.apply(item.data)
                room.broadcast(protocol.update(item.data), but=sender)

    def remote_update(self, minutes_id: int, data: bytes) -> None:
        room = self.room(minutes_id)
        if room is None:
            return
        try:
            room.apply(data)
        except protocol.ProtocolError:
            log.warning("live: an update from another process does not decode")
            return
        room.broadcast(protocol.update(data))

    def remote_awareness(self, minutes_id: int, data: bytes) -> None:
        room = self.room(minutes_id)
        if room is None:
            return
        try:
            room.note_presence(data, None)
        except protocol.ProtocolError:
            return
        room.broadcast(protocol.awareness(data))

    def close_all(self, reason: str) -> None:
        """Close every socket (a worker shutting down): browsers reconnect elsewhere."""
        with self.lock:
            conns = [c for room in self.rooms.values() for c in room.connections]
        for conn in conns:
            conn.close(1012, reason, notice=reason)


HUB = Hub()
