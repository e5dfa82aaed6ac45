"""The outbox worker: sends committed mail within seconds; on PostgreSQL a commit wakes it."""

from __future__ import annotations

import time

from webapp import clock, mail
from webapp.extensions import db
from webapp.outbox_worker import start_thread


def _queue(app, to: str) -> None:
    with app.app_context():
        mail.enqueue(to, "cfp_received", mail.SAMPLE_CONTEXT, clock.now())
        db.session.commit()


def test_worker_sends_committed_mail_and_nothing_rolled_back(app, smtp_factory) -> None:
    sink = smtp_factory.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    worker, thread = start_thread(app, interval=0.2)
    try:
        _queue(app, "ada@example.org")
        with app.app_context():
            mail.enqueue("nobody@example.org", "cfp_received", mail.SAMPLE_CONTEXT, clock.now())
            db.session.rollback()
        [msg] = sink.wait_for(1, timeout=5)
        assert str(msg["To"]) == "ada@example.org"
        time.sleep(0.5)
        assert len(sink.messages) == 1
    finally:
        worker.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
