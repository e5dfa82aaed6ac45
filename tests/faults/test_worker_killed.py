"""A gunicorn worker killed (SIGKILL) in the middle of a CFP submission leaves nothing behind.

The server (``tests/faults/delayed_wsgi.py``) waits ``CFP_TEST_DELAY_SECONDS`` after writing the
submission's rows and before the commit; the test kills every worker while the POST is there.
Runs in both passes of `make test`: on SQLite (a hot journal rolled back by the next writer) and
on PostgreSQL (the backend rolls back when its client disappears).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from tests.faults.conftest import (
    FormSession,
    check_whole,
    create_open_conference,
    database_state,
    server_env,
)
from tests.servers import Gunicorn, wait_for

DELAY = 3.0


def test_worker_killed_mid_submission_leaves_no_trace_and_resubmitting_stores_one(
    app, tmp_path: Path
) -> None:
    create_open_conference(app)
    env = server_env(app, tmp_path, CFP_TEST_DELAY_SECONDS=str(DELAY))
    url = env["DATABASE_URL"]
    engine_options = (
        app.config.get("SQLALCHEMY_ENGINE_OPTIONS") if url.startswith("postgresql") else None
    )
    with Gunicorn(env, workers=2, app="tests.faults.delayed_wsgi:app") as server:
        speaker = FormSession(server.port, 1, co_speaker=True)
        speaker.fetch()
        result: list[tuple[int, str]] = []
        client = threading.Thread(target=lambda: result.append(speaker.post(timeout=DELAY + 20)))
        started = time.monotonic()
        client.start()
        time.sleep(DELAY / 3)  # the POST is inside the service now, its rows written, not committed
        assert client.is_alive(), "the POST answered before the worker could be killed"
        old = server.worker_pids()
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        client.join(timeout=DELAY + 25)
        assert time.monotonic() - started < DELAY, "the worker was killed after it had committed"
        [(status, detail)] = result
        assert status == 0, f"expected a broken connection, got {status}: {detail}"

        # The master respawns the workers; the database holds nothing of that form.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pids = server.worker_pids()
            if len(pids) == 2 and not set(pids) & set(old):
                break
            time.sleep(0.1)
        wait_for(server.url + "/healthz")
        state = database_state(url, engine_options)
        assert state["submissions"] == {}
        assert state["outbox"] == []

        # The speaker sends the same form again (same cookie, CSRF token and form token).
        outcome = speaker.post(timeout=DELAY + 20)
        assert speaker.succeeded(outcome), outcome
        again = speaker.post(timeout=DELAY + 20)  # and once more, as a double click would
        assert speaker.succeeded(again), again

    state = database_state(url, engine_options)
    assert list(state["submissions"]) == [speaker.token]
    assert sorted(state["submissions"][speaker.token]["speakers"]) == sorted(speaker.emails)
    check_whole(state)
