"""What speakers were told: the outbox's sent mail by address and kind, re-issued links."""

from __future__ import annotations

import sqlalchemy as sa

from tests.cfp.conftest import link_token, post_submission, submissions
from webapp.extensions import db
from webapp.models import Speaker, SpeakerLink


def test_sent_mail_is_listed_by_address_and_kind_without_bodies(
    app, client, client_as, make_conference, smtp_server
) -> None:
    c = make_conference()
    organizer = client_as("organizer")
    assert post_submission(client, c).status_code == 302
    assert post_submission(client, c, title="Other", email="bob@example.org").status_code == 302
    smtp_server.wait_for(4)  # each speaker's receipt, the organizer's two notices
    page = organizer.get("/organize/outbox").get_data(as_text=True)
    sent = page.split('id="sent-mail"', 1)[1]
    assert sent.count("cfp_received") == 2
    assert sent.count("cfp_new_submission") == 2
    assert "/cfp/s/" not in page
    only_bob = organizer.get("/organize/outbox?to=BOB@").get_data(as_text=True)
    rows = only_bob.split('id="sent-mail"', 1)[1]
    assert "bob@example.org" in rows
    assert "ada@example.org" not in rows
    notices = organizer.get("/organize/outbox?template=cfp_new_submission").get_data(as_text=True)
    rows = notices.split('id="sent-mail"', 1)[1]
    assert "cfp_received" not in rows.split("</thead>", 1)[1]
    assert organizer.get("/organize/outbox?template=bogus&to=%25_").status_code == 200


def test_an_organizer_reissues_a_speakers_link(
    app, client, client_as, make_conference, smtp_server
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    smtp_server.wait_for(1)
    old = link_token(smtp_server.links(smtp_server.to("ada@example.org")[-1])[0])
    [s] = submissions(app)
    with app.app_context():
        speaker_id = db.session.scalar(sa.select(Speaker.id))
    organizer = client_as("organizer")
    url = f"/organize/conferences/bhyvecon-2027/submissions/{s.code}"
    assert "a new private link" in organizer.get(url).get_data(as_text=True)
    assert client_as("reviewer").post(f"{url}/speakers/{speaker_id}/link").status_code == 403
    assert organizer.post(f"{url}/speakers/{speaker_id}/link").status_code == 302
    smtp_server.wait_for(3)  # the receipt, the organizer's notice, the new link
    message = smtp_server.to("ada@example.org")[-1]
    assert "new private link" in str(message["Subject"])
    new = link_token([u for u in smtp_server.links(message) if "/cfp/s/" in u][0])
    assert client.get(f"/cfp/s/{old}").status_code == 404
    assert client.get(f"/cfp/s/{new}").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeakerLink)) == 1
    assert "cfp_link_reissued" in organizer.get(url).get_data(as_text=True)
