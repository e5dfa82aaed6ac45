"""Production hardening, checked from the outside: HTTPS behind a proxy, session expiry, the
request size limit (on the CFP form: tests/cfp/test_request_limit.py), and the test-only
delay hook that production ignores."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import request

from tests.conftest import TEST_PASSWORD, login
from webapp import create_app
from webapp.config import from_environment
from webapp.security import public

HTTPS_BEHIND_PROXY = {"CADENCE_BASE_URL": "https://cadence.example.org", "PROXY_FIX": True}


@pytest.mark.app_config(**HTTPS_BEHIND_PROXY)
def test_behind_a_tls_proxy_cookies_are_secure_hsts_is_sent_and_the_scheme_is_https(
    app, make_user
) -> None:
    @app.route("/_scheme")
    @public
    def scheme() -> dict[str, object]:
        return {
            "scheme": request.scheme,
            "secure": request.is_secure,
            "remote": request.remote_addr,
        }

    client = app.test_client()
    proxy = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Host": "cadence.example.org",
    }
    assert client.get("/_scheme", headers=proxy).get_json() == {
        "scheme": "https",
        "secure": True,
        "remote": "203.0.113.7",
    }
    user = make_user(roles=("admin",))
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD}, headers=proxy
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie
    page = client.get("/", headers=proxy)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_plain_http_base_url_sends_no_hsts_and_no_secure_cookie(app, client, make_user) -> None:
    response = login(client, make_user(roles=("admin",)).email)
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.app_config(PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
def test_a_session_older_than_its_lifetime_is_refused(app, make_user) -> None:
    user = make_user(roles=("organizer",))
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert client.get("/organize/conferences/").status_code == 200
    old = cookie.value
    time.sleep(2.1)
    # The same signed cookie, replayed by hand (a browser would have dropped it): the server
    # checks the signature's age itself and treats the request as anonymous.
    replay = app.test_client()
    replay.set_cookie("session", old)
    response = replay.get("/organize/conferences/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_test_only_delay_is_read_from_the_environment_and_ignored_in_production(
    tmp_path: Path,
) -> None:
    assert from_environment({"CFP_TEST_DELAY_SECONDS": "2.5", "PROXY_FIX": "1"}) == {
        "CFP_TEST_DELAY_SECONDS": 2.5,
        "PROXY_FIX": True,
    }
    base = {
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
    }
    assert create_app(base).config["CFP_TEST_DELAY_SECONDS"] == 0
    assert create_app({**base, "CFP_TEST_DELAY_SECONDS": 3}).config["CFP_TEST_DELAY_SECONDS"] == 3
    production = {
        **base,
        "CADENCE_ENV": "production",
        "SECRET_KEY": "p" * 40,
        "CFP_TEST_DELAY_SECONDS": 3,
    }
    assert create_app(production).config["CFP_TEST_DELAY_SECONDS"] == 0
