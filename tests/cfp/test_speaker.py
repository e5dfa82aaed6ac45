"""The speaker's private link: mail, isolation, edit, withdraw, decisions, confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import CLOSES_UTC, link_token, post_submission, submissions
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Speaker, SpeakerLink, Submission, SubmissionState


def _submit(client, conference, smtp_server, email="ada@example.org", **overrides) -> str:
    before = len(smtp_server.messages)
    response = post_submission(client, conference, email=email, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)
    smtp_server.wait_for(before + 1)
    msg = smtp_server.to(email)[-1]
    [link] = [u for u in smtp_server.links(msg) if "/cfp/s/" in u]
    return link_token(link)


def test_each_speaker_gets_a_private_link_stored_only_as_a_hash(
    app, client, make_conference, smtp_server, make_user
) -> None:
    organizer = make_user(roles=("organizer",))
    c = make_conference()
    response = post_submission(
        client,
        c,
        **{"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"},
    )
    assert response.status_code == 302
    messages = smtp_server.wait_for(2)
    # The co-speaker is not mailed by the form: only once Ada shows the address is hers.
    assert sorted(str(m["To"]) for m in messages) == sorted(["ada@example.org", organizer.email])
    ada_token = link_token(smtp_server.links(smtp_server.to("ada@example.org")[0])[0])
    page = client.get(f"/cfp/s/{ada_token}").get_data(as_text=True)
    assert (
        'Alan Turing &lt;alan@example.org&gt; <small class="muted">(invited when you confirm)'
        in page
    )
    assert client.post(f"/cfp/s/{ada_token}/invite").status_code == 302
    messages = smtp_server.wait_for(3)
    assert sorted(str(m["To"]) for m in messages) == sorted(
        ["ada@example.org", "alan@example.org", organizer.email]
    )
    assert "invited when you confirm" not in client.get(f"/cfp/s/{ada_token}").get_data(
        as_text=True
    )
    alan_token = link_token(smtp_server.links(smtp_server.to("alan@example.org")[0])[0])
    assert ada_token != alan_token
    assert len(ada_token) >= 43
    notice = smtp_server.to(organizer.email)[0]
    assert "New submission" in str(notice["Subject"])
    assert "/organize/conferences/bhyvecon-2027/submissions/" in smtp_server.body(notice)
    assert "/cfp/s/" not in smtp_server.body(notice)
    with app.app_context():
        hashes = set(db.session.scalars(sa.select(SpeakerLink.token_hash)))
        assert services.hash_token(ada_token) in hashes
        assert ada_token not in hashes
        assert alan_token not in hashes
    page = client.get(f"/cfp/s/{alan_token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Private to you, Alan Turing".lower() in page.get_data(as_text=True).lower()


def test_one_speakers_link_never_opens_another_submission(
    app, client, make_conference, smtp_server
) -> None:
    c = make_conference()
    ada = _submit(client, c, smtp_server, title="Ada's talk")
    bob = _submit(
        client, c, smtp_server, email="bob@example.org", title="Bob's talk", speaker_name="Bob"
    )
    assert "Ada&#39;s talk" in client.get(f"/cfp/s/{ada}").get_data(as_text=True)
    bob_page = client.get(f"/cfp/s/{bob}").get_data(as_text=True)
    assert "Bob&#39;s talk" in bob_page
    assert "Ada&#39;s talk" not in bob_page
    # Bob edits with his token: only his submission changes.
    form = client.get(f"/cfp/s/{bob}/edit").get_data(as_text=True)
    assert "Bob&#39;s talk" in form
    client.post(
        f"/cfp/s/{bob}/edit",
        data={
            "title": "Bob renamed",
            "format": str(c.formats[0].id),
            "track": "0",
            "abstract": "x" * 10,
            "speaker_name": "Bob",
        },
    )
    titles = sorted(s.title for s in submissions(app))
    assert titles == ["Ada's talk", "Bob renamed"]
    # Wrong, truncated or altered tokens open nothing.
    for bad in (ada[:-1], ada + "x", "x", "0" * 43, services.hash_token(ada)):
        assert client.get(f"/cfp/s/{bad}").status_code == 404
        assert client.post(f"/cfp/s/{bad}/withdraw").status_code == 404


def test_speaker_edits_and_withdraws_until_the_deadline(
    app, client, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    token = _submit(client, c, smtp_server)
    page = client.get(f"/cfp/s/{token}/edit").get_data(as_text=True)
    assert 'value="Live migration in bhyve"' in page
    response = client.post(
        f"/cfp/s/{token}/edit",
        data={
            "title": "Live migration, revisited",
            "format": str(c.formats[2].id),
            "track": str(c.tracks[1].id),
            "abstract": "New abstract.",
            "speaker_name": "Ada L.",
            "bio": "New bio",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/cfp/s/{token}").get_data(as_text=True)
    assert "Live migration, revisited" in page
    assert "Tutorial (90 min)" in page
    assert "Ada L." in page
    # A bad edit shows errors beside the field.
    bad = client.post(
        f"/cfp/s/{token}/edit",
        data={"title": "", "format": str(c.formats[0].id), "abstract": "x", "speaker_name": "A"},
    )
    assert 'id="title-errors"' in bad.get_data(as_text=True)

    clock.now = CLOSES_UTC + timedelta(seconds=1)
    assert client.get(f"/cfp/s/{token}/edit").status_code == 302  # closed for edits
    assert "Edit the proposal" not in client.get(f"/cfp/s/{token}").get_data(as_text=True)
    client.post(f"/cfp/s/{token}/withdraw", data={"confirmed": "1"})
    assert submissions(app)[0].state == "submitted"  # too late to withdraw

    clock.now = CLOSES_UTC - timedelta(seconds=1)
    asked = client.post(f"/cfp/s/{token}/withdraw")
    assert asked.status_code == 200
    assert "No mail is sent, to you or your co-speakers" in asked.get_data(as_text=True)
    assert submissions(app)[0].state == "submitted"
    assert client.post(f"/cfp/s/{token}/withdraw", data={"confirmed": "1"}).status_code == 302
    assert submissions(app)[0].state == "withdrawn"
    assert "You withdrew this proposal." in client.get(f"/cfp/s/{token}").get_data(as_text=True)


def test_decision_mail_then_speaker_confirms_or_declines(
    app, client, clock, make_conference, smtp_server, make_user
) -> None:
    c = make_conference()
    ada = _submit(client, c, smtp_server)
    bob = _submit(client, c, smtp_server, email="bob@example.org", title="Other talk")
    clock.now = CLOSES_UTC + timedelta(days=1)
    organizer = make_user(roles=("organizer",))
    with app.app_context():
        actor = audit.Actor(label=organizer.email, user_id=organizer.id)
        for s in db.session.scalars(sa.select(Submission)):
            target = (
                SubmissionState.ACCEPTED if s.title != "Other talk" else SubmissionState.REJECTED
            )
            services.set_submission_state(s, target, "organizer", actor, clock.now)
        db.session.commit()
    messages = smtp_server.wait_for(4)
    accepted = [m for m in messages if str(m["Subject"]).startswith("[bhyvecon 2027] Accepted")]
    assert [str(m["To"]) for m in accepted] == ["ada@example.org"]
    assert "About your submission" in str(smtp_server.to("bob@example.org")[-1]["Subject"])
    # The decision mail carries a fresh link; the first one still works too.
    new_link = [u for u in smtp_server.links(accepted[0]) if "/cfp/s/" in u][0]
    assert "Please confirm" in client.get(f"/cfp/s/{link_token(new_link)}").get_data(as_text=True)
    assert client.post(f"/cfp/s/{ada}/confirm").status_code == 302
    assert "Confirmed: you are giving this talk." in client.get(f"/cfp/s/{ada}").get_data(
        as_text=True
    )
    # Bob was rejected: he cannot confirm.
    client.post(f"/cfp/s/{bob}/confirm")
    states = {s.title: s.state for s in submissions(app)}
    assert states == {"Live migration in bhyve": "confirmed", "Other talk": "rejected"}


def test_state_changes_follow_the_one_table(
    app, make_conference, clock, client, smtp_server
) -> None:
    c = make_conference()
    _submit(client, c, smtp_server)
    with app.app_context():
        s = db.session.scalar(sa.select(Submission))
        for bad, by in [
            (SubmissionState.CONFIRMED, "speaker"),
            (SubmissionState.ACCEPTED, "speaker"),
            (SubmissionState.WITHDRAWN, "organizer"),
        ]:
            with pytest.raises(services.NotAllowed):
                services.set_submission_state(s, bad, by, audit.CLI, clock.now)
        assert s.state == "submitted"
        # The database refuses a state outside the enum, whatever the code does.
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE submissions SET state = 'lost'"))
        db.session.rollback()


def test_speaker_rows_belong_to_one_submission(app, client, make_conference, smtp_server) -> None:
    c = make_conference()
    _submit(client, c, smtp_server)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 1


def test_speaker_edits_the_co_speakers_names(app, client, make_conference, smtp_server) -> None:
    c = make_conference()
    token = _submit(
        client,
        c,
        smtp_server,
        **{"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"},
    )
    form = client.get(f"/cfp/s/{token}/edit").get_data(as_text=True)
    assert "Co-speaker&#39;s name" in form
    assert 'value="Alan Turing"' in form
    data = {
        "title": "Live migration in bhyve",
        "format": str(c.formats[0].id),
        "abstract": "x" * 10,
        "speaker_name": "Ada Lovelace",
    }
    with app.app_context():
        alan_id = db.session.scalar(sa.select(Speaker.id).where(Speaker.position == 1))
    row = {"co_speakers-0-speaker_id": str(alan_id), "co_speakers-0-email": "alan@example.org"}
    blank = client.post(f"/cfp/s/{token}/edit", data={**data, **row, "co_speakers-0-name": " "})
    assert 'id="co_speakers-0-name-errors"' in blank.get_data(as_text=True)
    saved = client.post(
        f"/cfp/s/{token}/edit", data={**data, **row, "co_speakers-0-name": "A. M. Turing"}
    )
    assert saved.status_code == 302
    assert "A. M. Turing" in client.get(f"/cfp/s/{token}").get_data(as_text=True)
    with app.app_context():
        [s] = submissions(app)
        entry = services.history_of(s)[0]
        assert entry.changes["co_speakers"] == ["Alan Turing", "A. M. Turing"]
