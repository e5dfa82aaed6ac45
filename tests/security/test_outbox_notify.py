"""On PostgreSQL a commit wakes the outbox worker at once (LISTEN/NOTIFY): this module's app runs
on PostgreSQL in both passes of the suite."""

from __future__ import annotations

import time
from typing import Any

import pytest

from webapp import clock, mail
from webapp.extensions import db
from webapp.outbox_worker import start_thread


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    return pg_schema_url


def test_on_postgresql_a_commit_wakes_the_worker(app, smtp_factory) -> None:
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    sink = smtp_factory.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    worker, thread = start_thread(app, interval=60)  # polling alone would take a minute
    try:
        time.sleep(1.0)  # the worker has looked once and listens now
        started = time.monotonic()
        with app.app_context():
            mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, clock.now())
            db.session.commit()
        assert len(sink.wait_for(1, timeout=10)) == 1
        assert time.monotonic() - started < 5
    finally:
        worker.stop()
        thread.join(timeout=70)
