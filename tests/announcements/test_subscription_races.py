"""Two queue runs at once on PostgreSQL: a subscriber gets each agenda once, like the list (the
copies are queued in the transaction of the announcement's log row)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.announcements.conftest import NOW
from webapp import sealed
from webapp.announcements import queue as queue_module
from webapp.extensions import db
from webapp.models import OutboxMessage

LIST = "bhyve-list@example.org"


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """This race needs PostgreSQL's row locks: the app runs on PostgreSQL in the SQLite pass too."""
    return pg_schema_url


def test_two_queue_runs_at_once_queue_one_copy_per_subscriber(
    app: Any, cli: Callable[..., Any], call: str, monkeypatch: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    app.test_client().post("/series/call/subscribe", data={"email": "race@example.org"})
    with app.app_context():
        confirmation = db.session.scalar(sa.select(OutboxMessage))
        link = json.loads(sealed.unseal(confirmation.context))["link"]
    assert "You are subscribed" in app.test_client().post(link).get_data(as_text=True)

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
    assert sorted(r.copies for r in results) == [0, 1]
    with app.app_context():
        copies = db.session.scalars(
            sa.select(OutboxMessage.template).where(OutboxMessage.subscriber_id.is_not(None))
        ).all()
    assert sorted(copies) == ["announce_agenda", "subscription_confirm"]
