"""The outbox worker: sends committed mail within seconds, outside every request.

``flask outbox work`` runs :class:`Worker` until it is stopped (SIGTERM or Ctrl-C): every
``interval`` seconds (2 by default) it sends the messages that are due, with the outbox's
retries, backoff and claim tokens (``webapp.mail``), so several workers, or a worker and
``flask outbox send``, never send a message twice. On PostgreSQL it also LISTENs on
``webapp.mail.CHANNEL``: a committed message wakes it at once. A database that goes away is
waited for; a hung or refusing mail server only delays the worker, never a request.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from webapp import clock, mail
from webapp.extensions import db


class _Listener:
    """A PostgreSQL connection of its own that LISTENs for new mail."""

    def __init__(self) -> None:
        self.raw: Any = db.engine.raw_connection()
        conn: Any = self.raw.driver_connection
        conn.autocommit = True
        conn.execute(f"LISTEN {mail.CHANNEL}")

    def wait(self, seconds: float, stopping: threading.Event) -> None:
        """Until a notification, ``seconds``, or ``stopping`` (looked at twice a second)."""
        deadline = time.monotonic() + seconds
        while not stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            for _ in self.raw.driver_connection.notifies(timeout=min(left, 0.5), stop_after=1):
                return

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.invalidate()  # never hand a LISTENing connection back to the pool


class Worker:
    def __init__(
        self, app: Flask, interval: float = 2.0, say: Callable[[str], None] | None = None
    ) -> None:
        self.app = app
        self.interval = interval
        self.say = say or (lambda line: None)
        self.stopping = threading.Event()
        self._listener: _Listener | None = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self.stopping.is_set():
                    self.tick()
                    self._wait()
            finally:
                self._drop_listener()

    def tick(self) -> mail.SendReport | None:
        """Send what is due now; None when the database did not answer."""
        try:
            report = mail.send_due(clock.now())
        except sa.exc.SQLAlchemyError as exc:
            self.say(f"outbox: the database did not answer ({type(exc).__name__}); trying again")
            return None
        finally:
            db.session.remove()
        if report.sent or report.failed_attempts:
            self.say(
                f"outbox: sent {report.sent}, failed attempts {report.failed_attempts}, "
                f"gave up {report.gave_up}"
            )
        return report

    def _wait(self) -> None:
        if self.stopping.is_set():
            return
        if db.engine.dialect.name != "postgresql":
            self.stopping.wait(self.interval)
            return
        try:
            if self._listener is None:
                self._listener = _Listener()
            self._listener.wait(self.interval, self.stopping)
        except Exception:  # noqa: BLE001 - the connection broke: poll, and listen again later
            self._drop_listener()
            self.stopping.wait(self.interval)

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def start_thread(app: Flask, interval: float = 2.0) -> tuple[Worker, threading.Thread]:
    """A worker in a daemon thread of this process (tests); ``worker.stop()`` ends it."""
    worker = Worker(app, interval)
    thread = threading.Thread(target=worker.run, name="outbox-worker", daemon=True)
    thread.start()
    return worker, thread
