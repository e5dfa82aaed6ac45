"""Public pages of the calls, and the organizer pages (forms, errors, permissions)."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token_from
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services

# CADENCE_NOW is 2026-01-15 12:00 UTC (tests/meetings/conftest.py).


@pytest.fixture
def bhyve(app):
    with app.app_context():
        s = services.create_series(
            "bhyve",
            services.SeriesDetails(
                title="bhyve bi-weekly call",
                description="Hello *bhyve* <script>alert(1)</script>",
                join_url="https://meet.example.org/bhyve",
                agenda_template="1. Review queue",
            ),
            "America/New_York",
            date(2025, 11, 13),
            time(16),
            60,
            audit.CLI,
        )
        services.cancel(s, date(2026, 1, 22), audit.CLI, reason="FOSDEM week")
        services.move(s, date(2026, 2, 5), date(2026, 2, 6), time(10), audit.CLI)
        db.session.commit()
    return "bhyve"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_home_shows_next_meeting_in_series_zone_and_for_the_viewer(client, bhyve) -> None:
    page = text(client.get("/"))
    assert "bhyve bi-weekly call" in page
    assert "Every other Thursday at 16:00 America/New_York" in page
    # 2026-01-08 is over; 2026-01-22 is cancelled: the next meeting is 5 February, moved to the 6th.
    assert (
        '<time data-local datetime="2026-02-06T15:00:00Z">Friday 6 February 2026, 10:00 EST</time>'
        in page
    )
    assert 'href="webcal://localhost/calendar/bhyve.ics"' in page
    assert (
        "https://calendar.google.com/calendar/r?cid=webcal://localhost/calendar/bhyve.ics" in page
    )


def test_series_page_schedule_upcoming_and_past(client, bhyve) -> None:
    response = client.get("/series/bhyve")
    assert response.status_code == 200
    page = text(response)
    assert "Every other Thursday at 16:00 America/New_York" in page
    assert "Hello <em>bhyve</em> &lt;script&gt;" in page
    upcoming = page.split("Upcoming meetings")[1].split("Past meetings")[0]
    assert (
        '<del><a href="/meetings/bhyve/2026-01-22">'
        '<time data-local datetime="2026-01-22T21:00:00Z">'
        "Thursday 22 January 2026, 16:00 EST</time></a></del>" in upcoming
    )
    assert "— FOSDEM week" in upcoming
    assert "Friday 6 February 2026, 10:00 EST" in upcoming
    past = page.split("Past meetings")[1]
    assert "5 meetings since the series began" in past
    assert past.index("2026-01-08") < past.index("2025-11-13")  # newest first


def test_past_meetings_reach_back_to_the_start_in_pages(app, client) -> None:
    with app.app_context():
        services.create_series(
            "old",
            services.SeriesDetails(title="Old call"),
            "Europe/Bucharest",
            date(2019, 1, 24),
            time(18),
            60,
            audit.CLI,
        )
        db.session.commit()
    first = text(client.get("/series/old"))
    assert "182 meetings since the series began; page 1 of 10" in first
    last = text(client.get("/series/old?page=10"))
    assert "/meetings/old/2019-01-24" in last
    beyond = client.get("/series/old?page=999")
    assert beyond.status_code == 404
    assert "There is no page 999: the past meetings fill 10." in text(beyond)
    for not_a_number in ("abc", "%C2%B2", "9" * 5000):
        assert "page 1 of 10" in text(client.get("/series/old?page=" + not_a_number))


def test_meeting_page_shows_the_agenda_once(client, bhyve) -> None:
    # The series' agenda template is shown once, by the agenda panel, before the meeting.
    page = text(client.get("/meetings/bhyve/2027-01-07"))
    assert page.count("<h2>Agenda</h2>") == 1
    assert page.count("Review queue</li>") == 1
    # After the meeting, the page shows its minutes and no agenda.
    past = text(client.get("/meetings/bhyve/2026-01-08"))
    assert "<h2>Minutes</h2>" in past
    assert "<h2>Agenda</h2>" not in past


def test_meeting_page(client, bhyve) -> None:
    page = text(client.get("/meetings/bhyve/2026-02-05"))
    assert (
        '<time data-local datetime="2026-02-06T15:00:00Z">Friday 6 February 2026, 10:00 EST</time>'
        in page
    )
    assert "moved from Thursday 5 February 2026, 16:00 EST" in page
    assert 'href="https://meet.example.org/bhyve"' in page
    assert "Review queue" in page
    assert 'href="/meetings/bhyve/2026-01-08" rel="prev"' in page  # the cancelled 22nd is skipped
    assert 'href="/meetings/bhyve/2026-02-19" rel="next"' in page
    assert 'href="/meetings/bhyve/2026-02-05.ics"' in page
    cancelled = text(client.get("/meetings/bhyve/2026-01-22"))
    assert "<strong>Cancelled</strong>: FOSDEM week" in cancelled
    assert "Join the call" not in cancelled


def test_not_a_meeting_is_404_naming_nearby_dates(client, bhyve) -> None:
    response = client.get("/meetings/bhyve/2026-01-23")
    assert response.status_code == 404
    assert "nearby meeting dates: 2026-01-08, 2026-01-22, 2026-02-05" in text(response)
    response = client.get("/meetings/bhyve/not-a-date")
    assert response.status_code == 404
    assert "“not-a-date” is not a date" in text(response)
    assert client.get("/meetings/nope/2026-01-22").status_code == 404
    assert client.get("/series/nope").status_code == 404


def test_private_series_is_hidden_from_the_public(app, client, client_as) -> None:
    with app.app_context():
        services.create_series(
            "team",
            services.SeriesDetails(title="Team", public=False),
            "UTC",
            date(2026, 1, 5),
            time(9),
            30,
            audit.CLI,
        )
        db.session.commit()
    assert client.get("/series/team").status_code == 404
    assert client.get("/calendar/team.ics").status_code == 404
    assert "Team" not in text(client.get("/"))
    assert client_as("organizer").get("/series/team").status_code == 200


@pytest.mark.parametrize("role", ["scribe", "reviewer"])
def test_other_roles_may_not_organize(client_as, bhyve, role: str) -> None:
    c = client_as(role)
    assert c.get("/organize/series/").status_code == 403
    assert c.get("/organize/series/bhyve/").status_code == 403
    assert (
        c.post("/organize/series/bhyve/2026-02-19/cancel", data={"reason": "x"}).status_code == 403
    )


def test_anonymous_is_sent_to_sign_in(client, bhyve) -> None:
    response = client.get("/organize/series/bhyve/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_organizer_creates_a_series_with_csrf_and_sees_errors_beside_fields(
    client, make_user
) -> None:
    user = make_user(roles=("organizer",))
    c = client
    token = csrf_token_from(c.get("/login").get_data(as_text=True))
    assert (
        c.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    form = c.get("/organize/series/new")
    token = csrf_token_from(form.get_data(as_text=True))
    data = {
        "csrf_token": token,
        "slug": "tokyo",
        "title": "Tokyo call",
        "timezone": "Asia/Tokio",
        "first_date": "2026-02-05",
        "start_time": "21:00",
        "duration": "45",
        "interval": "2",
        "public": "y",
    }
    assert c.post("/organize/series/new", data={**data, "csrf_token": "forged"}).status_code == 400
    response = c.post("/organize/series/new", data=data)
    assert response.status_code == 200
    page = text(response)
    assert re.search(r'id="timezone"[^>]*value="Asia/Tokio"', page)  # input kept
    assert (
        '<small id="timezone-errors" class="field-error" role="alert">'
        "&#39;Asia/Tokio&#39; is not an IANA time zone name" in page
    )
    response = c.post("/organize/series/new", data={**data, "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organize/series/tokyo/")
    assert "Every other Thursday at 21:00 Asia/Tokyo" in text(c.get("/series/tokyo"))


def test_dst_gap_and_bad_duration_are_field_errors(client_as) -> None:
    c = client_as("organizer")
    data = {
        "slug": "ny",
        "title": "NY",
        "timezone": "America/New_York",
        "first_date": "2026-03-08",
        "start_time": "02:30",
        "duration": "60",
        "interval": "2",
    }
    page = text(c.post("/organize/series/new", data=data))
    assert (
        '<small id="start_time-errors" class="field-error" role="alert">'
        "2026-03-08 02:30 does not exist in America/New_York" in page
    )
    page = text(
        c.post("/organize/series/new", data={**data, "start_time": "16:00", "duration": "0"})
    )
    assert 'id="duration-errors"' in page
    page = text(
        c.post("/organize/series/new", data={**data, "start_time": "16:00", "slug": "Not A Slug"})
    )
    assert (
        '<small id="slug-errors" class="field-error" role="alert">Slug &#39;Not A Slug&#39; must be'
        in page
    )


def test_organizer_cancels_restores_moves_adds_retimes(app, client_as, client, bhyve) -> None:
    c = client_as("organizer")
    manage = text(c.get("/organize/series/bhyve/"))
    assert "FOSDEM week" in manage
    r = c.post("/organize/series/bhyve/2026-02-19/cancel", data={"reason": "Snow"})
    assert r.status_code == 302
    assert "— Snow" in text(client.get("/series/bhyve"))
    r = c.post("/organize/series/bhyve/2026-02-19/restore", data={})
    assert r.status_code == 302
    assert "— Snow" not in text(client.get("/series/bhyve"))
    # Moving onto another meeting's day is a form error, and nothing changes.
    page = text(
        c.post(
            "/organize/series/bhyve/2026-02-19/move",
            data={"new_date": "2026-03-05", "new_time": "12:00", "duration": "60"},
        )
    )
    assert 'id="new_date-errors"' in page
    assert "2026-03-05 already has the meeting of 2026-03-05" in page
    r = c.post(
        "/organize/series/bhyve/2026-02-19/move",
        data={"new_date": "2026-02-20", "new_time": "12:00", "duration": "30"},
    )
    assert r.status_code == 302
    r = c.post(
        "/organize/series/bhyve/add",
        data={"day": "2026-02-26", "start_time": "16:00", "duration": "60", "title": "Release"},
    )
    assert r.status_code == 302
    r = c.post(
        "/organize/series/bhyve/retime",
        data={
            "from_date": "2026-04-01",
            "first_date": "2026-04-07",
            "start_time": "15:00",
            "duration": "60",
            "interval": "1",
        },
    )
    assert r.status_code == 302, text(r)
    page = text(client.get("/series/bhyve"))
    assert "Every Tuesday at 15:00 America/New_York" in page
    assert (
        "Earlier: Every other Thursday at 16:00 America/New_York, 2025-11-13 to 2026-03-19" in page
    )
    assert client.get("/meetings/bhyve/2026-03-19").status_code == 200  # kept
    assert client.get("/meetings/bhyve/2026-04-02").status_code == 404  # dropped with the old rule
    assert client.get("/meetings/bhyve/2026-04-07").status_code == 200  # the new rule's first
    api = client.get("/api/v1/series/bhyve/occurrences?from=2026-02-19&to=2026-02-26").get_json()
    assert [(o["date"], o["start"], o["status"]) for o in api["occurrences"]] == [
        ("2026-02-19", "2026-02-20T17:00:00Z", "moved"),
        ("2026-02-26", "2026-02-26T21:00:00Z", "extra"),
    ]


def test_a_cancelled_meeting_shows_as_cancelled_with_restore_not_the_cancel_form(
    client_as, bhyve
) -> None:
    c = client_as("organizer")
    cancelled = c.post("/organize/series/bhyve/2026-02-19/cancel", data={"reason": "Snow"})
    assert cancelled.status_code == 302
    page = text(c.get("/organize/series/bhyve/2026-02-19/cancel"))
    assert "The meeting of 2026-02-19 is cancelled" in page
    assert "It is cancelled already: Snow." in page
    assert "Cancel meeting</button>" not in page
    assert 'action="/organize/series/bhyve/2026-02-19/restore"' in page
    again = text(c.post("/organize/series/bhyve/2026-02-19/cancel", data={"reason": "Ice"}))
    assert "Cancel meeting</button>" not in again  # a second cancel changes nothing
    assert "It is cancelled already: Snow." in again
    assert c.post("/organize/series/bhyve/2026-02-19/restore", data={}).status_code == 302
    assert "Cancel meeting</button>" in text(c.get("/organize/series/bhyve/2026-02-19/cancel"))
    restored = c.post("/organize/series/bhyve/2026-03-05/restore", data={}, follow_redirects=True)
    assert "The meeting of 2026-03-05 is not cancelled" in text(restored)


def test_edit_details_and_last_date(client_as, client, bhyve) -> None:
    c = client_as("organizer")
    form = text(c.get("/organize/series/bhyve/edit"))
    assert 'value="bhyve bi-weekly call"' in form
    r = c.post(
        "/organize/series/bhyve/edit",
        data={"title": "bhyve call", "join_url": "not a url", "public": "y"},
    )
    assert r.status_code == 200
    assert 'id="join_url-errors"' in text(r)
    r = c.post(
        "/organize/series/bhyve/edit",
        data={"title": "bhyve call", "until": "2026-03-01", "public": "y"},
    )
    assert r.status_code == 302
    assert "Every other Thursday at 16:00 America/New_York, until 2026-03-01" in text(
        client.get("/series/bhyve")
    )


def test_unknown_occurrence_on_organizer_pages_is_404(client_as, bhyve) -> None:
    c = client_as("organizer")
    assert c.get("/organize/series/bhyve/2026-01-23/cancel").status_code == 404
    assert c.get("/organize/series/bhyve/x/move").status_code == 404
    assert c.get("/organize/series/x/").status_code == 404
