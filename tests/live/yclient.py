"""A Python client of the call page's socket (pycrdt + simple-websocket): speaks the protocol
the browser speaks, for the tests and bench/live_minutes.py."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import simple_websocket
from pycrdt import Doc, Text

from webapp.live import protocol


class YClient:
    def __init__(self, url: str, cookie: str = "", origin: str | None = None) -> None:
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        if origin is not None:
            headers["Origin"] = origin
        self.doc: Doc = Doc()
        self.text = self.doc.get("notes", type=Text)
        self.lock = threading.Lock()
        self.sent = 0
        self.acked = 0
        self.notices: list[str] = []
        self.presence: dict[int, str] = {}  # client id -> state JSON
        self.closed = threading.Event()
        self.synced = threading.Event()
        self.on_update: Callable[[bytes], None] | None = None
        self.ws = simple_websocket.Client.connect(url, headers=headers)
        # As browsers do for WebSockets: small frames leave at once (no Nagle delay).
        self.ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sub = self.doc.observe(self._local)
        self._applying = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.send(protocol.step1(self.doc.get_state()))

    def _local(self, event: Any) -> None:
        if self._applying:
            return
        self.sent += 1
        self.send(protocol.update(event.update))

    def send(self, data: bytes) -> None:
        try:
            self.ws.send(data)
        except (simple_websocket.ConnectionClosed, OSError):  # OSError: closed meanwhile
            self.closed.set()

    def _read(self) -> None:
        try:
            while True:
                data = self.ws.receive()
                if data is None:
                    continue
                self._message(data if isinstance(data, bytes) else data.encode())
        except simple_websocket.ConnectionClosed:
            self.closed.set()

    def _message(self, data: bytes) -> None:
        if data[0] == protocol.ACK:
            self.acked = protocol.read_ack(data) or 0
            return
        if data[0] == protocol.NOTICE:
            self.notices.append(data[2:].decode(errors="replace"))
            return
        message = protocol.parse(data)
        if message.kind == protocol.AWARENESS:
            for client, (_clock, state) in protocol.awareness_clients(message.payload).items():
                self.presence[client] = state
            return
        if message.step == protocol.STEP1:
            self.sent += 1  # the server stores (and acknowledges) a step 2 like an update
            self.send(protocol.step2(self.doc.get_update(message.payload)))
            return
        with self.lock:
            self._applying = True
            try:
                self.doc.apply_update(message.payload)
            finally:
                self._applying = False
        if message.step == protocol.STEP2:
            self.synced.set()
        if self.on_update is not None:
            self.on_update(message.payload)

    def type(self, words: str, at: int | None = None) -> None:
        with self.lock:
            self.text.insert(len(str(self.text).encode()) if at is None else at, words)

    def value(self) -> str:
        with self.lock:
            return str(self.text)

    def wait(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


PATH = "/meetings/bhyve/2019-02-07/live/socket"


def connect(server: str, cookie: str, origin: str | None = None, path: str = PATH) -> YClient:
    """A client of the call page of bhyve's 2019-02-07 meeting on ``server`` (host:port)."""
    return YClient(f"ws://{server}{path}", cookie, f"http://{server}" if origin is None else origin)
