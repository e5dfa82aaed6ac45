"""PostgreSQL restarted (immediate mode) while speakers keep submitting to the CFP.

Gunicorn (2 workers) serves the app on a private PostgreSQL cluster; four client threads send
submissions without pause (GET the form, POST it) while the test restarts the cluster. Afterwards
every POST that was answered with the redirect to the confirmation is stored whole, nothing is
half-written, every other POST got a 5xx or a broken connection (never a 200), and sending each
failed form again stores it exactly once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.conftest import make_test_config
from tests.faults.conftest import (
    FormSession,
    check_whole,
    create_open_conference,
    database_state,
)
from tests.servers import Gunicorn, wait_for

CLIENTS = 4


@pytest.mark.once
def test_postgres_restart_during_submissions_loses_and_half_writes_nothing(
    tmp_path: Path, private_postgres, smtp_server
) -> None:
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(make_test_config(tmp_path, private_postgres.url, {}))
    with app.app_context():
        db.create_all()
    create_open_conference(app)
    with app.app_context():
        db.engine.dispose()
    env = {
        "DATABASE_URL": private_postgres.url,
        "CADENCE_INSTANCE": str(tmp_path / "served-instance"),
        "SECRET_KEY": "fault-test-secret-key-" + "k" * 30,
        "CFP_RATE_LIMIT": "100000 per minute",
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        # Hold each submission's transaction open a little, so the restart cuts some mid-way.
        "CFP_TEST_DELAY_SECONDS": "0.05",
    }

    sessions: list[FormSession] = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(1_000_000))

    def speaker_loop() -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            speaker = FormSession(server.port, n, co_speaker=n % 2 == 1)
            try:
                speaker.fetch(timeout=10)
            except Exception:  # noqa: BLE001 - the database is down: try again
                time.sleep(0.05)
                continue
            with lock:
                sessions.append(speaker)
            speaker.post(timeout=30)

    def successes() -> int:
        with lock:
            return sum(1 for s in sessions if s.outcomes and s.succeeded(s.outcomes[-1]))

    with Gunicorn(env, workers=2, app="tests.faults.delayed_wsgi:app") as server:
        threads = [threading.Thread(target=speaker_loop) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 30
            while successes() < 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            before = successes()
            assert before >= 10, "submissions did not get through before the restart"
            # Forms fetched before the restart and sent while the database is down must fail
            # honestly; the client threads' POSTs in flight at the restart are cut mid-transaction.
            waiting = [FormSession(server.port, -i - 1) for i in range(3)]
            for w in waiting:
                w.fetch()
            private_postgres.down("immediate")
            for w in waiting:
                w.post()
            sessions.extend(waiting)
            time.sleep(1.0)
            private_postgres.up()
            deadline = time.monotonic() + 30
            while successes() < before + 10 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert successes() >= before + 10, "submissions did not resume after the restart"

        # What each POST was told.
        succeeded = [s for s in sessions if s.succeeded(s.outcomes[0])]
        failed = [s for s in sessions if not s.succeeded(s.outcomes[0])]
        for s in failed:
            status, detail = s.outcomes[0]
            assert status == 0 or status >= 500, f"a failed POST answered {status}: {detail}"
        assert len(failed) >= len(waiting), "the restart hit no submission: the test proved nothing"

        state = database_state(private_postgres.url)
        for s in succeeded:
            assert s.token in state["submissions"], f"accepted submission {s.n} was lost"
            assert sorted(state["submissions"][s.token]["speakers"]) == sorted(s.emails)
        sent = {s.token for s in sessions}
        assert set(state["submissions"]) <= sent
        check_whole(state)

        # The speakers whose POST failed send the same form again: stored once each.
        wait_for(server.url + "/healthz")
        for s in failed:
            outcome = s.post()
            assert s.succeeded(outcome), (s.n, s.outcomes)
            assert s.succeeded(s.post())  # a second resend shows the same confirmation

    state = database_state(private_postgres.url)
    assert set(state["submissions"]) == sent
    for s in sessions:
        assert sorted(state["submissions"][s.token]["speakers"]) == sorted(s.emails)
    check_whole(state)
