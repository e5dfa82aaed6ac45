"""The way in: "Take minutes" from 30 minutes before a meeting until its minutes are published,
for signed-in scribes and organizers only, on the meeting, series, dashboard and home pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import Minutes

DAY = date(2019, 2, 7)
START = datetime(2019, 2, 7, 21, tzinfo=UTC)  # 16:00 in New York
MEETING = f"/meetings/bhyve/{DAY}"
LIVE = f"{MEETING}/live"


def at(app, when: datetime) -> None:
    app.config["CADENCE_NOW"] = when


def take_targets(html: str) -> list[str]:
    """Where each "Take minutes" on a page leads (a link, or a form that starts the minutes)."""
    found = []
    for match in re.finditer(
        r'<(?:a href|form method="post" action)="([^"]+)"[^>]*>\s*(?:<input[^>]*>\s*<button[^>]*>)?'
        r"Take minutes",
        html,
    ):
        found.append(match.group(1))
    return found


def publish(app, day: date = DAY) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, day, audit.CLI, START)
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput("Notes.\n", "", [], "published"),
            audit.CLI,
            START,
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (timedelta(minutes=-31), False),
        (timedelta(minutes=-30, seconds=-1), False),
        (timedelta(minutes=-30), True),
        (timedelta(minutes=5), True),  # under way
        (timedelta(days=3), True),  # over, minutes not published
    ],
)
def test_window_opens_30_minutes_before_the_start(app, client_as, bhyve, offset, shown) -> None:
    at(app, START + offset)
    page = client_as("scribe").get(MEETING).get_data(as_text=True)
    assert (take_targets(page) == [f"{LIVE}/start"]) is shown, page


def test_the_window_opens_at_30_minutes_before_not_31(app, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    at(app, START - timedelta(minutes=31))
    assert take_targets(scribe.get(MEETING).get_data(as_text=True)) == []
    for minutes in (30, 29):
        at(app, START - timedelta(minutes=minutes))
        assert take_targets(scribe.get(MEETING).get_data(as_text=True)) == [f"{LIVE}/start"]


def test_published_minutes_close_the_window(app, client_as, bhyve) -> None:
    at(app, START + timedelta(days=1))
    organizer = client_as("organizer")
    assert take_targets(organizer.get(MEETING).get_data(as_text=True)) == [f"{LIVE}/start"]
    publish(app)
    assert take_targets(organizer.get(MEETING).get_data(as_text=True)) == []
    assert take_targets(organizer.get("/series/bhyve").get_data(as_text=True)) == []
    assert take_targets(organizer.get("/dashboard/").get_data(as_text=True)) == []


def test_anonymous_visitors_and_reviewers_never_see_it(app, client, client_as, bhyve) -> None:
    at(app, START + timedelta(minutes=10))
    reviewer = client_as("reviewer")
    for path in (MEETING, "/series/bhyve", "/"):
        assert "Take minutes" not in client.get(path).get_data(as_text=True), path
        assert "Take minutes" not in reviewer.get(path).get_data(as_text=True), path


def test_start_is_a_post_that_opens_the_call_page(app, client_as, bhyve) -> None:
    at(app, START + timedelta(minutes=1))
    scribe = client_as("scribe")
    assert scribe.get(f"{LIVE}/start").status_code == 405
    response = scribe.post(f"{LIVE}/start")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LIVE)
    assert scribe.get(LIVE).status_code == 200
    with app.app_context():
        assert db.session.query(Minutes).count() == 1
    # Once started, "Take minutes" is a plain link to the call page; a second start changes nothing.
    assert take_targets(scribe.get(MEETING).get_data(as_text=True)) == [LIVE]
    assert scribe.post(f"{LIVE}/start").status_code == 302
    with app.app_context():
        assert db.session.query(Minutes).count() == 1


def test_start_needs_csrf_and_a_scribe(app, client, bhyve) -> None:
    at(app, START)
    assert client.post(f"{LIVE}/start").status_code in (302, 401, 403)
    with app.app_context():
        assert db.session.query(Minutes).count() == 0


def test_series_page_offers_the_current_then_the_last_unpublished_meeting(
    app, client_as, bhyve
) -> None:
    scribe = client_as("scribe")
    at(app, START + timedelta(minutes=20))
    assert take_targets(scribe.get("/series/bhyve").get_data(as_text=True)) == [f"{LIVE}/start"]
    at(app, START + timedelta(days=5))  # over; the next one (02-21) is days away
    assert take_targets(scribe.get("/series/bhyve").get_data(as_text=True)) == [f"{LIVE}/start"]
    at(app, datetime(2019, 2, 21, 20, 45, tzinfo=UTC))  # 15 minutes before the next one
    assert take_targets(scribe.get("/series/bhyve").get_data(as_text=True)) == [
        "/meetings/bhyve/2019-02-21/live/start"
    ]


def test_dashboard_offers_take_minutes_in_place_of_write_the_minutes(app, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    at(app, START - timedelta(minutes=40))
    page = scribe.get("/dashboard/").get_data(as_text=True)
    assert f"{LIVE}/start" not in take_targets(page)
    at(app, START - timedelta(minutes=10))
    # The one about to start, and the one before it, held without minutes.
    assert take_targets(scribe.get("/dashboard/").get_data(as_text=True)) == [
        f"{LIVE}/start",
        "/meetings/bhyve/2019-01-24/live/start",
    ]
    at(app, START + timedelta(days=2))
    page = scribe.get("/dashboard/").get_data(as_text=True)
    assert "No minutes yet for 2019-02-07." in page
    assert take_targets(page) == [f"{LIVE}/start"]
    assert "Write the minutes" not in page
    assert "Edit the minutes" not in page
    scribe.post(f"{LIVE}/start")
    page = scribe.get("/dashboard/").get_data(as_text=True)
    assert "Minutes of 2019-02-07 are still a draft." in page
    assert take_targets(page) == [LIVE]


def test_home_page_offers_it_while_the_meeting_is_current_or_next(app, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    at(app, START - timedelta(minutes=25))
    assert take_targets(scribe.get("/").get_data(as_text=True)) == [f"{LIVE}/start"]
    at(app, START + timedelta(minutes=59))
    assert take_targets(scribe.get("/").get_data(as_text=True)) == [f"{LIVE}/start"]
    at(app, START + timedelta(minutes=61))  # over: the next meeting is two weeks away
    assert take_targets(scribe.get("/").get_data(as_text=True)) == []


def test_cancelled_meeting_offers_nothing(app, client_as, bhyve) -> None:
    with app.app_context():
        meetings.cancel(meetings.get_series("bhyve"), DAY, audit.CLI, reason="FOSDEM")
        db.session.commit()
    at(app, START)
    assert take_targets(client_as("scribe").get(MEETING).get_data(as_text=True)) == []


def test_cancelled_meeting_refuses_the_call_page_and_its_start(app, client_as, bhyve) -> None:
    with app.app_context():
        meetings.cancel(meetings.get_series("bhyve"), DAY, audit.CLI, reason="FOSDEM")
        db.session.commit()
    at(app, START)
    scribe = client_as("scribe")
    page = scribe.get(LIVE)
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert "was cancelled: cancelled meetings take no minutes" in text
    assert "Start the minutes" not in text
    assert scribe.post(f"{LIVE}/start").status_code == 409
    with app.app_context():
        assert db.session.query(Minutes).count() == 0
