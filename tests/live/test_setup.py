"""The set-up around the shared notes: a configuration that cannot fan out refuses to start,
the call page's CSP, starting the minutes from the call page, and compaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_config
from tests.live.yclient import connect
from webapp import create_app
from webapp.config import ConfigError
from webapp.extensions import db
from webapp.live import store
from webapp.live.fanout import choose
from webapp.models import LiveUpdate

SQLITE = "sqlite:////tmp/cadence.sqlite"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1/cadence"


@pytest.mark.parametrize(
    ("config", "url", "chosen"),
    [
        ({}, SQLITE, "poll"),
        ({}, POSTGRES, "postgres"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, SQLITE, "redis"),
        ({"LIVE_FANOUT": "poll"}, POSTGRES, "poll"),
    ],
)
def test_the_fan_out_follows_the_configuration(config, url, chosen):
    assert choose(config, url) == (chosen, None)


@pytest.mark.parametrize(
    ("config", "url", "reason"),
    [
        ({"LIVE_FANOUT": "postgres"}, SQLITE, "needs DATABASE_URL to be PostgreSQL"),
        ({"LIVE_FANOUT": "redis"}, SQLITE, "REDIS_URL is ''"),
        ({"REDIS_URL": "memory://"}, SQLITE, "REDIS_URL is 'memory://'"),
        ({}, "sqlite://", "in-memory SQLite"),
        ({"LIVE_FANOUT": "carrier pigeon"}, SQLITE, "expected auto, redis, postgres or poll"),
    ],
)
def test_a_configuration_that_cannot_fan_out_is_refused(config, url, reason):
    kind, why = choose(config, url)
    assert kind == ""
    assert reason in (why or "")


def test_the_app_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    config = make_test_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", {})
    config["LIVE_FANOUT"] = "postgres"
    with pytest.raises(ConfigError) as refused:
        create_app(config)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("cadence: configuration error: LIVE_FANOUT=postgres")


def test_only_the_call_page_allows_its_style_nonce(client_as, started):
    scribe = client_as("scribe")
    page = scribe.get("/meetings/bhyve/2019-02-07/live")
    policy = page.headers["Content-Security-Policy"]
    assert "style-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'data-nonce="{nonce}"' in page.get_data(as_text=True)
    assert "'unsafe-inline'" not in policy
    other = scribe.get("/meetings/bhyve/2019-02-07/minutes/edit")
    assert "style-src 'self';" in other.headers["Content-Security-Policy"]


def test_the_call_page_offers_to_start_the_minutes(app, client_as, bhyve):
    scribe = client_as("scribe")
    page = scribe.get("/meetings/bhyve/2019-02-07/live").get_data(as_text=True)
    assert "Start the minutes" in page
    response = scribe.post("/meetings/bhyve/2019-02-07/live/start")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/meetings/bhyve/2019-02-07/live")
    page = scribe.get("/meetings/bhyve/2019-02-07/live").get_data(as_text=True)
    assert 'id="live-editor"' in page


def test_compaction_keeps_the_text_and_drops_the_revised_updates(
    app: Any, live_server, cookie_as, client_as, started
):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    for word in ("one ", "two ", "three "):
        typist.type(word)
    assert typist.wait(lambda: typist.acked == 4)

    def stored() -> tuple[int, str]:
        with app.app_context(), db.engine.connect() as conn:
            rows = conn.scalar(sa.select(sa.func.count()).select_from(LiveUpdate))
            loaded = store.load(conn, started)
            assert loaded is not None
            return rows or 0, store.text_of(loaded.doc())

    rows, text = stored()
    with app.app_context():
        assert store.compact(db.engine, started) == 0  # nothing is in a revision yet
    assert client_as("organizer").post("/meetings/bhyve/2019-02-07/live/save").status_code == 302
    with app.app_context():
        assert store.compact(db.engine, started) == rows
    assert stored() == (0, text)
    typist.type("four")
    assert typist.wait(lambda: typist.acked == 5)
    with app.app_context():  # a compacted seq is never given again (SQLite AUTOINCREMENT)
        assert db.session.scalar(sa.select(sa.func.min(LiveUpdate.seq))) > rows
    typist.close()  # the document leaves memory: the next one loads the snapshot and one row
    again = connect(live_server, cookie_as("scribe"))
    assert again.wait(lambda: again.value() == text + "four")
    again.close()
