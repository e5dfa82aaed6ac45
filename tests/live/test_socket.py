"""The call page's socket, spoken to by pycrdt clients: who may open it, what closes it, and
that an update is stored before it is acknowledged. On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import http.client
import json
import os
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from tests.live.yclient import connect
from webapp.extensions import db
from webapp.live import protocol, store
from webapp.models import LiveUpdate

DAY = date(2019, 2, 7)
PATH = "/meetings/bhyve/2019-02-07/live/socket"


def handshake(server: str, cookie: str, origin: str | None = None) -> int:
    """The status of a WebSocket handshake: 101 when the server accepts the socket."""
    host, port = server.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
        "Origin": f"http://{server}" if origin is None else origin,
    }
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", PATH, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def refused(server: str, cookie: str, origin: str | None = None) -> bool:
    return handshake(server, cookie, origin) != 101


def test_two_scribes_see_each_others_words(live_server, cookie_as, started):
    alice = connect(live_server, cookie_as("scribe"))
    bob = connect(live_server, cookie_as("organizer"))
    assert alice.synced.wait(5)
    assert bob.synced.wait(5)
    assert alice.value() == bob.value() == "Roll call\n"
    alice.type("alice was here\n")
    bob.type("bob too\n")
    for client in (alice, bob):
        assert client.wait(
            lambda c=client: "alice was here" in c.value() and "bob too" in c.value()
        )
        assert client.wait(lambda c=client: c.acked == c.sent == 2)
    alice.close()
    bob.close()


def test_refused_without_the_role_or_from_another_site(live_server, cookie_as, started):
    assert refused(live_server, "")  # not signed in
    assert refused(live_server, cookie_as("reviewer"))
    scribe = cookie_as("scribe")
    assert refused(live_server, scribe, origin="http://evil.example")
    assert refused(live_server, scribe, origin="")
    assert not refused(live_server, scribe)


def test_an_update_is_stored_before_it_is_acknowledged(app, live_server, cookie_as, started):
    client = connect(live_server, cookie_as("scribe"))
    assert client.synced.wait(5)
    acks: list[tuple[int, str]] = []

    def stored_text() -> str:
        with app.app_context(), db.engine.connect() as conn:
            loaded = store.load(conn, started)
            assert loaded is not None
            return store.text_of(loaded.doc())

    original = client._message

    def on_message(data: bytes) -> None:
        if data[0] == protocol.ACK:  # at the moment the ack arrives, the row is committed
            acks.append((protocol.read_ack(data) or 0, stored_text()))
        original(data)

    client._message = on_message  # type: ignore[method-assign]
    for word in ("durable", "words", "only"):
        client.type(f" {word}")
    assert client.wait(lambda: client.acked == 4)
    assert [n for n, _text in acks] == [1, 2, 3, 4]
    assert "durable" in acks[1][1]
    assert "words" in acks[2][1]
    assert "only" in acks[3][1]
    with app.app_context():
        rows = db.session.scalars(sa.select(LiveUpdate).where(LiveUpdate.minutes_id == started))
        assert {row.actor for row in rows} == {client_actor(app)}
    client.close()


def client_actor(app: Any) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(LiveUpdate.actor).limit(1)) or ""


def test_an_update_that_does_not_decode_closes_that_socket_only(live_server, cookie_as, started):
    scribe = cookie_as("scribe")
    bad, good = connect(live_server, scribe), connect(live_server, scribe)
    assert bad.synced.wait(5)
    assert good.synced.wait(5)
    bad.send(protocol.update(b"\x05\xff\xff not an update"))
    assert bad.closed.wait(5)
    assert any("does not decode" in n for n in bad.notices)
    good.type("still here")
    assert good.wait(lambda: good.acked == 2)
    again = connect(live_server, scribe)
    assert again.wait(lambda: "still here" in again.value())
    for client in (good, again):
        client.close()


@pytest.mark.app_config(LIVE_LIMITS={"max_bytes": 2000, "burst": 5.0, "per_second": 1.0})
def test_size_and_rate_limits_close_the_socket(live_server, cookie_as, started):
    scribe = cookie_as("scribe")
    big = connect(live_server, scribe)
    assert big.synced.wait(5)
    big.type("x" * 5000)
    assert big.closed.wait(5)
    fast = connect(live_server, scribe)
    assert fast.synced.wait(5)
    for n in range(20):
        fast.type(str(n))
    assert fast.closed.wait(5)
    assert any("slow down" in n for n in fast.notices)


def test_a_meeting_without_minutes_has_no_socket(live_server, cookie_as, bhyve):
    assert refused(live_server, cookie_as("scribe"))


def test_presence_shows_the_signed_in_name_whatever_the_browser_claims(
    app, live_server, make_user, started
):
    from tests.conftest import login

    user = make_user(roles=("scribe",), name="Allan Jude")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    cookie = f"session={client.get_cookie('session').value}"
    liar, watcher = connect(live_server, cookie), connect(live_server, cookie)
    assert liar.synced.wait(5)
    assert watcher.synced.wait(5)
    state = json.dumps({"user": {"name": "Somebody Else", "colour": 3}})
    entry = protocol.awareness_entry(liar.doc.client_id, 1, state)
    liar.send(protocol.awareness(b"\x01" + entry))
    assert watcher.wait(lambda: liar.doc.client_id in watcher.presence)
    shown = json.loads(watcher.presence[liar.doc.client_id])
    assert shown["user"] == {"name": "Allan Jude", "colour": 3}
    liar.close()
    assert watcher.wait(lambda: watcher.presence.get(liar.doc.client_id) == "null")
    watcher.close()


def test_a_socket_closes_once_its_sign_in_is_revoked(
    app, live_server, make_user, started, monkeypatch
):
    from tests.conftest import login
    from webapp import clock
    from webapp.auth import signins
    from webapp.live import views

    monkeypatch.setattr(views, "RECHECK_SECONDS", 0.3)
    user = make_user(roles=("scribe",))
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    socket = connect(live_server, f"session={client.get_cookie('session').value}")
    assert socket.synced.wait(5)
    socket.type("before")
    assert socket.wait(lambda: socket.acked == 2)
    with app.app_context():
        signins.revoke_all(user.id, clock.now())
        db.session.commit()
    assert socket.closed.wait(5)
    assert any("Signed out" in notice for notice in socket.notices)
