"""Two outbox workers looking for due reminders at the same moment (two nodes) on PostgreSQL:
the speaker is reminded once. Both read the submission as due, then both count the reminder by
a conditional UPDATE: one matches, the other (after the first commits) matches nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import DURING
from tests.cfp.test_lifecycle import _accepted
from webapp.cfp.services import reminders
from webapp.extensions import db
from webapp.models import OutboxMessage, Submission
from webapp.outbox_worker import Worker


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """This race needs PostgreSQL's row locks."""
    return pg_schema_url


def test_two_workers_at_once_remind_a_speaker_once(
    app: Any, client: Any, make_conference: Any, clock: Any, monkeypatch: Any
) -> None:
    _accepted(app, client, make_conference(), clock)
    clock.now = DURING + timedelta(days=3)
    barrier = threading.Barrier(2)
    claim = reminders._claim

    def held(*args: Any, **kwargs: Any) -> bool:
        barrier.wait(timeout=10)  # both have read the submission as due
        return claim(*args, **kwargs)

    monkeypatch.setattr(reminders, "_claim", held)
    said: list[list[str]] = [[], []]

    def run(i: int) -> None:
        with app.app_context():
            Worker(app, say=said[i].append).queue_due()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(s for lines in said for s in lines) == [
        "outbox: queued 0 agenda(s), 1 reminder(s)"
    ]
    with app.app_context():
        sent = db.session.scalars(
            sa.select(OutboxMessage.to_addr).where(OutboxMessage.template == "cfp_reminder")
        ).all()
        assert sent == ["ada@example.org"]
        assert db.session.scalar(sa.select(Submission.reminders_sent)) == 1
