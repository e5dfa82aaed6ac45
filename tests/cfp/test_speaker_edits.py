"""The speaker's edit form keeps what is not changed; co-speakers change until the deadline."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.cfp.conftest import CLOSES_UTC, link_token, mailed_token, post_submission
from tests.forms import read_form, resubmit
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import AuditEntry, Speaker, SpeakerLink, Submission


def _submit(client, conference, smtp_server, **overrides) -> str:
    before = len(smtp_server.messages)
    response = post_submission(client, conference, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)
    smtp_server.wait_for(before + 1)
    return mailed_token(smtp_server, overrides.get("email", "ada@example.org"))


def _stored(app, code: str | None = None) -> dict:
    with app.app_context():
        query = sa.select(Submission)
        if code:
            query = query.where(Submission.code == code)
        s = db.session.scalars(query).first()
        return {
            "title": s.title,
            "format": s.format.name,
            "track": s.track.name if s.track else None,
            "abstract": s.abstract,
            "description": s.description,
            "notes": s.notes,
            "updated_at": s.updated_at,
            "speakers": [(p.name, p.email, p.affiliation, p.bio) for p in s.speakers],
            "slot": (s.room_id, s.starts_at, s.ends_at, s.sequence),
        }


def test_editing_only_the_abstract_keeps_format_and_track(
    app, client, make_conference, smtp_server
) -> None:
    c = make_conference()
    token = _submit(
        client,
        c,
        smtp_server,
        format=str(c.formats[2].id),  # Tutorial (90 min)
        track=str(c.tracks[1].id),  # Operations
        **{"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"},
    )
    before = _stored(app)
    assert (before["format"], before["track"]) == ("Tutorial", "Operations")
    # Posted back unchanged: nothing changes, nothing is recorded.
    assert resubmit(client, f"/cfp/s/{token}/edit").status_code == 302
    assert _stored(app) == before
    with app.app_context():
        assert not db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "submission.update")
        ).all()
    # Only the abstract changes.
    response = resubmit(client, f"/cfp/s/{token}/edit", {"abstract": "A better abstract."})
    assert response.status_code == 302
    after = _stored(app)
    assert after["abstract"] == "A better abstract."
    assert {k: v for k, v in after.items() if k not in ("abstract", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("abstract", "updated_at")
    }


def test_a_placed_talk_accepts_an_abstract_edit(app, client, programme) -> None:
    conference, codes, _organizer = programme
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == codes["tutorial"]))
        s.track_id = conference.tracks[1].id
        url = services.issue_speaker_link(s.main_speaker, s.submitted_at)
        db.session.commit()
    token = link_token(url)
    before = _stored(app, codes["tutorial"])
    assert before["format"] == "Tutorial"
    assert before["slot"][1] is not None
    response = resubmit(client, f"/cfp/s/{token}/edit", {"abstract": "Now with UEFI vars."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    after = _stored(app, codes["tutorial"])
    assert after["abstract"] == "Now with UEFI vars."
    assert (after["format"], after["track"], after["slot"]) == (
        "Tutorial",
        "Operations",
        before["slot"],
    )


def test_enter_in_a_text_field_sends_the_form(client, make_conference) -> None:
    """The first submit button of a form is the one Enter presses."""
    c = make_conference()
    form = read_form(client.get(f"/conferences/{c.slug}/cfp").get_data(as_text=True))
    assert form["buttons"][0] == ("send", "1")
    assert ("add_speaker", "1") in form["buttons"]


def test_speaker_adds_corrects_and_removes_co_speakers_until_the_deadline(
    app, client, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    token = _submit(
        client,
        c,
        smtp_server,
        **{"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"},
    )
    assert client.post(f"/cfp/s/{token}/invite").status_code == 302
    smtp_server.wait_for(2)  # Ada's link, then Alan's
    alan = link_token(
        [u for u in smtp_server.links(smtp_server.to("alan@example.org")[0]) if "/cfp/s/" in u][0]
    )
    edit = f"/cfp/s/{token}/edit"
    # "Add another co-speaker" adds a row and saves nothing.
    page = resubmit(client, edit, button="add_speaker")
    assert page.status_code == 200
    assert 'name="co_speakers-1-name"' in page.get_data(as_text=True)
    # A new co-speaker, and Alan's address corrected: neither is mailed by the form.
    sent = len(smtp_server.messages)
    changes = {
        "co_speakers-0-email": "alan.turing@example.org",
        "co_speakers-1-name": "Grace Hopper",
        "co_speakers-1-email": "grace@example.org",
    }
    response = client.post(edit, data=_fields(client, edit) | changes)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert _stored(app)["speakers"][1:] == [
        ("Alan Turing", "alan.turing@example.org", "", ""),
        ("Grace Hopper", "grace@example.org", "", ""),
    ]
    assert len(smtp_server.messages) == sent
    assert client.get(f"/cfp/s/{alan}").status_code == 404  # the old address's link is revoked
    page = client.get(f"/cfp/s/{token}").get_data(as_text=True)
    assert page.count("(invited when you confirm)") == 2
    assert client.post(f"/cfp/s/{token}/invite").status_code == 302
    smtp_server.wait_for(sent + 2)
    assert smtp_server.to("grace@example.org")
    assert smtp_server.to("alan.turing@example.org")
    # Grace is removed: her link goes with her.
    response = resubmit(client, edit, {"co_speakers-1-remove": "y"})
    assert response.status_code == 302
    assert [s[0] for s in _stored(app)["speakers"]] == ["Ada Lovelace", "Alan Turing"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeakerLink)) == 2
        entry = services.history_of(db.session.scalar(sa.select(Submission)))[0]
        assert entry.changes["co_speakers"] == ["Alan Turing, Grace Hopper", "Alan Turing"]


def _fields(client, url: str) -> dict[str, str]:
    return dict(read_form(client.get(url).get_data(as_text=True))["fields"])


def test_after_the_deadline_only_names_change(
    app, client, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    token = _submit(
        client,
        c,
        smtp_server,
        **{"co_speakers-0-name": "Alan Turing", "co_speakers-0-email": "alan@example.org"},
    )
    with app.app_context():
        s = db.session.scalar(sa.select(Submission))
        clock.now = CLOSES_UTC + timedelta(days=1)
        services.set_submission_state(s, "accepted", "organizer", audit.CLI, clock.now)
        db.session.commit()
    edit = f"/cfp/s/{token}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Add another co-speaker" not in page
    assert "Remove this co-speaker" not in page
    assert resubmit(client, edit, {"co_speakers-0-name": "A. M. Turing"}).status_code == 302
    assert _stored(app)["speakers"][1][:2] == ("A. M. Turing", "alan@example.org")
    refused = resubmit(client, edit, {"co_speakers-0-email": "other@example.org"})
    assert refused.status_code == 200
    assert "only names can be corrected" in refused.get_data(as_text=True)
    assert _stored(app)["speakers"][1][1] == "alan@example.org"
    blank = resubmit(client, edit, {"co_speakers-0-name": " "})
    assert 'id="co_speakers-0-name-errors"' in blank.get_data(as_text=True)
