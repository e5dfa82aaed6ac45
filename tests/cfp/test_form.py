"""The submission form: labels and limits, bad values, escaping, honeypot, rate limit, resends."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import form_data, link_token, page_token, post_submission, submissions
from tests.conftest import csrf_token_from
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, SpeakerLink, Submission, SubmissionState

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)


def test_every_field_has_a_label_and_its_limits(client, make_conference) -> None:
    make_conference()
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    for field_id, label, limit in [
        ("title", "Title", "3 to 200 characters."),
        ("format", "Session format", "Required."),
        ("track", "Track", "Optional."),
        ("abstract", "Abstract", "At most 600 characters."),
        ("description", "Description", "At most 5000 characters."),
        ("speaker_name", "Your name", "At most 120 characters."),
        ("email", "Your email", "At most 254 characters."),
        ("affiliation", "Affiliation", "At most 200 characters."),
        ("bio", "Short bio", "At most 1000 characters."),
        ("co_speakers-0-name", "Co-speaker name", "At most 120 characters."),
        ("co_speakers-0-email", "Co-speaker email", "At most 254 characters."),
        ("notes", "Notes to the organizers", "At most 2000 characters."),
    ]:
        assert f'<label for="{field_id}">{label}' in page, field_id
        help_text = re.search(
            rf'<small id="{re.escape(field_id)}-help" class="field-help">([^<]*)</small>', page
        )
        assert help_text, field_id
        assert limit in help_text.group(1), field_id
    assert '<label for="consent">' in page
    assert "I accept the code of conduct" in page
    assert "Talk (30 min)" in page
    assert "Lightning talk (10 min)" in page
    assert "Tutorial (90 min)" in page
    # The honeypot is hidden from people and from assistive technology, and skipped by Tab.
    assert re.search(r'<div class="hp-field" aria-hidden="true">.*?tabindex="-1"', page, re.S)


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "ab"}, "title", "At least 3 characters"),
        ({"title": "x" * 201}, "title", "At most 200 characters; this has 201."),
        ({"title": "two\nlines"}, "title", "Remove the line breaks."),
        ({"title": "nul\x00byte"}, "title", "Remove the control characters."),
        (
            {"title": "invoice\u202efdp.exe"},
            "title",
            "Remove the invisible character U+202E RIGHT-TO-LEFT OVERRIDE.",
        ),
        ({"abstract": "a\u200bb" * 10}, "abstract", "U+200B ZERO WIDTH SPACE"),
        ({"speaker_name": "\u2068Kept\u2069"}, "speaker_name", "U+2068 FIRST STRONG ISOLATE"),
        ({"format": "999"}, "format", "Not a valid choice"),
        ({"format": "talk"}, "format", "Invalid Choice"),
        ({"track": "999"}, "track", "Not a valid choice"),
        ({"abstract": ""}, "abstract", "This field is required."),
        ({"abstract": "x" * 601}, "abstract", "At most 600 characters"),
        ({"description": "x" * 5001}, "description", "At most 5000 characters"),
        ({"speaker_name": ""}, "speaker_name", "This field is required."),
        ({"speaker_name": "x" * 121}, "speaker_name", "At most 120 characters"),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "An email address must have an @-sign."),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
        ({"email": "ｘ@example.org"}, "email", "plain ASCII letters, digits and punctuation"),
        ({"affiliation": "x" * 201}, "affiliation", "At most 200 characters"),
        ({"bio": "x" * 1001}, "bio", "At most 1000 characters"),
        ({"notes": "x" * 2001}, "notes", "At most 2000 characters"),
        ({"notes": "bell\x07"}, "notes", "Remove the control characters."),
        ({"co_speakers-0-name": "Bob"}, "co_speakers-0-email", "Give the co-speaker's email too."),
        (
            {"co_speakers-0-email": "bob@example.org"},
            "co_speakers-0-name",
            "Give the co-speaker's name too.",
        ),
        (
            {"co_speakers-0-name": "Bob", "co_speakers-0-email": "bob@"},
            "co_speakers-0-email",
            "There must be something after the @-sign.",
        ),
        ({"consent": None}, "consent", "You must accept the code of conduct to submit."),
    ],
)
def test_bad_values_are_refused_beside_the_field_keeping_input(
    app, client, make_conference, overrides, field, message
) -> None:
    c = make_conference()
    overrides = {"speaker_name": "Kept Name", "affiliation": "Kept Affiliation", **overrides}
    response = post_submission(client, c, **overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    errors = re.search(
        rf'<small id="{re.escape(field)}-errors" class="field-error" role="alert">([^<]*)</small>',
        page,
    )
    assert errors, f"no error beside {field}"
    assert message in html.unescape(errors.group(1))
    if field != "affiliation":
        assert 'value="Kept Affiliation"' in page
    assert submissions(app) == []


def test_same_email_for_two_speakers_is_refused(app, client, make_conference) -> None:
    c = make_conference()
    response = post_submission(
        client, c, **{"co_speakers-0-name": "Me Again", "co_speakers-0-email": "ADA@example.org"}
    )
    assert "Each speaker needs a different email address." in response.get_data(as_text=True)
    assert submissions(app) == []


def test_a_good_submission_is_stored_with_co_speakers_and_confirmed(
    app, client, make_conference
) -> None:
    c = make_conference()
    response = post_submission(
        client,
        c,
        **{
            "co_speakers-0-name": "Alan Turing",
            "co_speakers-0-email": "alan@example.org",
            "co_speakers-1-name": "",
            "co_speakers-1-email": "",
        },
    )
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your proposal is received" in confirmation
    [s] = submissions(app)
    assert s.state == "submitted"
    assert [sp.name for sp in s.speakers] == ["Ada Lovelace", "Alan Turing"]
    assert s.code in confirmation
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "submission.create")
            )
            == 1
        )


def test_add_another_co_speaker_without_javascript(app, client, make_conference) -> None:
    c = make_conference()
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    assert "co_speakers-1-name" in page
    assert "co_speakers-2-name" not in page
    data = form_data(
        c, title="Typed title", csrf_token=csrf_token_from(page), form_token=page_token(page)
    )
    data.pop("send")
    data["add_speaker"] = "1"
    again = client.post("/conferences/bhyvecon-2027/cfp", data=data).get_data(as_text=True)
    assert 'id="co_speakers-2-name"' in again
    assert 'value="Typed title"' in again
    assert "field-error" not in again  # adding a row is not a submission: no errors yet
    assert submissions(app) == []


def test_double_submit_creates_one_submission_and_shows_the_same_confirmation(
    app, client, make_conference
) -> None:
    c = make_conference()
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    data = form_data(c, csrf_token=csrf_token_from(page), form_token=page_token(page))
    first = client.post("/conferences/bhyvecon-2027/cfp", data=data)
    second = client.post("/conferences/bhyvecon-2027/cfp", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(submissions(app)) == 1
    with app.app_context():
        # One mail to the speaker, not two.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_honeypot_gets_fake_success_and_nothing_is_stored(app, client, make_conference) -> None:
    c = make_conference()
    response = post_submission(client, c, website="http://spam.example")
    assert response.status_code == 200
    assert "your proposal is received" in response.get_data(as_text=True)
    assert submissions(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_csrf_token_is_required(app, client, make_conference) -> None:
    c = make_conference()
    response = post_submission(client, c, csrf_token="forged")
    assert response.status_code == 400
    assert submissions(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, CFP_RATE_LIMIT="3 per hour")
def test_rate_limit_per_address(app, client, make_conference) -> None:
    c = make_conference()
    codes = [post_submission(client, c, title=f"Talk number {i}").status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    assert len(submissions(app)) == 3
    other = app.test_client()
    page = other.get("/conferences/bhyvecon-2027/cfp", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert page.status_code == 200  # GET is never limited
    data = form_data(
        c,
        email="grace@example.org",  # ada@ has sent the conference's 3 proposals per address
        csrf_token=csrf_token_from(page.get_data(as_text=True)),
        form_token=page_token(page.get_data(as_text=True)),
    )
    assert (
        other.post(
            "/conferences/bhyvecon-2027/cfp", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"}
        ).status_code
        == 302
    )


HOSTILE = '<script>alert("x")</script><b>bold</b>'


def test_html_in_every_field_is_shown_as_text_everywhere(
    app, client, make_conference, smtp_server, csrf_client_as, clock
) -> None:
    c = make_conference()
    overrides = {
        "title": "T " + HOSTILE,
        "abstract": "A " + HOSTILE,
        "description": "D " + HOSTILE,
        "speaker_name": "N " + HOSTILE,
        "affiliation": "F " + HOSTILE,
        "bio": "B " + HOSTILE,
        "notes": "O " + HOSTILE,
        "co_speakers-0-name": "C " + HOSTILE,
        "co_speakers-0-email": "co@example.org",
    }
    response = post_submission(client, c, **overrides)
    assert response.status_code == 302
    pages = [client.get(response.headers["Location"]).get_data(as_text=True)]
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1  # the co-speaker is invited once Ada confirms from her link
    link = smtp_server.links(smtp_server.to("ada@example.org")[0])[0]
    token = link_token(link)
    pages.append(client.get(f"/cfp/s/{token}").get_data(as_text=True))
    pages.append(client.get(f"/cfp/s/{token}/edit").get_data(as_text=True))
    organizer = csrf_client_as("organizer")
    [s] = submissions(app)
    pages.append(
        organizer.get("/organize/conferences/bhyvecon-2027/submissions").get_data(as_text=True)
    )
    pages.append(
        organizer.get(f"/organize/conferences/bhyvecon-2027/submissions/{s.code}").get_data(
            as_text=True
        )
    )
    # Confirmed and placed, it shows on the public programme and the talk's page too.
    with app.app_context():
        sub = db.session.scalar(sa.select(Submission))
        sub.state = SubmissionState.CONFIRMED
        start = datetime(2027, 6, 10, 10, 0)  # noqa: DTZ001 - a local wall time
        services.place_talk(sub, sub.conference.rooms[0], start, audit.CLI, clock.now)
        services.release(sub.conference, "", audit.CLI, clock.now)  # public from a release on
        db.session.commit()
    pages.append(client.get("/conferences/bhyvecon-2027/program").get_data(as_text=True))
    pages.append(client.get(f"/conferences/bhyvecon-2027/talks/{s.code}").get_data(as_text=True))
    pages.append(
        organizer.get("/organize/conferences/bhyvecon-2027/programme").get_data(as_text=True)
    )
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"
    for page in pages:
        assert "<script>alert" not in page
        assert "<b>bold</b>" not in page
        assert escaped in page
    # Mail is text/plain: the characters arrive as typed, never as markup.
    for msg in messages:
        assert msg.get_content_type() == "text/plain"
        assert "T " + HOSTILE in smtp_server.body(msg)
        assert "\n" not in str(msg["Subject"])


def test_late_link_opens_the_closed_form_for_one_person_once(
    app, client, csrf_client_as, make_conference, clock
) -> None:
    from datetime import timedelta

    from tests.cfp.conftest import CLOSES_UTC

    c = make_conference()
    clock.now = CLOSES_UTC + timedelta(days=2)
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/conferences/bhyvecon-2027/late-links").get_data(as_text=True)
    created = organizer.post(
        "/organize/conferences/bhyvecon-2027/late-links",
        data={
            "csrf_token": csrf_token_from(page),
            "label": "Grace Hopper",
            "valid_until": "2027-03-10",
        },
    ).get_data(as_text=True)
    url = (
        re.search(r'<code class="late-url">([^<]+)</code>', created).group(1).replace("&amp;", "&")
    )
    token = url.split("late=")[1]
    with app.app_context():
        stored = [row.token_hash for row in db.session.scalars(sa.select(SpeakerLink))]
        assert token not in created.replace(url, "")  # shown once, in the link only
        assert token not in stored
    assert "The call for papers is closed." in client.get(
        "/conferences/bhyvecon-2027/cfp"
    ).get_data(as_text=True)
    form_page = client.get(f"/conferences/bhyvecon-2027/cfp?late={token}").get_data(as_text=True)
    assert "opens the form for you alone" in form_page
    data = form_data(c, csrf_token=csrf_token_from(form_page), form_token=page_token(form_page))
    assert client.post(f"/conferences/bhyvecon-2027/cfp?late={token}", data=data).status_code == 302
    assert len(submissions(app)) == 1
    # Single use: the same link does not open the form again.
    again = client.get(f"/conferences/bhyvecon-2027/cfp?late={token}").get_data(as_text=True)
    assert "This late-submission link is not valid" in again
    # Expired after its date.
    page = organizer.get("/organize/conferences/bhyvecon-2027/late-links").get_data(as_text=True)
    created = organizer.post(
        "/organize/conferences/bhyvecon-2027/late-links",
        data={"csrf_token": csrf_token_from(page), "label": "Someone", "valid_until": "2027-03-05"},
    ).get_data(as_text=True)
    token2 = re.search(r'<code class="late-url">([^<]+)</code>', created).group(1).split("late=")[1]
    clock.now = CLOSES_UTC + timedelta(days=5)  # 2027-03-06 in Amsterdam
    assert "This late-submission link is not valid" in client.get(
        f"/conferences/bhyvecon-2027/cfp?late={token2}"
    ).get_data(as_text=True)


def test_a_conference_without_tracks_needs_no_track(app, client, make_conference) -> None:
    c = make_conference(tracks=[])
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    assert 'id="track"' not in page
    response = post_submission(client, c, track=None)
    assert response.status_code == 302
    assert submissions(app)[0].track_id is None
