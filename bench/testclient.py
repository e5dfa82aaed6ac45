"""What the test-client benches share (``cfp_lists.py``, ``dashboard.py``, ``grid.py``): a
temporary database of each kind with the site built in it and an organizer signed in, and p50/p95
timing."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp import audit, create_app
from webapp.auth import services as accounts
from webapp.config import normalise_database_url
from webapp.extensions import db

PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway account in a temporary database


@contextmanager
def database(kind: str, url: str | None, tmp: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A database URL and engine options: a SQLite file in ``tmp``, or a fresh schema on the
    PostgreSQL server ``url``, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite'}", {}
        return
    assert url is not None
    url = normalise_database_url(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def kinds(database_url: str | None) -> list[tuple[str, str | None]]:
    """SQLite, and PostgreSQL when ``--database-url`` names a server."""
    return [("sqlite", None)] + ([("postgresql", database_url)] if database_url else [])


@contextmanager
def organizer_site(
    kind: str, url: str | None, now: datetime, build: Callable[[], Any]
) -> Iterator[tuple[Any, Any, Any]]:
    """``(app, client, built)``: ``build()`` run in a fresh database (tables made from the
    models) at ``now``, and a test client signed in as an organizer."""
    with (
        tempfile.TemporaryDirectory() as tmpdir,
        database(kind, url, Path(tmpdir)) as (db_url, options),
    ):
        config: dict[str, Any] = {
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "INSTANCE_PATH": str(Path(tmpdir) / "instance"),
            "SQLALCHEMY_DATABASE_URI": db_url,
            "FAST_PASSWORD_HASH": True,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_SEND_AFTER_COMMIT": False,
            "CADENCE_NOW": now,
        }
        if options:
            config["SQLALCHEMY_ENGINE_OPTIONS"] = options
        app = create_app(config)
        with app.app_context():
            db.create_all()
            built = build()
            accounts.create_user("olivia@example.org", PASSWORD, {"organizer"}, audit.CLI)
            db.session.commit()
        client = app.test_client()
        signed_in = client.post(
            "/login", data={"email": "olivia@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, "the organizer could not sign in"
        try:
            yield app, client, built
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def timed(call: Callable[[], Any], requests: int) -> tuple[float, float]:
    """p50 and p95 of ``requests`` calls, in ms."""
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(len(times) * 0.95) - 1]
