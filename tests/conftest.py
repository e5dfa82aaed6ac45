"""Fixtures: a fresh app and database per test, clients signed in per role, factories.

``TEST_DATABASE_URL`` selects PostgreSQL (each test gets its own schema, dropped afterwards);
otherwise each test gets a SQLite file in its ``tmp_path``. ``@pytest.mark.app_config(KEY=value)``
overrides configuration for one test (for example ``WTF_CSRF_ENABLED=True``).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from webapp import create_app, zonedata
from webapp.extensions import db
from webapp.models import User

pytest_plugins = ["tests.mail_fixtures"]

# The app computes with the zone data it pins (webapp.zonedata); so does every test, also those
# that use webapp.ical or zoneinfo without an app.
zonedata.pin()

TEST_PASSWORD = "correct horse battery staple"
ROLES = ("admin", "organizer", "reviewer", "scribe")


def service_missing(what: str) -> None:
    """Skip for a missing optional service, except in CI, where every service must be there."""
    if os.environ.get("CADENCE_REQUIRE_SERVICES"):
        pytest.fail(f"{what} (CADENCE_REQUIRE_SERVICES is set: CI must run this test)")
    pytest.skip(what)


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("POSTGRES_TEST_URL")


@pytest.fixture
def pg_schema_url() -> Iterator[tuple[str, dict[str, Any]]]:
    """A PostgreSQL URL and engine options that confine the test to a fresh schema."""
    url = postgres_url()
    if not url:
        service_missing("PostgreSQL: set TEST_DATABASE_URL or POSTGRES_TEST_URL")
    yield from _pg_schema(url)  # type: ignore[arg-type]


def _pg_schema(url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    from webapp.config import normalise_database_url

    url = normalise_database_url(url)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        service_missing(f"PostgreSQL at {url} is not reachable: {exc.orig}")
    options = {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}
    try:
        yield url, options
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, Any]]]:
    if os.environ.get("TEST_DATABASE_URL"):
        yield from _pg_schema(os.environ["TEST_DATABASE_URL"])
    else:
        yield f"sqlite:///{tmp_path / 'test.sqlite'}", {}


def make_test_config(tmp_path: Path, url: str, engine_options: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "FAST_PASSWORD_HASH": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FEED_VERSION_TTL": 0,  # every request sees the latest change
        "CADENCE_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens: tests that need mail start their own server
    }
    if engine_options:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return config


@pytest.fixture
def app_config(
    request: pytest.FixtureRequest, tmp_path: Path, database: tuple[str, dict[str, Any]]
) -> dict[str, Any]:
    url, options = database
    config = make_test_config(tmp_path, url, options)
    for marker in reversed(list(request.node.iter_markers("app_config"))):
        config.update(marker.kwargs)
    return config


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    yield app
    live = app.extensions.get("cadence_live")
    if live is not None:
        live.stop()  # its janitor and listener must not outlive the test's database
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """``make_user(email=..., roles=(...), password=..., active=True)`` → a committed User."""
    from webapp import audit
    from webapp.auth import services

    def make(
        email: str | None = None,
        roles: tuple[str, ...] | list[str] = (),
        password: str = TEST_PASSWORD,
        name: str = "",
        active: bool = True,
    ) -> User:
        email = email or f"{'-'.join(roles) or 'user'}-{uuid.uuid4().hex[:6]}@example.org"
        with app.app_context():
            user = services.create_user(email, password, set(roles), audit.CLI, name=name)
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def login(client: FlaskClient, email: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def client_as(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """``client_as("organizer")`` → a test client signed in as a new user with that role."""

    def make(*roles: str) -> FlaskClient:
        user = make_user(roles=roles)
        c = app.test_client()
        response = login(c, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user  # type: ignore[attr-defined]
        return c

    return make


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def private_postgres() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster on its own port (tests.servers.PrivatePostgres)."""
    from tests.servers import PrivatePostgres, postgres_bin

    if postgres_bin() is None:
        service_missing("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not installed")
    try:
        server = PrivatePostgres().start()
    except (RuntimeError, FileNotFoundError) as exc:
        service_missing(f"cannot start a private PostgreSQL: {exc}")
    yield server
    server.stop()
