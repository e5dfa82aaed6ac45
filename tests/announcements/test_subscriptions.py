"""Personal subscriptions, through the pages, the outbox and a real SMTP server on loopback:
ask, confirm by the link, get the agenda with a one-click unsubscribe (RFC 8058), leave."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.announcements.conftest import NOW
from tests.mail_fixtures import SmtpSink, free_port
from tests.test_redis_limits import redis_url  # noqa: F401 - the fixture
from webapp import sealed
from webapp.extensions import db
from webapp.models import OutboxMessage, Subscriber

LIST = "bhyve-list@example.org"
ADA = "Ada.Lovelace+call@Example.ORG"
ADA_STORED = "Ada.Lovelace+call@example.org"
LINK = re.compile(r"http://localhost/subscriptions/(confirm|unsubscribe)/[A-Za-z0-9_-]+")


def _links(sink: SmtpSink, msg: Any, kind: str) -> list[str]:
    return [m.group(0) for m in LINK.finditer(sink.body(msg)) if m.group(1) == kind]


def _subscriber(app: Any) -> Subscriber | None:
    with app.app_context():
        row = db.session.scalar(sa.select(Subscriber))
        if row is not None:
            db.session.expunge(row)
        return row


def _said(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _subscribe(client: Any, address: str) -> Any:
    return client.post("/series/call/subscribe", data={"email": address}, follow_redirects=True)


def test_subscribe_confirm_get_the_agenda_and_unsubscribe_in_one_click(
    app: Any, client: Any, cli: Callable[..., Any], call: str, smtp_server: SmtpSink
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    series_page = app.test_client().get("/series/call")
    assert 'href="/series/call/subscribe">Get the agenda by mail</a>' in _said(series_page)
    assert "Set-Cookie" not in series_page.headers  # the series page stays cookie-free

    asked = _subscribe(client, ADA)
    assert f"A mail with a link to confirm is on its way to {ADA_STORED}." in _said(asked)
    [confirmation] = smtp_server.wait_for(1)
    assert confirmation["To"] == ADA_STORED
    assert confirmation["Subject"] == "[Hypervisor call] Confirm: get the agenda by mail"
    [confirm_url] = _links(smtp_server, confirmation, "confirm")

    # Opening the link (as a mail scanner would) shows a button and confirms nothing.
    stranger = app.test_client()
    shown = stranger.get(confirm_url)
    assert shown.status_code == 200
    assert "Confirm my subscription" in _said(shown)
    assert "Set-Cookie" not in shown.headers
    assert _subscriber(app).state == "pending"
    done = stranger.post(confirm_url)
    assert "You are subscribed" in _said(done)
    assert "Set-Cookie" not in done.headers
    assert _subscriber(app).state == "confirmed"
    assert stranger.post(confirm_url).status_code == 404  # the link works once

    out = cli("announcements", "queue").output
    assert "queued the agenda of call 2026-01-15 to 1 address(es)" in out
    assert "and 1 personal copy(ies) to subscribers" in out
    cli("outbox", "send")
    messages = smtp_server.wait_for(3)
    [copy] = smtp_server.to(ADA_STORED)[1:]
    [to_list] = smtp_server.to(LIST)
    assert copy["Subject"] == to_list["Subject"]
    assert "List-Unsubscribe" not in to_list
    [unsubscribe_url] = _links(smtp_server, copy, "unsubscribe")
    assert copy["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert copy["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert copy["List-Id"] == to_list["List-Id"]  # the list's own List-Id and threading
    assert copy["Precedence"] == "list"
    assert copy["Message-ID"] != to_list["Message-ID"]
    assert f"To stop them: {unsubscribe_url}" in smtp_server.body(copy)
    assert "Thursday 2026-01-15, 21:00–22:00 UTC" in smtp_server.body(copy)
    assert len(messages) == 3

    # What is kept of the sent copy shows neither the address nor the link.
    with app.app_context():
        sent = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subscriber_id.is_not(None))
            .order_by(OutboxMessage.id)  # the confirmation first, then the agenda's copy
        ).all()
        assert {m.to_addr for m in sent} == {"(subscriber) A***@example.org"}
        assert all("/subscriptions/unsubscribe/[redacted]" in m.body for m in sent[1:])
        assert not any(unsubscribe_url in m.body for m in sent)

    # The mail program's one-click: a POST without cookie or CSRF token.
    mail_program = app.test_client()
    one_click = mail_program.post(
        unsubscribe_url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert "You are unsubscribed" in _said(one_click)
    assert "Set-Cookie" not in one_click.headers
    assert _subscriber(app).state == "unsubscribed"
    assert "You are unsubscribed already" in _said(mail_program.get(unsubscribe_url))

    # The next agenda, two weeks on, goes to the list only.
    app.config["CADENCE_NOW"] = NOW + timedelta(days=14)
    out = cli("announcements", "queue").output
    assert "queued the agenda of call 2026-01-29 to 1 address(es)" in out
    assert "personal" not in out
    cli("outbox", "send")
    smtp_server.drain()
    assert len(smtp_server.to(LIST)) == 2
    assert len(smtp_server.to(ADA_STORED)) == 2  # the confirmation and the first agenda


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SUBSCRIBE_ADDRESS_LIMIT="2 per day")
def test_the_same_answer_for_every_address_and_the_limits(
    app: Any, client: Any, cli: Callable[..., Any], call: str, smtp_server: SmtpSink
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    first = _subscribe(client, "grace@example.org")
    [mail] = smtp_server.wait_for(1)
    stranger = app.test_client()
    assert "You are subscribed" in _said(stranger.post(_links(smtp_server, mail, "confirm")[0]))

    known = _subscribe(app.test_client(), "Grace@example.org")
    unknown = _subscribe(app.test_client(), "nobody@example.org")
    said = [re.sub(r"its way to \S+\.", "its way to ….", _said(r)) for r in (first, known, unknown)]
    assert said[1] == said[2]  # the same page whether or not the address is subscribed
    assert said[0] == said[1]
    assert "A mail with a link to confirm is on its way to …." in said[0]
    smtp_server.wait_for(3)
    # The known address gets a link again (it changes nothing); still one row per person.
    first_mail, again = smtp_server.to("grace@example.org")
    assert "nothing is sent to you without the confirmation" in smtp_server.body(first_mail)
    again_body = smtp_server.body(again)
    assert "nothing is sent to you without the confirmation" not in again_body
    assert "This address gets them already: the link changes nothing" in again_body
    assert "nothing is sent to you" in smtp_server.body(smtp_server.to("nobody@example.org")[0])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 2
        grace = db.session.scalars(sa.select(Subscriber).order_by(Subscriber.id)).first()
        assert grace is not None
        assert grace.state == "confirmed"

    # Per address, by its key, whoever asks: the third request today is refused.
    limited = app.test_client().post(
        "/series/call/subscribe", data={"email": "GRACE+other@example.org"}
    )
    assert limited.status_code == 429
    bad = app.test_client().post("/series/call/subscribe", data={"email": "not an address"})
    assert "An email address must have an @-sign." in _said(bad)
    assert app.test_client().get("/series/nope/subscribe").status_code == 404


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SUBSCRIBE_RATE_LIMIT="3 per hour")
def test_one_client_is_limited_whatever_the_addresses(app: Any, client: Any, call: str) -> None:
    codes = [
        client.post("/series/call/subscribe", data={"email": f"p{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_a_too_long_address_gets_one_message(client: Any, call: str) -> None:
    page = client.post("/series/call/subscribe", data={"email": "a" * 300 + "@example.org"})
    assert page.status_code == 200
    errors = re.findall(r'<small id="email-errors"[^>]*>(.*?)</small>', _said(page), re.S)
    assert [e.strip() for e in errors] == ["An email address has at most 254 characters."]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SUBSCRIBE_RATE_LIMIT="2 per hour")
def test_the_limit_says_what_happened_and_form_errors_do_not_count(
    app: Any, client: Any, call: str
) -> None:
    for _ in range(5):  # mistakes: shown beside the field, not counted
        bad = client.post("/series/call/subscribe", data={"email": "not an address"})
        assert bad.status_code == 200
        assert "An email address must have an @-sign." in _said(bad)
    codes = [
        client.post("/series/call/subscribe", data={"email": f"p{i}@example.org"}).status_code
        for i in range(2)
    ]
    assert codes == [302, 302]
    limited = client.post("/series/call/subscribe", data={"email": "p9@example.org"})
    assert limited.status_code == 429
    said = _said(limited)
    assert "Too many subscription requests from your address: 2 per hour." in said
    assert re.search(r"Try again in (\d\d|\d) minutes\.|Try again in an hour\.", said), said
    assert "per 1 hour" not in said
    assert int(limited.headers["Retry-After"]) > 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SUBSCRIBE_ADDRESS_LIMIT="1 per day")
def test_the_limit_per_address_says_so(app: Any, client: Any, call: str) -> None:
    first = client.post("/series/call/subscribe", data={"email": "ada@example.org"})
    assert first.status_code == 302
    limited = app.test_client().post("/series/call/subscribe", data={"email": "ADA@example.org"})
    assert limited.status_code == 429
    said = _said(limited)
    assert "This email address was asked for too often: 1 per day." in said
    assert re.search(r"try again in (\d+ hours|an hour|\d+ minutes)\.", said), said


def test_addresses_are_sealed_at_rest_and_in_backups(
    app: Any, client: Any, cli: Callable[..., Any], call: str, tmp_path: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    _subscribe(client, "Sealed.Person@example.org")
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        link = json.loads(sealed.unseal(message.context))["link"]
    app.test_client().post(link)
    cli("announcements", "queue")  # a copy queued, not yet sent
    target = tmp_path / "backup.json"
    cli("backup", str(target))
    dumped = target.read_text()
    assert "subscribers" in json.loads(dumped)["tables"]
    assert "sealed.person" not in dumped.lower()
    with app.app_context():
        rows = [
            json.dumps([str(v) for v in row])
            for table in ("subscribers", "outbox_messages")
            for row in db.session.execute(sa.select(db.metadata.tables[table])).all()
        ]
    assert rows
    assert not any("sealed.person" in r.lower() for r in rows)
    assert any("(subscriber) S***@example.org" in r for r in rows)


class RefusingSink(SmtpSink):
    """Accepts every message, except that it refuses the recipients in ``refuse`` for good."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.refuse: set[str] = set()
        self.tried: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd API
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.tried.append(address)
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(app: Any) -> Any:
    sink = RefusingSink(free_port())
    sink.controller = Controller(sink, hostname=sink.host, port=sink.port)
    sink.controller.start()
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = sink.host, sink.port
    yield sink
    sink.stop()


