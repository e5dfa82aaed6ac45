"""The rendered-feed store: written in a short transaction of its own, never by a GET's session."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.meetings.test_feeds import cli
from webapp.extensions import db


def test_a_feed_get_never_commits_the_request_session(app, client, runner) -> None:
    cli(runner, "create", "owls", "--title", "Owls", "--timezone", "Europe/Bucharest",
        "--start", "2026-01-08 18:00", "--duration", "60")  # fmt: skip
    commits: list[Session] = []

    def seen(session: Session) -> None:
        commits.append(session)

    event.listen(Session, "after_commit", seen)
    try:
        for path in ("/calendar/owls.ics", "/calendar.ics", "/meetings/owls/2026-01-22.ics"):
            app.config["FEED_FAST_PATH"] = False
            assert client.get(path).status_code == 200
    finally:
        event.remove(Session, "after_commit", seen)
    assert commits == []
    with app.app_context():
        keys = set(db.session.scalars(sa.text("SELECT key FROM rendered_feeds")))
    # Stored for every worker, by their own transaction; one-meeting files only in memory.
    assert keys == {"series:owls", "all"}


def test_last_modified_comes_from_the_data_not_the_render(app, client, runner) -> None:
    """The stored renders are lost (table emptied, a new process): rendered again an hour later,
    the same bytes carry the same ETag and the same Last-Modified, the latest change of the data."""
    from datetime import timedelta

    from tests.meetings.conftest import NOW
    from webapp.meetings.feeds import cache

    cli(runner, "create", "owls", "--title", "Owls", "--timezone", "Europe/Bucharest",
        "--start", "2026-01-08 18:00", "--duration", "60")  # fmt: skip
    app.config["FEED_FAST_PATH"] = False
    paths = ("/calendar/owls.ics", "/calendar.ics", "/meetings/owls/2026-01-22.ics")
    before = {path: client.get(path) for path in paths}
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM rendered_feeds"))
        db.session.commit()
    cache.memory.clear()
    app.config["CADENCE_NOW"] = NOW + timedelta(hours=1)
    for path in paths:
        after = client.get(path)
        assert after.data == before[path].data, path
        assert after.headers["ETag"] == before[path].headers["ETag"], path
        assert after.headers["Last-Modified"] == before[path].headers["Last-Modified"], path
        since = client.get(path, headers={"If-Modified-Since": after.headers["Last-Modified"]})
        assert since.status_code == 304, path
