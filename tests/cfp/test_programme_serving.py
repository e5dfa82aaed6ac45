"""The programme's exports are served like every feed: a stored render, validators, 304, HEAD,
no cookie, and below Flask once recorded (``webapp.meetings.feeds.http``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import _place, _release
from webapp.extensions import db

PATHS = ["/conferences/bhyvecon-2027/program.ics", "/conferences/bhyvecon-2027/schedule.json"]


@pytest.mark.parametrize("path", PATHS)
def test_programme_exports_are_stored_renders(app, client, programme, path) -> None:
    c, codes, organizer = programme
    app.config["FEED_FAST_PATH"] = False
    first = client.get(path)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"].startswith("public")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    with app.app_context():
        keys = set(db.session.scalars(sa.text("SELECT key FROM rendered_feeds")))
    assert f"programme:bhyvecon-2027:{path.rsplit('/', 1)[1]}" in keys
    app.config["FEED_FAST_PATH"] = True
    recorded, replayed = client.get(path), client.get(path)
    assert replayed.data == recorded.data == first.data
    assert replayed.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    head = client.head(path)
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(first.data))
    _place(organizer, codes["lightning"], c.rooms[1].id, "2027-06-11", "15:00")
    _release(organizer, "A talk moved.")  # the public exports show the latest release
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert client.get("/conferences/nope/program.ics").status_code == 404