def test_three_permanent_refusals_pause_and_the_organizers_see_it(
    app: Any,
    cli: Callable[..., Any],
    call: str,
    refusing_smtp: RefusingSink,
    client_as: Callable[..., Any],
) -> None:
    gone = "gone@example.org"
    cli("series", "announcements", call, "--to", LIST)
    _subscribe(app.test_client(), gone)
    cli("outbox", "send")
    [confirmation] = refusing_smtp.messages
    app.test_client().post(_links(refusing_smtp, confirmation, "confirm")[0])
    refusing_smtp.refuse.add(gone)  # the mailbox is closed from now on

    cli("announcements", "queue")
    cli("outbox", "send")
    assert _subscriber(app).bounces == 1
    for day in ("2026-01-29", "2026-02-12"):
        cli("series", "cancel", call, day, "--reason", "summit")
        cli("outbox", "send")
    paused = _subscriber(app)
    assert (paused.state, paused.bounces) == ("paused", 3)
    assert refusing_smtp.tried.count(gone) == 4  # the confirmation, then three refusals

    cli("series", "cancel", call, "2026-02-26", "--reason", "summit")
    cli("outbox", "send")
    assert refusing_smtp.tried.count(gone) == 4  # nothing more is tried
    assert len([m for m in refusing_smtp.messages if m["To"] == LIST]) == 4
    with app.app_context():
        errors = [
            m.last_error
            for m in db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.state == "failed")
            )
        ]
    assert len(errors) == 3
    assert sum("No such mailbox here" in e for e in errors) == 3
    assert not any(gone in e for e in errors)  # the refusal is kept with the address masked

    organizer = client_as("organizer")
    page = _said(organizer.get("/organize/series/call/subscribers"))
    assert "g***@example.org" in page
    assert "paused" in page
    assert gone not in page
    assert app.test_client().get("/organize/series/call/subscribers").status_code in (302, 401)


