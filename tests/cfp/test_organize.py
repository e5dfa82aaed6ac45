"""Organizer pages for the conference itself, the demo data, and page hygiene."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from webapp.extensions import db
from webapp.models import Conference, Submission

FORM = {
    "slug": "bhyvecon-2028",
    "name": "bhyvecon 2028",
    "place": "Ottawa",
    "timezone": "America/Toronto",
    "starts_on": "2028-05-20",
    "ends_on": "2028-05-21",
    "cfp_opens": "2028-01-01T09:00",
    "cfp_closes": "2028-03-01T23:59",
    "formats": "Talk:30\nLightning talk:10\nTutorial:90",
    "tracks": "Core\nOperations",
    "rooms": "Room A\nRoom B",
    "description": "About **it**.",
    "call_text": "Send talks.",
}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_organizer_creates_and_edits_a_conference(app, csrf_client_as) -> None:
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/conferences/new").get_data(as_text=True)
    assert "Talk:30" in page  # sensible defaults
    response = organizer.post(
        "/organize/conferences/new", data={**FORM, "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalar(sa.select(Conference))
        assert c.cfp_opens_at == datetime(2028, 1, 1, 14, 0, tzinfo=UTC)  # EST = UTC-5
        assert [r.name for r in c.rooms] == ["Room A", "Room B"]
    page = organizer.get("/organize/conferences/bhyvecon-2028/edit").get_data(as_text=True)
    assert 'value="2028-01-01T09:00"' in page  # shown back in the conference's zone
    edited = {
        **FORM,
        "csrf_token": csrf_token_from(page),
        "rooms": "Room A\nRoom C",
        "anonymous_review": "y",
    }
    assert (
        organizer.post("/organize/conferences/bhyvecon-2028/edit", data=edited).status_code == 302
    )
    with app.app_context():
        c = db.session.scalar(sa.select(Conference))
        assert [r.name for r in c.rooms] == ["Room A", "Room C"]
        assert c.anonymous_review is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Nowhere/City"}, "Unknown time zone"),
        ({"cfp_closes": "2027-12-01T10:00"}, "before it opens"),
        ({"cfp_opens": "2028-03-12T02:30"}, "does not exist in America/Toronto"),
        ({"formats": "Talk"}, "should look like"),
        ({"formats": "Talk:0"}, "1 to 600 minutes"),
        ({"slug": "Not OK"}, "Lowercase letters, digits and dashes only."),
        ({"cfp_opens": "yesterday"}, "Not a valid datetime value."),
    ],
)
def test_conference_form_errors(app, client_as, changes, message) -> None:
    response = client_as("organizer").post("/organize/conferences/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 0


def test_reviewers_may_not_manage_conferences(client_as) -> None:
    reviewer = client_as("reviewer")
    assert reviewer.get("/organize/conferences/").status_code == 200
    for url in ("/organize/conferences/new", "/organize/outbox", "/organize/mail-templates"):
        assert reviewer.get(url).status_code == 403


def test_nav_links_for_organizers_and_reviewers(client, client_as) -> None:
    assert ">Review &amp; programme<" not in client.get("/").get_data(as_text=True)
    for role in ("organizer", "reviewer"):
        assert 'href="/organize/conferences/">Review &amp; programme<' in client_as(role).get(
            "/"
        ).get_data(as_text=True)
    assert 'href="/organize/conferences/">Review &amp; programme<' not in client_as("scribe").get(
        "/"
    ).get_data(as_text=True)


def test_demo_data_has_an_open_cfp_every_state_and_a_programme(app, runner, client) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    now = datetime.now(UTC)
    with app.app_context():
        c = db.session.scalar(sa.select(Conference).where(Conference.slug == "bhyvecon-2027"))
        assert c.cfp(now).is_open
        states = set(db.session.scalars(sa.select(Submission.state)))
        assert states == {"submitted", "withdrawn", "accepted", "rejected", "confirmed", "declined"}
        rooms_used = set(
            db.session.scalars(sa.select(Submission.room_id).where(Submission.room_id.is_not(None)))
        )
        assert len(rooms_used) == 2
    page = client.get("/conferences/bhyvecon-2027/program").get_data(as_text=True)
    assert "Live migration of bhyve guests" in page
    assert "Workshop room" in page


def test_the_demo_programme_reads_in_time_order_and_its_note_names_its_change(
    app, runner, client
) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    page = client.get("/conferences/bhyvecon-2027/program").get_data(as_text=True)
    days = page.split('<section class="programme-day"')[1:]
    assert days
    for day in days:  # every day's entries, talks and the lunch, by start time
        starts = re.findall(r'<time datetime="[^"]+">(\d\d:\d\d)–', day)
        assert "12:00" in starts
        assert starts.index("12:00") > 0  # the morning's talks come before the lunch
        before, after = starts[: starts.index("12:00")], starts[starts.index("12:00") + 1 :]
        assert all(s < "12:00" for s in before)
        assert all(s >= "13:00" for s in after)
    changes = client.get("/conferences/bhyvecon-2027/program/changes").get_data(as_text=True)
    with app.app_context():
        c = db.session.scalar(sa.select(Conference).where(Conference.slug == "bhyvecon-2027"))
        day = c.starts_on + timedelta(days=1)
    assert f"vm-bhyve moves to {day:%A} at 11:00." in changes
    assert f"{day:%a} {day:%d} {day:%b}" in changes  # the change listed is on that day
    assert "Wednesday morning" not in changes or day.weekday() == 2


def test_the_programme_spelled_the_british_way_redirects(runner, client) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    response = client.get("/conferences/bhyvecon-2027/programme")
    assert response.status_code == 301
    assert response.location.endswith("/conferences/bhyvecon-2027/program")
    assert "Set-Cookie" not in response.headers


def test_conference_pages_have_no_inline_script_or_style(client, runner) -> None:
    runner.invoke(args=["demo", "load"])
    for path in (
        "/conferences/",
        "/conferences/bhyvecon-2027/",
        "/conferences/bhyvecon-2027/cfp",
        "/conferences/bhyvecon-2027/program",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page
        assert "style=" not in page
        assert "onclick" not in page
