"""Checks of public pages served from stored renders (``webapp.page_cache``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from webapp import create_app
from webapp.extensions import db


@contextmanager
def renders(app: Flask) -> Iterator[list[str]]:
    """The names of the templates Flask renders meanwhile (Flask's own signal)."""
    seen: list[str] = []

    def note(_sender: Flask, template: object, **_kw: object) -> None:
        seen.append(str(getattr(template, "name", template)))

    template_rendered.connect(note, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(note, app)


def assert_stored(app: Flask, client: FlaskClient, path: str) -> Any:
    """``path`` is answered from its stored render: no template rendered, no cookie, the same
    bytes and validators, a 304 for either validator, HEAD without a body. Returns the answer."""
    first = client.get(path)
    assert first.status_code == 200, path
    with renders(app) as seen:
        again = client.get(path)
    assert seen == [], f"{path} was rendered again"
    assert again.data == first.data, path
    assert "Set-Cookie" not in again.headers, path
    assert again.headers["ETag"] == first.headers["ETag"], path
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"], path
    etag = {"If-None-Match": first.headers["ETag"]}
    assert client.get(path, headers=etag).status_code == 304, path
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get(path, headers=since).status_code == 304, path
    head = client.head(path)
    assert head.status_code == 200, path
    assert head.data == b"", path
    return again


def lose_stored_renders(app: Flask, app_config: dict[str, Any], now: Any) -> Flask:
    """Empty the table of stored renders and start a new process's app (empty memories)."""
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM rendered_feeds"))
        db.session.commit()
    fresh = create_app(app_config)
    fresh.config["CADENCE_NOW"] = now
    return fresh


def assert_same_after_loss(
    app: Flask, app_config: dict[str, Any], client: FlaskClient, paths: list[str], clock: Any
) -> None:
    """With the renders lost and made again three minutes later (the data unchanged, no page
    changing by itself meanwhile), each path says the same ETag and Last-Modified: both come
    from the data, not from the time of the render."""
    before = {p: client.get(p) for p in paths}
    clock.now += timedelta(minutes=3)
    fresh = lose_stored_renders(app, app_config, clock)
    other = fresh.test_client()
    for path in paths:
        after = other.get(path)
        assert after.status_code == 200, path
        assert after.headers["ETag"] == before[path].headers["ETag"], path
        assert after.headers["Last-Modified"] == before[path].headers["Last-Modified"], path
    with fresh.app_context():
        db.engine.dispose()
