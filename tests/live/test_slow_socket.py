"""A browser that stops reading its socket (a suspended laptop, a phone on a bad network) holds
up nobody: the others keep getting each other's edits and acknowledgements, the stalled socket
is closed, and once it reconnects it gets the whole document."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from typing import Any

import pytest

from tests.live.yclient import PATH, YClient, connect
from webapp.extensions import db
from webapp.live import protocol, store
from webapp.live.hub import HUB


def stalled_socket(server: str, cookie: str) -> socket.socket:
    """A WebSocket opened with a tiny receive buffer whose reader then never reads again."""
    host, port = server.split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {PATH} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://{server}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "the server closed the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def closed_by_server(sock: socket.socket, timeout: float) -> bool:
    """Read what is left until the server's end of the stream (the socket reads again now)."""
    sock.settimeout(0.5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True
    return False


#: 55 KB an edit, typed in turns by two people; 100 edits are 5.5 MB, more than the kernel
#: buffers between the server and a client that does not read hold (about 2.5 MB here).
CHUNK = "typed while someone stopped reading. " * 1500


def stalled_gone(minutes_id: int) -> bool:
    room = HUB.room(minutes_id)
    return room is not None and len(room.connections) == 2


def type_in_turns(alice: YClient, bob: YClient, edits: range) -> None:
    """Each edit reaches the other and is acknowledged within 2 s."""
    for n in edits:
        typist, other = (alice, bob) if n % 2 == 0 else (bob, alice)
        mark = f"<{n}>"
        typist.type(mark + CHUNK)
        started_at = time.monotonic()
        assert other.wait(lambda o=other, m=mark: m in o.value(), 2), f"edit {n} held up"
        assert typist.wait(lambda t=typist: t.acked == t.sent, 2), f"ack {n} held up"
        assert time.monotonic() - started_at < 2


def rejoin(app: Any, server: str, cookie: str, minutes_id: int, whole: str) -> None:
    """The browser that fell behind reconnects: it gets the whole document, and what it typed
    meanwhile reaches the others; nothing acknowledged was lost."""
    again = connect(server, cookie)
    try:
        assert again.synced.wait(5)
        assert again.wait(lambda: again.value() == whole, 5)
        again.type("back again")
        assert again.wait(lambda: again.acked == again.sent, 5)
        with app.app_context():
            stored = store.load_or_create(db.engine, minutes_id, "")
            assert store.text_of(stored.doc()) == whole + "back again"
    finally:
        again.close()


def test_a_socket_that_stops_reading_holds_up_nobody(app, live_server, cookie_as, started):
    scribe = cookie_as("scribe")
    stalled = stalled_socket(live_server, scribe)
    alice, bob = connect(live_server, scribe), connect(live_server, cookie_as("organizer"))
    try:
        assert alice.synced.wait(5)
        assert bob.synced.wait(5)
        type_in_turns(alice, bob, range(70))  # from about the 50th on, the stalled one is full
        entry = protocol.awareness_entry(alice.doc.client_id, 1, json.dumps({"user": {}}))
        alice.send(protocol.awareness(b"\x01" + entry))
        assert bob.wait(lambda: alice.doc.client_id in bob.presence, 2)  # presence too
        type_in_turns(alice, bob, range(70, 100))
        # The server drops the stalled socket (a send to it blocked for 5 s), then it ends.
        assert alice.wait(lambda: stalled_gone(started), 15), "the stalled socket is still open"
        assert closed_by_server(stalled, 10)
        whole = alice.value()
        assert whole == bob.value()
        assert all(f"<{n}>" in whole for n in range(100))
        rejoin(app, live_server, scribe, started, whole)
    finally:
        stalled.close()
        alice.close()
        bob.close()


def frames(sock: socket.socket, timeout: float) -> list[tuple[int, bytes]]:
    """The server's WebSocket frames (opcode, payload) up to its close frame."""
    sock.settimeout(timeout)
    buffer, found = b"", []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return found
        buffer += chunk
        while len(buffer) >= 2:
            opcode, size, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if size == 126:
                size, at = int.from_bytes(buffer[2:4]), 4
            elif size == 127:
                size, at = int.from_bytes(buffer[2:10]), 10
            if len(buffer) < at + size:
                break
            found.append((opcode, buffer[at : at + size]))
            buffer = buffer[at + size :]
            if opcode == 8:
                return found


@pytest.mark.app_config(LIVE_LIMITS={"queue_bytes": 512 * 1024, "send_seconds": 60.0})
def test_a_socket_that_falls_behind_is_closed_with_a_reason(app, live_server, cookie_as, started):
    """Its queue overflows (512 KiB waiting): what waited is dropped, and once it reads again
    it gets a notice and the close frame (1013, try again later), then reconnects."""
    scribe = cookie_as("scribe")
    stalled = stalled_socket(live_server, scribe)
    alice, bob = connect(live_server, scribe), connect(live_server, cookie_as("organizer"))
    try:
        assert alice.synced.wait(5)
        assert bob.synced.wait(5)
        type_in_turns(alice, bob, range(70))
        got = frames(stalled, 10)
        opcode, payload = got[-1]
        assert opcode == 8
        assert int.from_bytes(payload[:2]) == 1013
        assert b"fell behind" in payload[2:]
        assert any(b"Disconnected: this connection fell behind" in p for _op, p in got)
        sent = sum(b"<" in p for _op, p in got)
        assert sent < 70  # what waited was dropped: the reconnect resyncs
        assert alice.wait(lambda: stalled_gone(started), 5)
        whole = alice.value()
        rejoin(app, live_server, scribe, started, whole)
    finally:
        stalled.close()
        alice.close()
        bob.close()
