"""Staged decisions: Accept sends nothing; "Send decisions" mails every speaker once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.cfp.conftest import CLOSES_UTC, mailed_token, post_submission, submissions
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Conference, OutboxMessage, Submission

BASE = "/organize/conferences/bhyvecon-2027"
CO = {"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"}


def _outbox(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted((m.template, m.to_addr) for m in db.session.scalars(sa.select(OutboxMessage)))


def test_accept_sends_nothing_until_send_decisions(
    app, client, client_as, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    assert post_submission(client, c, **CO).status_code == 302
    assert post_submission(client, c, title="Other", email="bob@example.org").status_code == 302
    smtp_server.wait_for(2)
    ada = mailed_token(smtp_server, "ada@example.org")
    assert client.post(f"/cfp/s/{ada}/invite").status_code == 302  # Alan gets his link
    smtp_server.wait_for(3)
    codes = {s.title: s.code for s in submissions(app)}
    clock.now = CLOSES_UTC + timedelta(days=2)
    organizer = client_as("organizer")
    before = _outbox(app)
    talk = f"{BASE}/submissions/{codes['Live migration in bhyve']}"
    other = f"{BASE}/submissions/{codes['Other']}"
    assert organizer.post(talk + "/decide", data={"decision": "accept"}).status_code == 302
    assert organizer.post(other + "/decide", data={"decision": "reject"}).status_code == 302
    note = {"decision": "reject", "note": "Please send it again next year."}
    assert organizer.post(other + "/decide", data=note).status_code == 302
    # Nothing queued; the speaker, the list and the counts see the submission as before.
    assert _outbox(app) == before
    assert {s.state for s in submissions(app)} == {"submitted"}
    assert "Please confirm" not in client.get(f"/cfp/s/{ada}").get_data(as_text=True)
    listing = organizer.get(f"{BASE}/submissions").get_data(as_text=True)
    assert "→ accepted (not sent)" in listing
    assert "Send decisions (2 pending)" in listing
    # Changing its mind is free.
    assert organizer.post(talk + "/decide", data={"decision": "keep"}).status_code == 302
    assert organizer.post(talk + "/decide", data={"decision": "accept"}).status_code == 302
    preview = organizer.get(f"{BASE}/decisions").get_data(as_text=True)
    assert "<strong>2</strong> Acceptance mail(s)" in preview
    assert "<strong>1</strong> Rejection mail(s)" in preview
    assert "Please send it again next year." in preview
    assert _outbox(app) == before  # the preview issues no link and queues nothing

    sent_at = clock.now = CLOSES_UTC + timedelta(days=2, minutes=10)
    assert organizer.post(f"{BASE}/decisions").status_code == 302
    new = sorted(set(_outbox(app)) - set(before))
    assert new == [
        ("cfp_accepted", "ada@example.org"),
        ("cfp_accepted", "alan@example.org"),
        ("cfp_rejected", "bob@example.org"),
    ]
    assert len(_outbox(app)) == len(before) + 3
    states = {s.title: (s.state, s.decided_at, s.pending_state) for s in submissions(app)}
    assert states == {
        "Live migration in bhyve": ("accepted", sent_at, None),
        "Other": ("rejected", sent_at, None),
    }
    # The submission's page lists what its speakers were told.
    page = organizer.get(talk).get_data(as_text=True)
    mails = page.split('id="submission-mails"', 1)[1].split("</table>", 1)[0]
    assert mails.count("cfp_accepted") == 2
    assert "alan@example.org" in mails
    assert mails.count("cfp_received") == 1
    assert mails.count("cfp_co_speaker_invite") == 1
    # The acceptance mail carries the confirm-by date, counted from the sending.
    smtp_server.wait_for(6)
    body = smtp_server.body(smtp_server.to("ada@example.org")[-1])
    with app.app_context():
        conference = db.session.get(Conference, c.id)
        deadline = services.format_local(sent_at + timedelta(days=14), conference)
    assert f"on your private page by {deadline}:" in " ".join(body.split())
    rejection = smtp_server.body(smtp_server.to("bob@example.org")[-1])
    assert "Please send it again next year." in rejection
    # Sending again sends nothing.
    assert organizer.post(f"{BASE}/decisions").status_code == 302
    assert len(_outbox(app)) == len(before) + 3


def test_a_corrected_decision_mails_only_at_the_next_send(
    app, client, client_as, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app)
    organizer = client_as("organizer")
    url = f"{BASE}/submissions/{s.code}"
    organizer.post(url + "/decide", data={"decision": "reject"})
    organizer.post(f"{BASE}/decisions")
    rejected = _outbox(app)
    assert rejected.count(("cfp_rejected", "ada@example.org")) == 1
    # Rejected and told; the committee corrects itself: nothing goes until the next send.
    organizer.post(url + "/decide", data={"decision": "accept"})
    assert _outbox(app) == rejected
    with app.app_context():
        row = db.session.scalar(sa.select(Submission))
        assert (row.state, row.pending_state) == ("rejected", "accepted")
    organizer.post(f"{BASE}/decisions")
    assert sorted(set(_outbox(app)) - set(rejected)) == [("cfp_accepted", "ada@example.org")]
