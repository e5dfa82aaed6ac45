"""A real SMTP server on loopback (aiosmtpd) for tests: ``smtp_server`` and ``smtp_factory``.

``smtp_server`` starts a server and points the app's MAIL_SERVER/MAIL_PORT at it, with the
outbox worker (``webapp.outbox_worker``) running in a thread, as ``flask outbox work`` would;
``smtp_factory`` gives ``reserve()`` (a free port, nothing listening yet: "the mail server is
down") and ``start(port)`` (bring it up later) for tests about outages.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """Collects every message the server accepts, parsed."""

    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.messages: list[EmailMessage] = []
        #: Each message as it came over the wire (headers as written, before any decoding).
        self.raw: list[bytes] = []
        self._lock = threading.Lock()
        self.controller: Controller | None = None
        #: The app whose outbox worker sends here (set by ``smtp_server``).
        self.app: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The messages once ``count`` arrived and the app's outbox holds nothing untried."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count and self.outbox_drained():
                break
            time.sleep(0.02)
        return list(self.messages)

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until the worker has tried every queued message (then clearing is safe)."""
        self.wait_for(0, timeout)

    def outbox_drained(self) -> bool:
        if self.app is None:
            return True
        import sqlalchemy as sa

        from webapp.extensions import db
        from webapp.models import OutboxMessage

        with self.app.app_context():
            try:
                waiting = db.session.scalar(
                    sa.select(sa.func.count()).where(
                        OutboxMessage.state == "pending", OutboxMessage.attempts == 0
                    )
                )
            finally:
                db.session.remove()
        return waiting == 0

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def body(msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain",))
        assert part is not None
        return part.get_content()

    @classmethod
    def links(cls, msg: EmailMessage) -> list[str]:
        return re.findall(r"https?://\S+", cls.body(msg))


@pytest.fixture
def smtp_factory() -> Iterator[Any]:
    started: list[SmtpSink] = []

    class Factory:
        reserve: Callable[[], int] = staticmethod(free_port)

        @staticmethod
        def start(port: int | None = None) -> SmtpSink:
            sink = SmtpSink(port or free_port()).start()
            started.append(sink)
            return sink

    yield Factory
    for sink in started:
        sink.stop()


@pytest.fixture
def outbox_worker(app: Any) -> Iterator[Any]:
    """The outbox worker of ``app`` in a thread, looking every 50 ms, stopped after the test.
    It sends only: queueing what fell due by itself (agendas, reminders) would race what the
    test queues; the tests of that make a ``Worker`` of their own."""
    from webapp.outbox_worker import start_thread

    worker, thread = start_thread(app, interval=0.05, queue_every=float("inf"))
    yield worker
    worker.stop()
    thread.join(timeout=10)


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest, smtp_factory: Any) -> SmtpSink:
    """A running SMTP server; when the test uses the ``app`` fixture, the app's outbox worker
    sends to it."""
    sink = smtp_factory.start()
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config["MAIL_SERVER"] = sink.host
        app.config["MAIL_PORT"] = sink.port
        sink.app = app
        request.getfixturevalue("outbox_worker")
    return sink
