"""The dashboard sends as many SQL statements for ten years of meetings and 2,000 submissions as
for one year and twenty: everything is counted with GROUP BY, nothing is loaded row by row."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import _pg_schema, login, make_test_config
from tests.dashboard.bigdata import NOW, build
from tests.querycount import count_queries
from webapp import audit, create_app
from webapp.auth import services as accounts
from webapp.extensions import db

PASSWORD = "correct horse battery staple"


def _app(tmp_path: Path, name: str) -> Iterator[Flask]:
    schema = None
    if os.environ.get("TEST_DATABASE_URL"):
        schema = _pg_schema(os.environ["TEST_DATABASE_URL"])
        url, options = next(schema)
    else:
        url, options = f"sqlite:///{tmp_path / name}.sqlite", {}
    app = create_app(dict(make_test_config(tmp_path / name, url, options), CADENCE_NOW=NOW))
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema is not None:
            schema.close()


@pytest.fixture
def small_app(tmp_path: Path) -> Iterator[Flask]:
    yield from _app(tmp_path, "small")


@pytest.fixture
def big_app(tmp_path: Path) -> Iterator[Flask]:
    yield from _app(tmp_path, "big")


def dashboard_queries(app: Flask, years: int, submissions: int) -> tuple[int, str, list[str]]:
    with app.app_context():
        build(NOW, years=years, submissions=submissions)
        accounts.create_user("olivia@example.org", PASSWORD, {"organizer"}, audit.CLI)
        db.session.commit()
    client = app.test_client()
    assert login(client, "olivia@example.org", PASSWORD).status_code == 302
    with app.app_context(), count_queries(db.engine) as counter:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True), counter.statements


def test_dashboard_queries_do_not_grow_with_the_data(small_app: Flask, big_app: Flask) -> None:
    small, small_page, _ = dashboard_queries(small_app, years=1, submissions=20)
    started = time.monotonic()
    big, big_page, statements = dashboard_queries(big_app, years=10, submissions=2000)
    elapsed = time.monotonic() - started

    # Every submission is counted, as the list counts them; the withdrawn are named apart.
    assert '<span class="cfp-total">20 submissions</span> (1 withdrawn)' in small_page
    assert '<span class="cfp-total">2000 submissions</span> (100 withdrawn)' in big_page
    assert re.search(r"carried 2\d\d meetings", big_page)  # the oldest follow-ups, ten years back
    assert "Open follow-ups" in big_page
    assert big == small, "\n\n".join(statements)
    assert big <= 40, f"{big} statements"
    assert elapsed < 20
