"""A real server for the socket tests: the app under Werkzeug's threaded server (what
``make run`` uses), and clients signed in by role."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import login
from tests.minutes.conftest import create_bhyve
from tests.servers import free_port
from webapp import audit, clock
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc

DAY = date(2019, 2, 7)


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    port = free_port()
    app.config["CADENCE_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def cookie_as(app: Any, make_user: Callable[..., Any]) -> Callable[..., str]:
    """``cookie_as("scribe")`` → the Cookie header of a new user signed in with that role."""

    def make(*roles: str) -> str:
        user = make_user(roles=roles)
        client = app.test_client()
        assert login(client, user.email).status_code == 302
        cookie = client.get_cookie("session")
        assert cookie is not None
        return f"session={cookie.value}"

    return make


@pytest.fixture
def bhyve(app: Any) -> str:
    with app.app_context():
        create_bhyve()
        db.session.commit()
    return "bhyve"


@pytest.fixture
def started(app: Any, bhyve: str) -> int:
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, DAY, audit.CLI, clock.now())
        minutes.notes = "Roll call\n"
        db.session.commit()
        return minutes.id
