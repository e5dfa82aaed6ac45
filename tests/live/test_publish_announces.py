"""The call page's Publish tells the series' list, once: the minutes mail goes through the same
save as every other way of publishing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.live.yclient import connect
from webapp import audit
from webapp.announcements import settings as announcement_settings
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.models import OutboxMessage

LIVE = "/meetings/bhyve/2019-02-07/live"


def test_publish_on_the_call_page_queues_one_minutes_mail(
    app: Any, live_server: str, cookie_as: Any, client_as: Any, started: int
) -> None:
    with app.app_context():
        announcement_settings.change(
            meetings.get_series("bhyve"), audit.CLI, to=["bhyve-list@example.org"]
        )
        db.session.commit()
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("Decision: ship it\n")
    assert typist.wait(lambda: typist.acked == typist.sent == 2)
    organizer = client_as("organizer")
    assert organizer.post(f"{LIVE}/save", data={"action": "save"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert organizer.post(f"{LIVE}/save", data={"action": "publish"}).status_code == 302
    assert organizer.post(f"{LIVE}/save", data={"action": "publish"}).status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert [(m.template, m.to_addr) for m in rows] == [
            ("announce_minutes", "bhyve-list@example.org")
        ]
        assert rows[0].message_id.startswith("<minutes.bhyve.2019-02-07.")
    typist.close()
