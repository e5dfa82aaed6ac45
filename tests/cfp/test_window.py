"""The CFP window, checked on the server, in the conference's zone; the CLI that creates it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import CLOSES_UTC, OPENS_UTC, post_submission, submissions
from webapp.extensions import db
from webapp.models import Conference


def test_times_are_entered_in_the_conference_zone_and_stored_utc(app, make_conference) -> None:
    c = make_conference(
        timezone="America/New_York", opens="2027-03-14 03:00", closes="2027-11-07 01:30"
    )
    # 14 March 2027 03:00 EDT (the first hour after the clocks spring forward) = 07:00 UTC;
    # 7 November 01:30 is ambiguous (fall back): the first one, EDT, = 05:30 UTC.
    assert c.cfp_opens_at == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    assert c.cfp_closes_at == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "is_open", "text"),
    [
        (OPENS_UTC - timedelta(seconds=1), False, "The call for papers is not open yet."),
        (OPENS_UTC, True, "closes in"),
        (CLOSES_UTC - timedelta(seconds=1), True, "closes in 1 minute"),
        (CLOSES_UTC, False, "The call for papers is closed."),
        (CLOSES_UTC + timedelta(seconds=1), False, "The call for papers is closed."),
    ],
)
def test_window_edges(app, client, clock, make_conference, now, is_open, text) -> None:
    c = make_conference()
    clock.now = now
    with app.app_context():
        conference = db.session.get(Conference, c.id)
        assert conference.cfp(now).is_open is is_open
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    assert text in page
    # The dates are shown in the conference's zone either way.
    assert "Monday 01 March 2027, 23:59 (Europe/Amsterdam)" in page
    response = post_submission(client, c)
    if is_open:
        assert response.status_code == 302
        assert len(submissions(app)) == 1
    else:
        assert response.status_code == 403  # the server checks, whatever the page showed
        assert submissions(app) == []


def test_before_opening_the_form_is_not_shown(client, clock, make_conference) -> None:
    make_conference()
    clock.now = OPENS_UTC - timedelta(seconds=1)
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    assert 'name="title"' not in page
    assert "Sunday 10 January 2027, 09:00 (Europe/Amsterdam)" in page
    assert '<time data-local datetime="2027-01-10T08:00:00+00:00">' in page


def test_conference_page_shows_deadline_in_both_zones_and_countdown(
    client, clock, make_conference
) -> None:
    make_conference()
    clock.now = CLOSES_UTC - timedelta(days=3, hours=1)
    page = client.get("/conferences/bhyvecon-2027/").get_data(as_text=True)
    assert "The call for papers is open." in page
    assert "Monday 01 March 2027, 23:59 (Europe/Amsterdam)" in page
    assert (
        '<time data-local datetime="2027-03-01T22:59:00+00:00">' in page
    )  # the viewer's zone, by JS
    assert "closes in 3 days" in page
    assert 'data-countdown="2027-03-01T22:59:00+00:00"' in page


def test_unknown_conference_is_404(client) -> None:
    assert client.get("/conferences/nope/").status_code == 404
    assert client.get("/conferences/nope/cfp").status_code == 404


# -- flask conference create ---------------------------------------------------------------------

GOOD = [
    "conference",
    "create",
    "bhyvecon-2027",
    "--name",
    "bhyvecon 2027",
    "--timezone",
    "Europe/Amsterdam",
    "--starts",
    "2027-06-10",
    "--ends",
    "2027-06-11",
    "--cfp-opens",
    "2027-01-10 09:00",
    "--cfp-closes",
    "2027-03-01 23:59",
    "--format",
    "Talk:30",
    "--format",
    "Lightning talk:10",
    "--format",
    "Tutorial:90",
]


def test_cli_creates_a_conference(app, runner) -> None:
    result = runner.invoke(args=GOOD + ["--track", "Core", "--room", "Main hall"])
    assert result.exit_code == 0, result.output
    assert "created bhyvecon-2027" in result.output
    with app.app_context():
        c = db.session.scalar(sa.select(Conference))
        assert c.cfp_opens_at == OPENS_UTC
        assert c.cfp_closes_at == CLOSES_UTC
        assert [(f.name, f.minutes) for f in c.formats] == [
            ("Talk", 30),
            ("Lightning talk", 10),
            ("Tutorial", 90),
        ]
    listed = runner.invoke(args=["conference", "list"])
    assert "bhyvecon-2027" in listed.output


def _replace(args: list[str], option: str, value: str) -> list[str]:
    out = list(args)
    if option == "SLUG":
        out[2] = value
    else:
        out[out.index(option) + 1] = value
    return out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--timezone", "Europe/Atlantis", "Unknown time zone 'Europe/Atlantis'"),
        ("--starts", "2027-13-01", "--starts '2027-13-01' is not a date"),
        ("--cfp-opens", "tomorrow", "--cfp-opens 'tomorrow' is not a date and time"),
        (
            "--cfp-opens",
            "2027-03-28 02:30",
            "CFP opening 2027-03-28 02:30 does not exist in Europe/Amsterdam",
        ),
        (
            "--cfp-closes",
            "2027-01-01 10:00",
            "The CFP closes (2027-01-01 10:00) before it opens (2027-01-10 09:00)",
        ),
        ("--ends", "2027-06-01", "The conference ends (2027-06-01) before it starts (2027-06-10)"),
        ("--format", "Talk", "Session format 'Talk' should look like 'Talk:30'"),
        ("SLUG", "Bad Slug!", "Slug 'Bad Slug!'"),
    ],
)
def test_cli_refuses_bad_input_and_writes_nothing(app, runner, option, value, message) -> None:
    result = runner.invoke(args=_replace(GOOD, option, value))
    assert result.exit_code == 1
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 0


def test_cli_refuses_a_second_conference_with_the_same_slug(runner) -> None:
    assert runner.invoke(args=GOOD).exit_code == 0
    result = runner.invoke(args=GOOD)
    assert result.exit_code == 1
    assert "exists already" in result.output
