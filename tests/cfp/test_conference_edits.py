"""Editing a conference keeps its tracks and rooms; dates stay inside the app's range."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import post_submission, submissions
from tests.cfp.test_organize import FORM
from webapp.extensions import db
from webapp.models import Conference, Room, Submission, Track


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*(.*?)</textarea>', page, re.S)
    assert match, name
    return match.group(1)


def test_the_edit_form_shows_formats_tracks_and_rooms_as_lines(client_as, make_conference) -> None:
    make_conference()
    page = client_as("organizer").get("/organize/conferences/bhyvecon-2027/edit")
    text = page.get_data(as_text=True)
    assert "webapp.models" not in text
    assert _textarea(text, "formats") == "Talk:30\nLightning talk:10\nTutorial:90"
    assert _textarea(text, "tracks") == "Core\nOperations"
    assert _textarea(text, "rooms") == "Main hall\nWorkshop room"


def _edit(organizer, **changes: str):
    data = {
        **FORM,
        "slug": "bhyvecon-2027",
        "timezone": "Europe/Amsterdam",
        "starts_on": "2027-06-10",
        "ends_on": "2027-06-11",
        "cfp_opens": "2027-01-10T09:00",
        "cfp_closes": "2027-03-01T23:59",
        "tracks": "Core\nOperations",
        "rooms": "Main hall\nWorkshop room",
        **changes,
    }
    return organizer.post("/organize/conferences/bhyvecon-2027/edit", data=data)


def test_removing_a_track_in_use_is_refused_and_nothing_changes(
    app, client, client_as, make_conference
) -> None:
    c = make_conference()
    assert post_submission(client, c, track=str(c.tracks[1].id)).status_code == 302
    organizer = client_as("organizer")
    response = _edit(organizer, tracks="Core")
    assert response.status_code == 200
    assert "Track &#39;Operations&#39; has submissions; it cannot be removed." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert [t.name for t in db.session.scalars(sa.select(Track).order_by(Track.position))] == [
            "Core",
            "Operations",
        ]
    [s] = submissions(app)
    assert s.track_id == c.tracks[1].id
    # An unused one goes.
    assert _edit(organizer, rooms="Main hall").status_code == 302
    with app.app_context():
        assert [r.name for r in db.session.scalars(sa.select(Room))] == ["Main hall"]


def test_sqlite_enforces_foreign_keys(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return  # PostgreSQL always does
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.insert(Track).values(conference_id=9999, name="orphan", position=0)
            )
        db.session.rollback()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": "0001-01-01"}, "The first day 0001-01-01 is outside the dates"),
        ({"ends_on": "9999-12-31"}, "The last day 9999-12-31 is outside the dates"),
        ({"cfp_opens": "0001-01-01T00:00"}, "CFP opening 0001-01-01 is outside the dates"),
        ({"cfp_closes": "9999-12-31T23:59"}, "CFP closing 9999-12-31 is outside the dates"),
        ({"ends_on": "2029-05-21"}, "at most 14 are allowed"),
    ],
)
def test_form_refuses_dates_outside_the_range_and_long_conferences(
    app, client_as, changes, message
) -> None:
    response = client_as("organizer").post("/organize/conferences/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--starts", "0001-01-01", "0001-01-01 is outside the dates Cadence accepts"),
        ("--ends", "9999-12-31", "9999-12-31 is outside the dates Cadence accepts"),
        ("--cfp-opens", "0001-01-01 00:00", "0001-01-01 is outside the dates Cadence accepts"),
        ("--cfp-closes", "9999-12-31 23:59", "9999-12-31 is outside the dates Cadence accepts"),
        ("--ends", "2030-06-10", "at most 14 are allowed"),
        ("--name", "bhyve\u202econ", "may not contain the invisible character U+202E"),
        ("--place", "Room\u200b1", "may not contain the invisible character U+200B"),
        ("--name", "bell\x07con", "may not contain control characters"),
        ("--day-starts", "9am", "--day-starts '9am' is not a time of day like 09:00."),
        ("--day-ends", "25:00", "--day-ends '25:00' is not a time of day like 09:00."),
        ("--day-ends", "08:00", "The day ends (08:00) before it starts (09:00)."),
        ("--slot-minutes", "7", "The grid's rows are 5, 10, 15, 20, 30, 60 minutes, not 7."),
    ],
)
def test_cli_refuses_dates_outside_the_range(app, runner, option, value, message) -> None:
    args = {
        "--name": "x",
        "--timezone": "Europe/Amsterdam",
        "--starts": "2027-06-10",
        "--ends": "2027-06-11",
        "--cfp-opens": "2027-01-01 09:00",
        "--cfp-closes": "2027-03-01 23:59",
        option: value,
    }
    flat = [part for pair in args.items() for part in pair]
    result = runner.invoke(args=["conference", "create", "far-away", *flat])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1  # one line: "Error: …"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 0


def test_cli_sets_the_daily_hours_the_grid_uses(app, runner) -> None:
    result = runner.invoke(
        args=[
            "conference", "create", "hours", "--name", "Hours", "--timezone", "Europe/Amsterdam",
            "--starts", "2027-06-10", "--ends", "2027-06-11", "--cfp-opens", "2027-01-01 09:00",
            "--cfp-closes", "2027-03-01 23:59", "--room", "Main hall",
            "--day-starts", "08:30", "--day-ends", "21:00", "--slot-minutes", "30",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "days 08:30–21:00, grid rows of 30 minutes" in result.output
    with app.app_context():
        c = db.session.scalar(sa.select(Conference).where(Conference.slug == "hours"))
        assert (f"{c.day_starts:%H:%M}", f"{c.day_ends:%H:%M}", c.slot_minutes) == (
            "08:30",
            "21:00",
            30,
        )


def test_the_edit_form_posted_unchanged_changes_nothing(app, client_as, make_conference) -> None:
    from tests.test_edit_forms import assert_unchanged

    make_conference()
    assert_unchanged(app, client_as("organizer"), "/organize/conferences/bhyvecon-2027/edit")
