"""Addresses normalised once for every limit and look-up; co-speaker mail that cannot relay an
attacker's words; "Send me my link"."""

from __future__ import annotations

import html
import re
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import link_token, post_submission
from tests.conftest import login
from tests.test_redis_limits import redis_url  # noqa: F401 - the fixture
from webapp import addresses, create_app
from webapp.extensions import db
from webapp.models import Speaker

ATTACKER = "attacker+cfp@example.org"
PHISH = "Urgent: verify your account at http://phish.example/login"


@pytest.mark.parametrize(
    ("typed", "stored", "key"),
    [
        ("X+1@Example.ORG", "X+1@example.org", "x@example.org"),
        ("x+2@EXAMPLE.org", "x+2@example.org", "x@example.org"),
        ("x@ｅxample.org", "x@example.org", "x@example.org"),
        ("x@Bücher.example", "x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        ("x@LİM.example", "x@xn--lim-9dc.example", "x@xn--lim-9dc.example"),
    ],
)
def test_one_normalisation_for_storing_and_counting(typed, stored, key) -> None:
    assert addresses.normalise(typed) == stored
    assert addresses.key(typed) == key


def test_non_ascii_local_parts_need_smtputf8() -> None:
    with pytest.raises(addresses.AddressInvalid, match="plain ASCII"):
        addresses.normalise("ｘ@example.org")
    assert addresses.normalise("josé@example.org", smtputf8=True) == "josé@example.org"
    assert addresses.key("ＪＯＳÉ+cfp@example.org") == "josé@example.org"


def test_the_proposal_limit_counts_every_spelling_of_one_address(
    app, client, make_conference, make_user
) -> None:
    make_user(roles=("organizer",))
    conference = make_conference()
    for email in ("x+1@example.org", "X+2@EXAMPLE.org", "x@ｅxample.org"):
        assert post_submission(client, conference, email=email).status_code == 302
    for email in ("x+3@example.org", "x@Example.org"):
        refused = post_submission(client, conference, email=email)
        assert refused.status_code == 200
        assert "this call accepts at most 3 per speaker" in html.unescape(
            refused.get_data(as_text=True)
        )
    idn = make_conference(slug="idn-2027")
    for email in ("y@Bücher.example", "y+a@xn--bcher-kva.example", "Y@BÜCHER.example"):
        assert post_submission(client, idn, email=email).status_code == 302
    assert post_submission(client, idn, email="y+z@bücher.example").status_code == 200
    with app.app_context():
        stored = set(db.session.scalars(sa.select(Speaker.email)))
    assert "x@example.org" in stored  # the fullwidth spelling is stored as one we can mail
    assert "Y@xn--bcher-kva.example" in stored


@pytest.mark.app_config(MAIL_SMTPUTF8=True)
def test_with_smtputf8_a_non_ascii_address_is_taken(app, client, make_conference) -> None:
    assert post_submission(client, make_conference(), email="josé@example.org").status_code == 302


def _ada_link(client, conference, smtp_server, co: list[tuple[str, str]], title: str) -> str:
    """Submit as the attacker (a plus-address of their own) naming ``co``; their private link."""
    fields = {}
    for i in range(max(len(co), 2)):
        name, email = co[i] if i < len(co) else ("", "")
        fields |= {f"co_speakers-{i}-name": name, f"co_speakers-{i}-email": email}
    before = len(smtp_server.to(ATTACKER))
    response = post_submission(client, conference, email=ATTACKER, title=title, **fields)
    assert response.status_code == 302
    deadline = time.monotonic() + 5
    while len(smtp_server.to(ATTACKER)) <= before and time.monotonic() < deadline:
        time.sleep(0.02)
    mailed = smtp_server.to(ATTACKER)[-1]
    return link_token(next(u for u in smtp_server.links(mailed) if "/cfp/s/" in u))


@pytest.mark.app_config(CFP_INVITEES_PER_SUBMITTER=3, CFP_INVITATIONS_PER_DAY=5)
def test_co_speaker_mail_cannot_relay_and_is_capped(
    app, client, make_conference, make_user, smtp_server
) -> None:
    organizer = make_user(roles=("organizer",))
    conference = make_conference()
    many = [(f"Victim {i}", f"victim{i}@example.org") for i in range(2)]
    token = _ada_link(client, conference, smtp_server, many, PHISH)
    answer = client.post(f"/cfp/s/{token}/invite", follow_redirects=True)
    assert "2 co-speakers are invited" in answer.get_data(as_text=True)
    invites = smtp_server.wait_for(4) and smtp_server.to("victim0@example.org")
    [invite] = invites
    subject, body = str(invite["Subject"]), smtp_server.body(invite)
    assert subject == "[bhyvecon 2027] You are named as a co-speaker"
    assert "phish" not in (subject + body).lower()  # neither the title nor any typed name
    assert "Victim" not in body
    assert "attacker+cfp@example.org" in body  # who named them: the address proven by its link
    assert re.search(r"/cfp/s/[\w-]{40,}", body)

    # Another proposal from the same person (another plus-tag) may not widen the circle past 3.
    more = [("Victim 2", "victim2@example.org"), ("Victim 3", "victim3@example.org")]
    token2 = _ada_link(client, conference, smtp_server, more, "Second")
    refused = client.post(f"/cfp/s/{token2}/invite", follow_redirects=True)
    text = html.unescape(refused.get_data(as_text=True))
    assert "named 4 different co-speakers" in text
    assert "we invite at most 3" in text
    assert smtp_server.to("victim3@example.org") == []

    # Organizers see the invitations in the sent-mail view.
    staff = app.test_client()
    login(staff, organizer.email)
    page = staff.get("/organize/outbox?template=cfp_co_speaker_invite").get_data(as_text=True)
    assert page.count("victim") == 2
    assert "You are named as a co-speaker" in page


@pytest.mark.app_config(CFP_INVITATIONS_PER_DAY=2)
def test_the_conference_caps_invitations_per_day(app, client, make_conference, smtp_server) -> None:
    conference = make_conference()
    token = _ada_link(
        client, conference, smtp_server, [("A", "a@example.org"), ("B", "b@example.org")], "One"
    )
    assert client.post(f"/cfp/s/{token}/invite").status_code == 302
    other = _ada_link(client, conference, smtp_server, [("C", "c@example.org")], "Two")
    refused = client.post(f"/cfp/s/{other}/invite", follow_redirects=True)
    assert "as many co-speaker invitations as it may today" in refused.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, CFP_LINK_ADDRESS_LIMIT="2 per day")
