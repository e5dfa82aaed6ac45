"""Rate limits are shared by every worker through Redis when REDIS_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
from flask import Flask

from tests.conftest import login, service_missing
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("Redis: set REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as exc:
        service_missing(f"Redis at {url} is not reachable: {exc}")
    return url  # type: ignore[return-value]


def _two_workers(app_config: dict, redis_url: str, limit: str) -> list[Flask]:
    """Two apps (as two gunicorn workers would be) sharing one Redis and one key prefix."""
    prefix = f"cadence-test-{uuid.uuid4().hex}"
    config = dict(
        app_config,
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT=limit,
    )
    return [create_app(dict(config)) for _ in ("one", "two")]


def test_two_workers_share_the_failed_login_limit(
    app_config: dict, redis_url: str, make_user
) -> None:
    user = make_user(roles=("admin",))
    workers = _two_workers(app_config, redis_url, "4 per minute")
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == redis_url
    one, two = (w.test_client() for w in workers)
    assert login(one, user.email).status_code == 302  # the account is real; successes are free
    one.post("/logout")
    assert login(one, user.email, "wrong-1").status_code == 200
    assert login(two, user.email, "wrong-2").status_code == 200
    assert login(one, user.email, "wrong-3").status_code == 200
    assert login(two, user.email, "wrong-4").status_code == 200
    # the fifth failure, whichever worker gets it, is over the shared limit
    assert login(one, user.email, "wrong-5").status_code == 429
    assert login(two, user.email, "wrong-6").status_code == 429
    for w in workers:
        with w.app_context():
            db.engine.dispose()


def test_two_workers_share_the_current_password_limit(
    app_config: dict, redis_url: str, make_user
) -> None:
    user = make_user(roles=("scribe",))
    workers = _two_workers(app_config, redis_url, "3 per minute")
    one, two = (w.test_client() for w in workers)
    assert login(one, user.email).status_code == 302
    assert login(two, user.email).status_code == 302
    wrong = {"current": "not it", "password": "a-new-password-1", "confirm": "a-new-password-1"}
    for client in (one, two, one):
        assert client.post("/account/password", data=wrong).status_code == 200
    assert two.post("/account/password", data=wrong).status_code == 429
    for w in workers:
        with w.app_context():
            db.engine.dispose()
