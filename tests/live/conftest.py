"""A real server for the socket tests: the app under Werkzeug's threaded server (what
``make run`` uses), and clients signed in by role."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import login
from tests.minutes.conftest import bhyve  # noqa: F401 - the series fixture
from tests.servers import free_port


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
