"""No working private link at rest outside its hash: unsent mail is sealed, sent mail is kept with
its links redacted, and a backup holds neither."""

from __future__ import annotations

import email
import email.policy
import re

import sqlalchemy as sa

from tests.cfp.conftest import link_token, post_submission
from webapp.extensions import db
from webapp.models import OutboxMessage

LINK = re.compile(r"/cfp/s/([A-Za-z0-9_-]{16,})")


def _bodies(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (m.state, m.body + (m.context or ""))
            for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_queued_mail_is_sealed_sent_mail_redacted_and_backups_hold_no_link(
    app, client, runner, tmp_path, make_conference, make_user, smtp_factory
) -> None:
    make_user(roles=("organizer",))
    port = smtp_factory.reserve()  # the mail server is down: the messages wait
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    assert post_submission(client, make_conference()).status_code == 302

    pending = _bodies(app)
    assert len(pending) == 2
    for state, body in pending:
        assert state == "pending"
        assert body.startswith("sealed:v1:")
        assert "/cfp/s/" not in body
    before = tmp_path / "before.json"
    assert runner.invoke(args=["backup", str(before)]).exit_code == 0
    assert not LINK.search(before.read_text())

    sink = smtp_factory.start(port)
    assert runner.invoke(args=["outbox", "send"]).output.startswith("sent 2,")
    [mailed] = [u for m in sink.wait_for(2) for u in sink.links(m) if "/cfp/s/" in u]
    token = link_token(mailed)
    assert client.get(f"/cfp/s/{token}").status_code == 200  # the mailed link works

    sent = _bodies(app)
    assert {state for state, _ in sent} == {"sent"}
    received = next(body for _, body in sent if "/cfp/s/" in body)
    assert "/cfp/s/[redacted]" in received
    assert "Keep this link to yourself" in received  # the rest of the text is kept
    after = tmp_path / "after.json"
    assert runner.invoke(args=["backup", str(after)]).exit_code == 0
    text = after.read_text()
    assert token not in text
    assert not LINK.search(text)


def test_mail_sealed_under_another_secret_key_fails_with_a_clear_reason(
    app, runner, smtp_factory
) -> None:
    from webapp import clock, mail
    from webapp.outbox_worker import Worker

    sink = smtp_factory.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    with app.app_context():
        mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, clock.now())
        db.session.commit()
    app.config["SECRET_KEY"] = "another-secret-key-after-a-rotation-0123456789"
    with app.app_context():
        report = Worker(app).tick()
    assert report is not None
    assert (report.sent, report.gave_up) == (0, 1)
    output = runner.invoke(args=["outbox", "list"]).output
    assert "\tfailed\t" in output
    assert "cannot be decrypted: no key opens it (was SECRET_KEY changed" in output
    assert sink.messages == []


def test_development_mail_goes_into_eml_files_through_the_outbox(
    app, client, runner, tmp_path, make_conference, make_user
) -> None:
    make_user(roles=("organizer",))
    folder = tmp_path / "mail"
    app.config.update(MAIL_FILE_DIR=str(folder), MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    assert post_submission(client, make_conference()).status_code == 302
    assert not folder.exists()  # queued, not written in the request
    assert runner.invoke(args=["outbox", "send"]).output.startswith("sent 2,")
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    mails = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    [received] = [m for m in mails if "/cfp/s/" in m.get_content()]
    token = link_token(LINK.search(received.get_content()).group(0))
    assert client.get(f"/cfp/s/{token}").status_code == 200  # the link in the file works
    assert "We received “Live migration in bhyve”" in received["Subject"]
    raw = next(f for f in files if b"/cfp/s/" in f.read_bytes()).read_text(encoding="utf-8")
    assert f"/cfp/s/{token}\n" in raw  # readable as text: the link whole, on its line
    assert received["To"]
    sent = _bodies(app)
    assert {state for state, _ in sent} == {"sent"}  # stored as sent, with the link redacted
    assert "/cfp/s/[redacted]" in next(body for _, body in sent if "/cfp/s/" in body)
