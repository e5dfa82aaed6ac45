"""The outbox: mail leaves after the commit (sent by the outbox worker, never by the request),
survives an SMTP outage, goes out once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import post_submission
from tests.conftest import csrf_token_from
from webapp import clock as app_clock
from webapp import mail
from webapp.extensions import db
from webapp.models import MailTemplate, OutboxMessage


def _states(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [
            (m.state, m.attempts)
            for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _queue(app, n: int, now) -> None:
    with app.app_context():
        for i in range(n):
            mail.enqueue(f"person{i}@example.org", "cfp_received", mail.SAMPLE_CONTEXT, now)
        db.session.commit()


def test_mail_server_down_then_back_every_message_delivered_once(
    app, runner, clock, smtp_factory
) -> None:
    port = smtp_factory.reserve()  # nothing listens there: the server is down
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    _queue(app, 5, clock.now)
    assert _states(app) == [("pending", 0)] * 5  # queued: the request did not try to send
    runner.invoke(args=["outbox", "send"])  # the worker's first attempt fails; nothing is lost
    assert _states(app) == [("pending", 1)] * 5
    result = runner.invoke(args=["outbox", "list"])
    assert result.output.count("pending") == 5
    assert "ConnectionRefusedError" in result.output

    sink = smtp_factory.start(port)  # the server comes back
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 0" in result.output  # backoff: not due yet
    clock.now += timedelta(minutes=2)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 5" in result.output
    assert len(sink.wait_for(5)) == 5
    runner.invoke(args=["outbox", "send"])
    clock.now += timedelta(days=1)
    runner.invoke(args=["outbox", "send"])
    assert len(sink.messages) == 5  # still once each
    assert sorted(str(m["To"]) for m in sink.messages) == sorted(
        f"person{i}@example.org" for i in range(5)
    )
    assert _states(app) == [("sent", 2)] * 5
    assert runner.invoke(args=["outbox", "list"]).output == ""


def test_submission_while_mail_is_down_is_stored_and_mailed_later(
    app, client, runner, clock, smtp_factory, make_conference
) -> None:
    port = smtp_factory.reserve()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    assert _states(app) == [("pending", 0)]
    runner.invoke(args=["outbox", "send"])  # the worker's attempt fails
    assert _states(app) == [("pending", 1)]
    sink = smtp_factory.start(port)
    clock.now += timedelta(hours=1)
    runner.invoke(args=["outbox", "send"])
    [msg] = sink.wait_for(1)
    assert "/cfp/s/" in sink.body(msg)


def test_backoff_grows_and_gives_up_after_max_attempts(app, clock, smtp_factory) -> None:
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_factory.reserve(), MAIL_MAX_ATTEMPTS=3
    )
    _queue(app, 1, clock.now)
    with app.app_context():
        mail.send_due(clock.now)  # the worker's first attempt
        m = db.session.scalar(sa.select(OutboxMessage))
        assert m.next_attempt_at == clock.now + timedelta(minutes=1)
        mail.send_due(clock.now + timedelta(minutes=1))
        db.session.refresh(m)
        assert (m.state, m.attempts, m.next_attempt_at) == (
            "pending",
            2,
            clock.now + timedelta(minutes=3),
        )
        mail.send_due(clock.now + timedelta(minutes=3))
        db.session.refresh(m)
        assert (m.state, m.attempts) == ("failed", 3)
        assert "ConnectionRefusedError" in m.last_error
        assert mail.send_due(clock.now + timedelta(days=30)).sent == 0


def test_two_senders_never_send_one_message_twice(app, clock, smtp_factory) -> None:
    _queue(app, 40, clock.now)
    sink = smtp_factory.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    reports = []

    def sender() -> None:
        with app.app_context():
            reports.append(mail.send_due(clock.now))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 40
    sink.wait_for(40)
    ids = [str(m["Message-ID"]) for m in sink.messages]
    assert len(ids) == 40
    assert len(set(ids)) == 40


def test_no_mail_when_the_transaction_rolls_back(app, clock, smtp_server) -> None:
    with app.app_context():
        mail.enqueue("x@example.org", "cfp_received", mail.SAMPLE_CONTEXT, clock.now)
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert smtp_server.messages == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_organizers_see_pending_and_failed_mail_and_retry(
    app, runner, clock, smtp_factory, csrf_client_as
) -> None:
    port = smtp_factory.reserve()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_MAX_ATTEMPTS=1)
    _queue(app, 1, clock.now)
    runner.invoke(args=["outbox", "send"])  # the one attempt fails: failed
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/outbox").get_data(as_text=True)
    assert "person0@example.org" in page
    assert "failed" in page
    with app.app_context():
        message_id = db.session.scalar(sa.select(OutboxMessage.id))
    sink = smtp_factory.start(port)
    response = organizer.post(
        f"/organize/outbox/{message_id}/retry",
        data={"csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert "Queued again for person0@example.org" in response.get_data(as_text=True)
    assert runner.invoke(args=["outbox", "send"]).output.startswith("sent 1,")  # the worker
    assert len(sink.wait_for(1)) == 1
    assert "Nothing waiting" in organizer.get("/organize/outbox").get_data(as_text=True)


def test_a_pending_message_not_yet_tried_offers_no_retry(app, runner, clock, client_as) -> None:
    _queue(app, 1, clock.now)
    organizer = client_as("organizer")
    for path in ("/organize/outbox", "/dashboard/"):
        page = organizer.get(path).get_data(as_text=True)
        assert "person0@example.org" in page
        assert "/retry" not in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_retry_is_refused_while_a_sender_holds_the_message(
    app, runner, clock, smtp_factory, csrf_client_as
) -> None:
    _queue(app, 1, clock.now)
    with app.app_context():  # a sender has claimed it and is talking to the mail server
        message = db.session.scalar(sa.select(OutboxMessage))
        message.claim_token, message.claimed_at = "held-by-a-sender", clock.now
        message.attempts = 1  # tried before: its Retry button shows
        db.session.commit()
        message_id = message.id
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/outbox").get_data(as_text=True)
    response = organizer.post(
        f"/organize/outbox/{message_id}/retry",
        data={"csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert "That message is being sent right now" in response.get_data(as_text=True)
    with app.app_context():  # the sender's claim stands: it alone reports the outcome
        assert db.session.get(OutboxMessage, message_id).claim_token == "held-by-a-sender"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_organizers_edit_mail_templates_sandboxed(app, clock, smtp_server, csrf_client_as) -> None:
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/mail-templates/cfp_received").get_data(as_text=True)
    assert "{{ speaker.name }}" in page
    token = csrf_token_from(page)
    bad = organizer.post(
        "/organize/mail-templates/cfp_received",
        data={
            "csrf_token": token,
            "subject": "Hi",
            "body": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        },
    )
    assert "does not render" in bad.get_data(as_text=True)
    broken = organizer.post(
        "/organize/mail-templates/cfp_received",
        data={"csrf_token": token, "subject": "Hi", "body": "{% if %}"},
    )
    assert "does not render" in broken.get_data(as_text=True)
    # Nor may a template cost the server its time or the outbox its space.
    for costly, reason in [
        ("{{ 'x' * 100000000 }}", "too long for a mail"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "at most 100 items",
        ),
        ("{% for i in range(99) %}{{ 'y' * 999 }}{% endfor %}", "more than 50,000 characters"),
        ("{{ 9 ** 9 ** 9 }}", "power operator"),
    ]:
        answer = organizer.post(
            "/organize/mail-templates/cfp_received",
            data={"csrf_token": token, "subject": "Hi", "body": costly},
        ).get_data(as_text=True)
        assert "does not render" in answer
        assert reason in answer
    good = organizer.post(
        "/organize/mail-templates/cfp_received",
        data={
            "csrf_token": token,
            "subject": "Got it: {{ submission.title }}",
            "body": "Dear {{ speaker.name }}, {{ link }}",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        assert (
            db.session.get(MailTemplate, "cfp_received").subject == "Got it: {{ submission.title }}"
        )
        mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, app_clock.now())
        db.session.commit()
    [msg] = smtp_server.wait_for(1)
    assert str(msg["Subject"]) == "Got it: Live migration in bhyve"
    assert smtp_server.body(msg).startswith("Dear Ada Lovelace, https://")
    assert organizer.get("/organize/mail-templates/nope").status_code == 404
