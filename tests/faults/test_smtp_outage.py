"""The mail server is down while speakers submit, then comes back: every message goes out once.

Gunicorn serves the CFP while nothing listens on the SMTP port: the submissions are stored and
their messages stay pending in the outbox (requests never talk to the mail server; the worker's
attempt while the server is down fails). Then aiosmtpd starts on that port and
`flask outbox send` runs twice (and once more a day later): each
message arrives exactly once, counted by Message-ID and by recipient.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.faults.conftest import (
    FormSession,
    check_whole,
    create_open_conference,
    database_state,
    server_env,
)
from tests.servers import Gunicorn
from webapp.extensions import db
from webapp.models import OutboxMessage

SUBMISSIONS = 6


def _outbox(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(m.state, m.message_id, m.attempts) for m in rows]


def test_smtp_down_then_up_every_message_sent_once(
    app, runner, tmp_path: Path, smtp_factory
) -> None:
    create_open_conference(app)
    port = smtp_factory.reserve()  # nothing listens there: the mail server is down
    env = server_env(app, tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
    url = env["DATABASE_URL"]
    engine_options = (
        app.config.get("SQLALCHEMY_ENGINE_OPTIONS") if url.startswith("postgresql") else None
    )
    with Gunicorn(env, workers=2) as server:
        speakers = [FormSession(server.port, n, co_speaker=n % 2 == 0) for n in range(SUBMISSIONS)]
        for speaker in speakers:
            speaker.fetch()
            outcome = speaker.post()
            assert speaker.succeeded(outcome), outcome  # the speaker is told it was received

    state = database_state(url, engine_options)
    assert set(state["submissions"]) == {s.token for s in speakers}
    check_whole(state)
    expected = {r.message_id: r.to_addr for r in state["outbox"]}
    # the submitting speaker (co-speakers are invited later, from that speaker's link), + the
    # organizer
    assert len(expected) == 2 * SUBMISSIONS
    outbox = _outbox(app)
    assert {(s, a) for s, _, a in outbox} == {("pending", 0)}, outbox  # queued, not tried
    # The CLI's app: same secret key as the server (bodies are sealed with a key derived from it)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, SECRET_KEY=env["SECRET_KEY"])
    assert "sent 0" in runner.invoke(args=["outbox", "send"]).output  # the worker's try fails
    outbox = _outbox(app)
    assert {(s, a) for s, _, a in outbox} == {("pending", 1)}, outbox

    later = datetime.now(UTC) + timedelta(minutes=2)  # past the first backoff (1 minute)
    app.config.update(CADENCE_NOW=lambda: later)
    result = runner.invoke(args=["outbox", "list"])
    assert result.output.count("ConnectionRefusedError") == len(expected)

    sink = smtp_factory.start(port)  # the mail server is back
    first = runner.invoke(args=["outbox", "send"])
    assert first.exit_code == 0, first.output
    assert f"sent {len(expected)}, failed attempts 0" in first.output
    second = runner.invoke(args=["outbox", "send"])  # cron runs it again
    assert second.exit_code == 0, second.output
    assert "sent 0, failed attempts 0" in second.output
    app.config["CADENCE_NOW"] = lambda: later + timedelta(days=1)
    assert "sent 0, failed attempts 0" in runner.invoke(args=["outbox", "send"]).output

    messages = sink.wait_for(len(expected))
    by_id = Counter(str(m["Message-ID"]) for m in messages)
    assert by_id == Counter(expected.keys())  # each Message-ID exactly once
    assert sorted(str(m["To"]) for m in messages) == sorted(expected.values())
    for speaker in speakers:
        main, *co = speaker.emails
        [received] = sink.to(main)
        assert "/cfp/s/" in sink.body(received)
        assert all(sink.to(email) == [] for email in co)  # invited later, from main's link
    assert {(s, a) for s, _, a in _outbox(app)} == {("sent", 2)}
