"""Public pages from stored renders: anonymous GETs skip Flask, every change shows at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.clock import Clock, install_clock
from tests.minutes.test_pages import start
from tests.stored_pages import assert_same_after_loss, assert_stored, renders
from webapp import audit, create_app
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import Person, Series

MEETING = "/meetings/bhyve/2019-02-07"
PAGES = ("/", "/series/bhyve", MEETING, MEETING + "/minutes", MEETING + "/agenda", "/people/")
BEFORE_END = datetime(2019, 2, 7, 21, 30, tzinfo=UTC)  # the call is 21:00-22:00 UTC
AFTER_END = datetime(2019, 2, 7, 22, 1, tzinfo=UTC)


@pytest.fixture
def clock(app: Flask) -> Clock:
    return install_clock(app, AFTER_END)


def test_anonymous_pages_are_stored_renders_with_etag_and_no_cookie(
    app, client, bhyve, clock
) -> None:
    start(app, "Notes with D12345.\n", "published")
    with app.app_context():
        rod = db.session.scalar(sa.select(Person.id).where(Person.name == "Rod Grimes"))
    for path in [*PAGES, f"/people/{rod}"]:
        again = assert_stored(app, client, path)
        assert again.headers["Cache-Control"] == "no-cache"
        assert "Cookie" in again.headers["Vary"]
        assert "default-src 'self'" in again.headers["Content-Security-Policy"]


def test_lost_renders_come_back_with_the_same_etag_and_last_modified(
    app, app_config, client, bhyve, clock
) -> None:
    start(app, "Notes.\n", "published")
    assert_same_after_loss(app, app_config, client, list(PAGES), clock)


def test_a_change_by_anyone_shows_at_once(app, client, client_as, bhyve, clock) -> None:
    start(app, "First notes.\n", "published")
    assert "First notes." in client.get(MEETING + "/minutes").get_data(as_text=True)
    scribe = client_as("organizer")
    assert "First notes." in scribe.get(MEETING + "/minutes").get_data(as_text=True)
    with app.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput("Second notes.\n", "", ["Rod Grimes"], "published"),
            audit.CLI,
            AFTER_END,
        )
        db.session.commit()
    page = client.get(MEETING + "/minutes").get_data(as_text=True)
    assert "Second notes." in page
    assert "First notes." not in page
    # A bulk UPDATE (no object loaded) and a change through any other model are seen too.
    with app.app_context():
        db.session.execute(sa.update(Series).values(title="Renamed call"))
        db.session.commit()
    assert "Renamed call" in client.get("/series/bhyve").get_data(as_text=True)
    assert "Rod Grimes" in client.get("/people/").get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.name == "Rod Grimes"))
        person.name = "Rodney Grimes"
        db.session.commit()
    assert "Rodney Grimes" in client.get("/people/").get_data(as_text=True)


def test_signed_in_visitors_get_their_own_page_and_never_leave_it_behind(
    app, client, client_as, bhyve, clock
) -> None:
    start(app, "Notes.\n", "published")
    organizer = client_as("organizer")
    mine = organizer.get(MEETING + "/minutes").get_data(as_text=True)
    assert "signed in as" in mine
    with renders(app) as seen:
        again = organizer.get(MEETING + "/minutes").get_data(as_text=True)
    assert seen  # rendered for them, as before
    assert "signed in as" in again
    public = client.get(MEETING + "/minutes")
    assert "signed in as" not in public.get_data(as_text=True)
    assert "csrf_token" not in public.get_data(as_text=True)
    assert "Set-Cookie" not in public.headers


def test_the_agenda_turns_into_minutes_at_the_meetings_end_with_no_change_of_data(
    app, client, bhyve, clock
) -> None:
    clock.now = BEFORE_END
    start(app, "What we decided.\n", "published")
    before = client.get(MEETING).get_data(as_text=True)
    assert 'aria-label="Agenda"' in before
    assert client.get(MEETING).get_data(as_text=True) == before  # stored
    clock.now = AFTER_END
    after = client.get(MEETING).get_data(as_text=True)
    assert 'aria-label="Minutes"' in after


def test_the_home_page_moves_to_the_next_meeting_when_one_starts(app, client, bhyve, clock) -> None:
    clock.now = datetime(2019, 2, 7, 20, 59, tzinfo=UTC)
    first = client.get("/").get_data(as_text=True)
    assert "2019-02-07" in first
    clock.now = datetime(2019, 2, 7, 22, 0, 1, tzinfo=UTC)
    later = client.get("/").get_data(as_text=True)
    assert later != first


def test_a_render_stored_by_one_worker_serves_another(
    app, app_config, client, bhyve, clock
) -> None:
    start(app, "Shared notes.\n", "published")
    body = client.get(MEETING + "/minutes").data
    other = create_app(app_config)
    other.config["CADENCE_NOW"] = clock
    with renders(other) as seen:
        response = other.test_client().get(MEETING + "/minutes")
    assert seen == []
    assert response.data == body
    with other.app_context():
        db.engine.dispose()


def test_pages_of_the_series_history_are_stored_by_their_normal_query(
    app, client, bhyve, clock
) -> None:
    clock.now = datetime(2020, 6, 1, tzinfo=UTC)  # a call every two weeks since 2019-01-24
    second = assert_stored(app, client, "/series/bhyve?page=2")
    assert "page 2 of" in second.get_data(as_text=True)
    # Other spellings of the same page are the same stored render, not new ones.
    for same in ("?page=02", "?utm_source=x&page=2", "?page=2&page=3"):
        with renders(app) as seen:
            response = client.get("/series/bhyve" + same)
        assert seen == [], same
        assert response.data == second.data, same
    first = client.get("/series/bhyve").data
    for bad in ("?page=abc", "?page=0", "?page=-1", "?page=%C2%B2", "?page=" + "9" * 5000, "?x=1"):
        with renders(app) as seen:
            response = client.get("/series/bhyve" + bad)
        assert response.status_code == 200, bad
        assert response.data == first, bad
        assert seen == [], bad
    beyond = client.get("/series/bhyve?page=999")
    assert beyond.status_code == 404
    assert "There is no page 999" in beyond.get_data(as_text=True)
    with app.app_context():
        keys = set(db.session.scalars(sa.text("SELECT key FROM rendered_feeds")))
    assert {k for k in keys if k.startswith("page:/series/")} == {
        "page:/series/bhyve",
        "page:/series/bhyve?page=2",
    }


def test_the_cache_can_be_turned_off(app, client, bhyve, clock) -> None:
    app.config["PAGE_CACHE"] = False
    client.get("/series/bhyve")
    with renders(app) as seen:
        response = client.get("/series/bhyve")
    assert seen
    assert "ETag" not in response.headers
