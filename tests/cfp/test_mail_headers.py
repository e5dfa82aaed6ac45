"""Extra headers: a message may carry list and threading headers, sealed until it is sent."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from webapp import mail
from webapp.extensions import db
from webapp.models import OutboxMessage

HEADERS = {
    "List-Id": "Bhyve calls <bhyve.calls.example.org>",
    "In-Reply-To": "<agenda.bhyve.2026-12-03@example.org>",
    "References": "<agenda.bhyve.2026-12-03@example.org>",
    "List-Unsubscribe": "<https://cadence.example.org/subscriptions/unsubscribe/SECRETTOKEN"
    + "x" * 43
    + ">",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Precedence": "list",
}


def test_extra_headers_are_sealed_at_rest_sent_and_then_dropped(
    app, runner, clock, smtp_factory
) -> None:
    port = smtp_factory.reserve()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        mail.enqueue(
            "list@example.org",
            "cfp_received",
            mail.SAMPLE_CONTEXT,
            clock.now,
            headers=HEADERS,
            message_id="<minutes.bhyve.2026-12-03@example.org>",
        )
        db.session.commit()
        stored = db.session.execute(sa.select(OutboxMessage.headers)).scalar_one()
    assert stored.startswith("sealed:v1:")
    assert "SECRETTOKEN" not in stored

    sink = smtp_factory.start(port)
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 1" in result.output, result.output
    (message,) = sink.wait_for(1)
    for name, value in HEADERS.items():
        assert str(message[name]) == value
        # On the wire as written: a long value without spaces is neither folded nor turned
        # into an RFC 2047 encoded word, which mail programs would not read as a URL.
        assert f"\r\n{name}: {value}\r\n".encode() in sink.raw[0]
    assert str(message["Message-ID"]) == "<minutes.bhyve.2026-12-03@example.org>"
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage.headers)).scalar_one() is None


@pytest.mark.parametrize(
    "headers",
    [{"Bcc": "someone@example.org"}, {"List-Id": "a\r\nBcc: x@example.org"}, {"Precedence": 3}],
)
def test_a_header_outside_the_list_or_spanning_lines_is_refused(app, clock, headers) -> None:
    with app.app_context(), pytest.raises(ValueError, match="header"):
        mail.enqueue(
            "x@example.org", "cfp_received", mail.SAMPLE_CONTEXT, clock.now, headers=headers
        )
