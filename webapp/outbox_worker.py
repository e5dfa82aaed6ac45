"""The outbox worker: sends committed mail within seconds, outside every request.

``flask outbox work`` runs :class:`Worker` until it is stopped (SIGTERM or Ctrl-C): every
``interval`` seconds (2 by default) it sends the messages that are due, with the outbox's
retries, backoff and claim tokens (``webapp.mail``), so several workers, or a worker and
``flask outbox send``, never send a message twice. On PostgreSQL it also LISTENs on
``webapp.mail.CHANNEL``: a committed message wakes it at once. A database that goes away is
waited for; a hung or refusing mail server only delays the worker, never a request.

It also queues what falls due by itself, about once a minute (``queue_every``): the agenda
mails of the announcements (``webapp.announcements.queue``) and the CFP reminders
(``webapp.cfp.services.reminders``), in a transaction of its own, so no cron job is needed.
Several workers on several nodes may do so at the same moment: the announcements' log rows
(UNIQUE keys) and the reminders' conditional UPDATE decide, so each mail is queued once.
``flask announcements queue`` and ``flask conference remind`` do the same once, for cron.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from webapp import audit, clock, mail
from webapp.extensions import db

#: Seconds between two looks for announcements and reminders that fell due.
QUEUE_EVERY = 60.0


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
        self,
        app: Flask,
        interval: float = 2.0,
        say: Callable[[str], None] | None = None,
        queue_every: float = QUEUE_EVERY,
    ) -> None:
        self.app = app
        self.interval = interval
        self.queue_every = queue_every
        # time.monotonic() of the next look: the first tick looks; never with an infinite period
        self._queue_next = 0.0 if math.isfinite(queue_every) else math.inf
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
        """Queue what fell due (at most every ``queue_every`` seconds), then send what is due
        now; None when the database did not answer."""
        if time.monotonic() >= self._queue_next:
            self._queue_next = time.monotonic() + self.queue_every
            self.queue_due()
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

    def queue_due(self) -> bool:
        """Queue the agenda mails and CFP reminders due now, and commit; False when that
        failed (it is tried again at the next look)."""
        from webapp.announcements.queue import queue_due
        from webapp.cfp.services.reminders import send_reminders

        try:
            now = clock.now()
            done = queue_due(now)
            reminders = send_reminders(None, audit.SYSTEM, now)
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - a worker keeps sending whatever this was
            db.session.rollback()
            self.say(f"outbox: queueing what is due failed ({type(exc).__name__}); later again")
            return False
        finally:
            db.session.remove()
        if done.agendas or reminders:
            self.say(f"outbox: queued {len(done.agendas)} agenda(s), {reminders} reminder(s)")
        return True

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


def start_thread(
    app: Flask, interval: float = 2.0, queue_every: float = QUEUE_EVERY
) -> tuple[Worker, threading.Thread]:
    """A worker in a daemon thread of this process (tests); ``worker.stop()`` ends it."""
    worker = Worker(app, interval, queue_every=queue_every)
    thread = threading.Thread(target=worker.run, name="outbox-worker", daemon=True)
    thread.start()
    return worker, thread