def test_send_me_my_link(app, client, make_conference, smtp_server) -> None:
    conference = make_conference()
    url = f"/conferences/{conference.slug}/cfp/link"
    assert post_submission(client, conference, email="Ada+cfp@Example.org").status_code == 302
    smtp_server.wait_for(1)
    first = smtp_server.to("ada+cfp@example.org")[0]
    old_token = link_token(next(u for u in smtp_server.links(first) if "/cfp/s/" in u))

    known = client.post(url, data={"email": "ada@EXAMPLE.org"}, follow_redirects=True)
    unknown = client.post(url, data={"email": "nobody@example.org"}, follow_redirects=True)
    said = [
        re.sub(r"If \S+ sent", "If … sent", html.unescape(r.get_data(as_text=True)))
        for r in (known, unknown)
    ]
    assert said[0] == said[1]  # the same answer whether or not the address has a proposal
    assert "a mail with its private link is on its way there" in said[0]
    messages = smtp_server.wait_for(2)
    again = [m for m in messages if "Your private link" in str(m["Subject"])]
    assert [str(m["To"]) for m in again] == ["Ada+cfp@example.org"]  # only the address on file
    new_token = link_token(next(u for u in smtp_server.links(again[0]) if "/cfp/s/" in u))
    assert new_token != old_token
    assert client.get(f"/cfp/s/{old_token}").status_code == 200  # older links stay valid
    assert client.get(f"/cfp/s/{new_token}").status_code == 200

    # Per address (by its key, whoever asks): the third request for it today is refused.
    assert client.post(url, data={"email": "ada+cfp@example.org"}).status_code == 302
    limited = client.post(url, data={"email": "ADA+other@example.org"})
    assert limited.status_code == 429
    bad = client.post(url, data={"email": "not an address"})
    assert "An email address must have an @-sign." in bad.get_data(as_text=True)


def test_two_workers_share_the_link_limits_through_redis(
    app,
    app_config,
    make_conference,
    redis_url,  # noqa: F811 - the imported fixture
) -> None:
    conference = make_conference()
    prefix = f"cadence-test-{uuid.uuid4().hex}"
    config = dict(
        app_config,
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=prefix,
        CFP_LINK_ADDRESS_LIMIT="2 per day",
    )
    workers = [create_app(dict(config)) for _ in ("one", "two")]
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == redis_url
    url = f"/conferences/{conference.slug}/cfp/link"
    codes = [
        workers[i % 2].test_client().post(url, data={"email": email}).status_code
        for i, email in enumerate(["ada@example.org", "Ada+x@example.org", "ADA@example.org"])
    ]
    assert codes == [302, 302, 429]
    for w in workers:
        with w.app_context():
            db.engine.dispose()
