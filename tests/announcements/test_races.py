"""Two queue runs at once (two workers, two nodes) on PostgreSQL: each agenda is sent once.

A barrier holds both runs just before they insert the announcement's log row, inside their
transactions, so the race is certain; the UNIQUE key then lets one insert and the other queue
nothing (it waits for the first to commit, then fails to insert, in a savepoint).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.announcements.conftest import NOW
from webapp.announcements import queue as queue_module
from webapp.extensions import db
from webapp.models import Announcement, OutboxMessage

LIST = "bhyve-list@example.org"


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """This race needs PostgreSQL's row locks: the app runs on PostgreSQL in the SQLite pass too."""
    return pg_schema_url


def test_two_queue_runs_at_once_send_each_agenda_once(
    app: Any, cli: Callable[..., Any], call: str, monkeypatch: Any, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST, "--to", "second-list@example.org")
    barrier = threading.Barrier(2)
    record = queue_module.record

    def held(*args: Any, **kwargs: Any) -> bool:
        barrier.wait(timeout=10)
        return record(*args, **kwargs)

    monkeypatch.setattr(queue_module, "record", held)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        with app.app_context():
            try:
                results[i] = queue_module.queue_due(NOW)
                db.session.commit()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(len(r.agendas) for r in results) == [0, 1]
    assert sorted(r.already for r in results) == [0, 1]
    cli("outbox", "send")
    messages = smtp_server.wait_for(2)
    smtp_server.drain()
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [LIST, "second-list@example.org"]
    assert len(messages) == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_two_workers_looking_at_once_queue_each_agenda_once(
    app: Any, cli: Callable[..., Any], call: str, monkeypatch: Any, smtp_server: Any
) -> None:
    """The outbox worker's own look (no CLI): two workers on two nodes, held at the same point."""
    from webapp.outbox_worker import Worker

    cli("series", "announcements", call, "--to", LIST)
    barrier = threading.Barrier(2)
    record = queue_module.record

    def held(*args: Any, **kwargs: Any) -> bool:
        barrier.wait(timeout=10)
        return record(*args, **kwargs)

    monkeypatch.setattr(queue_module, "record", held)
    said: list[list[str]] = [[], []]
    looked: list[bool] = [False, False]

    def run(i: int) -> None:
        worker = Worker(app, say=said[i].append)
        with app.app_context():
            looked[i] = worker.queue_due()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert looked == [True, True]
    assert sorted(len(s) for s in said) == [0, 1]  # one queued it, the other found nothing new
    messages = smtp_server.wait_for(1)
    smtp_server.drain()
    assert [str(m["To"]) for m in smtp_server.messages] == [LIST]
    assert len(messages) == 1
    assert str(messages[0]["Message-ID"]).startswith("<agenda.call.2026-01-15.")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
