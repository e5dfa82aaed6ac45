"""What the test-client benches share (``cfp_lists.py``, ``grid.py``): a temporary database of
each kind with the site built in it and an organizer signed in, and p50/p95 timing."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.dashboard import PASSWORD, database
from webapp import audit, create_app
from webapp.auth import services as accounts
from webapp.extensions import db


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
        client.post("/login", data={"email": "olivia@example.org", "password": PASSWORD})
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