def test_a_copy_queued_before_the_one_click_is_not_sent(
    app: Any, cli: Callable[..., Any], call: str, refusing_smtp: RefusingSink
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    _subscribe(app.test_client(), "quick@example.org")
    cli("outbox", "send")
    app.test_client().post(_links(refusing_smtp, refusing_smtp.messages[0], "confirm")[0])
    assert "and 1 personal copy(ies)" in cli("announcements", "queue").output
    with app.app_context():
        copy = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()[-1]
        context = json.loads(sealed.unseal(copy.context))
    assert app.test_client().post(context["unsubscribe_url"]).status_code == 200
    cli("outbox", "send")
    assert [m["To"] for m in refusing_smtp.messages] == ["quick@example.org", LIST]
    with app.app_context():
        copy = db.session.get(OutboxMessage, copy.id)
        assert (copy.state, copy.context, copy.headers) == ("failed", None, None)
        assert copy.last_error == "not sent: the subscriber is unsubscribed"


def test_organizers_remove_a_subscriber_after_asking_once(
    app: Any, cli: Callable[..., Any], call: str, client_as: Callable[..., Any]
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    _subscribe(app.test_client(), "leaving@example.org")
    subscriber = _subscriber(app)
    organizer = client_as("organizer")
    listing = _said(organizer.get("/organize/series/call/subscribers"))
    assert "l***@example.org" in listing
    assert "pending" in listing
    url = f"/organize/series/call/subscribers/{subscriber.id}/remove"
    asked = _said(organizer.get(url))
    assert "Remove l***@example.org?" in asked
    assert _subscriber(app) is not None  # asking removes nothing
    done = _said(organizer.post(url, follow_redirects=True))
    assert "Removed l***@example.org; nothing more is sent to that address." in done
    assert _subscriber(app) is None
    with app.app_context():
        [message] = db.session.scalars(sa.select(OutboxMessage)).all()
        assert (message.state, message.subscriber_id, message.context) == ("failed", None, None)
        assert message.last_error == "not sent: the subscriber was removed"
    assert "No subscribers yet." in _said(organizer.get("/organize/series/call/subscribers"))
    assert organizer.get(url).status_code == 404


OLD_KEY = "the-old-secret-key-of-this-site-0123456789abcdef"
NEW_KEY = "the-new-secret-key-of-this-site-9876543210fedcba"


@pytest.mark.app_config(SECRET_KEY=OLD_KEY)
def test_key_rotation_reseal_keeps_subscribers(
    app: Any, app_config: dict[str, Any], cli: Callable[..., Any], call: str
) -> None:
    from webapp import create_app

    cli("series", "announcements", call, "--to", LIST)
    _subscribe(app.test_client(), "rotating@example.org")
    with app.app_context():
        link = json.loads(sealed.unseal(db.session.scalar(sa.select(OutboxMessage)).context))
    app.test_client().post(link["link"])
    before = _subscriber(app)

    rotated = create_app({**app_config, "SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": [OLD_KEY]})
    rotated.config["CADENCE_NOW"] = NOW
    # Before the reseal, the old row is still found (no second row for the same person).
    _subscribe(rotated.test_client(), "Rotating@example.org")
    result = rotated.test_cli_runner().invoke(args=["outbox", "reseal"])
    assert result.exit_code == 0, result.output
    assert "re-sealed 1 subscriber address(es) under the current SECRET_KEY" in result.output
    after = _subscriber(rotated)
    assert after.id == before.id
    assert after.address != before.address
    assert after.address_hash != before.address_hash

    only_new = create_app({**app_config, "SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": []})
    only_new.config["CADENCE_NOW"] = NOW
    with only_new.app_context():
        subscriber = db.session.get(Subscriber, after.id)
        assert sealed.unseal(subscriber.address) == "rotating@example.org"  # kept on file
        from webapp.announcements import subscribers

        assert subscribers.find(subscriber.series, "rotating@EXAMPLE.org") is not None
    out = only_new.test_cli_runner().invoke(args=["announcements", "queue"]).output
    assert "and 1 personal copy(ies) to subscribers" in out
    for made in (rotated, only_new):
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_address_never_confirmed_is_forgotten_when_its_link_expires(
    app: Any, cli: Callable[..., Any], call: str
) -> None:
    _subscribe(app.test_client(), "undecided@example.org")
    with app.app_context():
        link = json.loads(sealed.unseal(db.session.scalar(sa.select(OutboxMessage)).context))
    app.config["CADENCE_NOW"] = NOW + timedelta(days=8)
    expired = app.test_client().get(link["link"])
    assert expired.status_code == 404
    assert "older than 7 days" in _said(expired)
    _subscribe(app.test_client(), "someone.else@example.org")
    with app.app_context():
        left = db.session.scalars(sa.select(Subscriber)).all()
        assert [sealed.unseal(s.address) for s in left] == ["someone.else@example.org"]


def test_two_workers_share_the_subscribe_limits_through_redis(
    app: Any,
    app_config: dict[str, Any],
    call: str,
    redis_url: str,  # noqa: F811 - the imported fixture
) -> None:
    import uuid

    from webapp import create_app

    config = dict(
        app_config,
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"cadence-test-{uuid.uuid4().hex}",
        SUBSCRIBE_ADDRESS_LIMIT="2 per day",
    )
    workers = [create_app(dict(config)) for _ in ("one", "two")]
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == redis_url
    codes = [
        workers[i % 2]
        .test_client()
        .post("/series/call/subscribe", data={"email": email})
        .status_code
        for i, email in enumerate(["bo@example.org", "Bo+x@example.org", "BO@example.org"])
    ]
    assert codes == [302, 302, 429]
    import redis

    stored = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*subscribe-address*")]
    assert stored
    assert not any("bo@" in key for key in stored)  # only the address's keyed hash
    for w in workers:
        with w.app_context():
            db.engine.dispose()
