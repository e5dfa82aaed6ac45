"""The conference's public pages from stored renders; the CFP form is rendered per visitor."""

from __future__ import annotations

from datetime import timedelta

from tests.cfp.conftest import CLOSES_UTC
from tests.stored_pages import assert_same_after_loss, assert_stored, renders


def _renders(app, client, path: str) -> list[str]:
    with renders(app) as seen:
        client.get(path)
    return seen


def test_the_conference_pages_are_stored_renders(app, app_config, client, programme) -> None:
    conference, codes, _organizer = programme
    base = f"/conferences/{conference.slug}"
    paths = [
        "/conferences/",
        f"{base}/",
        f"{base}/program",
        f"{base}/talks/{codes['keynote']}",
        f"{base}/program/changes",
    ]
    for path in paths:
        assert_stored(app, client, path)
    feeds = [f"{base}/program/changes.atom", f"{base}/program.ics", f"{base}/schedule.json"]
    clock = app.config["CADENCE_NOW"]
    assert_same_after_loss(app, app_config, client, paths + feeds, clock)


def test_the_countdown_moves_on_by_itself(app, client, make_conference, clock) -> None:
    conference = make_conference()
    path = f"/conferences/{conference.slug}/"
    clock.now = CLOSES_UTC - timedelta(days=3, hours=1)
    assert "closes in 3 days" in client.get(path).get_data(as_text=True)
    assert _renders(app, client, path) == []  # stored
    clock.now = CLOSES_UTC - timedelta(days=2, hours=23)
    assert "closes in 2 days" in client.get(path).get_data(as_text=True)
    clock.now = CLOSES_UTC - timedelta(hours=5, minutes=30)
    assert "closes in 5 hours" in client.get(path).get_data(as_text=True)
    clock.now = CLOSES_UTC - timedelta(minutes=90)
    assert "closes in 90 minutes" in client.get(path).get_data(as_text=True)
    clock.now = CLOSES_UTC + timedelta(seconds=1)
    page = client.get(path).get_data(as_text=True)
    assert "The call for papers is closed." in page


def test_the_cfp_form_keeps_its_cookie_and_is_never_stored(
    app, client, make_conference, clock
) -> None:
    conference = make_conference()
    app.config["WTF_CSRF_ENABLED"] = True
    path = f"/conferences/{conference.slug}/cfp"
    first = client.get(path)
    assert first.status_code == 200
    assert "ETag" not in first.headers
    assert _renders(app, client, path)
    fresh = app.test_client()
    assert "Set-Cookie" in fresh.get(path).headers
