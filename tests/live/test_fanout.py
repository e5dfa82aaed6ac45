"""Two app nodes (two gunicorn instances, 2 workers each) share the database: what is typed on
one reaches the people on the other, with their presence, through Redis pub/sub or PostgreSQL
LISTEN/NOTIFY. (Polling the table, SQLite's way, is in tests/browser/test_live_notes.py.)"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, login, make_test_config, service_missing
from tests.live.yclient import YClient, connect
from tests.minutes.conftest import create_bhyve
from tests.servers import Gunicorn
from webapp import audit, clock, create_app
from webapp.auth import services as auth
from webapp.extensions import db
from webapp.live import protocol
from webapp.meetings import services as meetings
from webapp.minutes import services as svc


def prepare(url: str, tmp_path: Path) -> tuple[str, str]:
    """Schema, the bhyve series with started minutes, a scribe; (secret key, Cookie header)."""
    config = make_test_config(tmp_path, url, {})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_bhyve()
        series = meetings.get_series("bhyve")
        svc.start_minutes(series, date(2019, 2, 7), audit.CLI, clock.now())
        auth.create_user("scribe@example.org", TEST_PASSWORD, {"scribe"}, audit.CLI)
        db.session.commit()
    client = app.test_client()
    assert login(client, "scribe@example.org").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    with app.app_context():
        db.engine.dispose()
    return config["SECRET_KEY"], f"session={cookie.value}"


def two_nodes(url: str, secret: str, tmp_path: Path, **env: str) -> list[Gunicorn]:
    nodes = []
    for n in (1, 2):
        node = Gunicorn(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": secret,
                "CADENCE_INSTANCE": str(tmp_path / f"node{n}"),
                "LIVE_CHANNEL": f"test_{os.getpid()}_{tmp_path.name}"[:60],
                **env,
            }
        )
        nodes.append(node)
    for node in nodes:
        node.env["CADENCE_BASE_URL"] = node.url
        node.start()
    return nodes


def check_two_nodes(nodes: list[Gunicorn], cookie: str) -> None:
    hosts = [node.url.removeprefix("http://") for node in nodes]
    alice, bob = connect(hosts[0], cookie), connect(hosts[1], cookie)
    try:
        assert alice.synced.wait(10)
        assert bob.synced.wait(10)
        alice.send(protocol.awareness(awareness_of(alice, "Alice")))
        assert bob.wait(lambda: alice.doc.client_id in bob.presence, 10)
        assert json.loads(bob.presence[alice.doc.client_id])["user"]["name"] == "scribe@example.org"
        alice.type("typed on node one\n")
        bob.type("typed on node two\n")
        for client in (alice, bob):
            assert client.wait(lambda c=client: "node one" in c.value() and "node two" in c.value())
    finally:
        alice.close()
        bob.close()


def check_presence_reaches_a_late_worker(nodes: list[Gunicorn], cookie: str) -> None:
    """Bob opens the document on a process that had it closed: Alice, already on the page on
    the other node, appears at once (this client never renews its presence; browsers do so only
    every 15 seconds)."""
    hosts = [node.url.removeprefix("http://") for node in nodes]
    alice = connect(hosts[0], cookie)
    bob = None
    try:
        assert alice.synced.wait(10)
        alice.send(protocol.awareness(awareness_of(alice, "Alice")))
        time.sleep(0.5)  # her presence is noted on node one before Bob's process opens the notes
        bob = connect(hosts[1], cookie)
        assert bob.synced.wait(10)
        assert bob.wait(lambda: alice.doc.client_id in bob.presence, 5)
    finally:
        alice.close()
        if bob is not None:
            bob.close()


def awareness_of(client: YClient, name: str) -> bytes:
    entry = protocol.awareness_entry(client.doc.client_id, 1, json.dumps({"user": {"name": name}}))
    return b"\x01" + entry


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("Redis: set REDIS_URL")
    return url  # type: ignore[return-value]


def test_two_nodes_fan_out_through_redis(redis_url: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    secret, cookie = prepare(url, tmp_path)
    nodes = two_nodes(url, secret, tmp_path, REDIS_URL=redis_url)
    try:
        check_two_nodes(nodes, cookie)
        check_presence_reaches_a_late_worker(nodes, cookie)
    finally:
        for node in nodes:
            node.stop()


def test_two_nodes_fan_out_through_postgresql_notify(private_postgres: Any, tmp_path: Path) -> None:
    postgres = private_postgres.url
    secret, cookie = prepare(postgres, tmp_path)
    nodes = two_nodes(postgres, secret, tmp_path, REDIS_URL="")
    try:
        check_two_nodes(nodes, cookie)
        check_presence_reaches_a_late_worker(nodes, cookie)
    finally:
        for node in nodes:
            node.stop()
