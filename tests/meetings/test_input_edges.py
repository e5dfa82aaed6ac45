"""What people type into a series, by every entry point, and addresses at the ends of the calendar.

One validation (``webapp.meetings.services.validation``) for the organizer form and the CLI: line
breaks and control characters, ``javascript:`` links, dates outside the app's range. Addresses
spell a meeting date one way; the rest are 404, never 500.
"""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from tests.meetings.test_feeds import WINDOW_END, WINDOW_START
from tests.meetings.test_pages import bhyve  # noqa: F401 - fixture
from tests.readers import occurrences_strict_ical
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services


def _create(runner, *extra: str):  # type: ignore[no-untyped-def]
    args = ["series", "create", "x", "--title", "X", "--timezone", "UTC",
            "--start", "2026-01-08 16:00", "--duration", "60", *extra]  # fmt: skip
    return runner.invoke(args=args)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--title", "Two\nlines"], "the title may not contain line breaks or control characters"),
        (["--title", "Bell\x07"], "the title may not contain line breaks or control characters"),
        (["--join-url", "javascript:alert(1)"], "must be an http:// or https:// address"),
        (["--place", "Room\r1"], "the place may not contain line breaks"),
        (["--description", "ok\n\x00"], "the description may not contain control characters"),
        (
            ["--title", "call\u202etxt.exe"],
            "the title may not contain the invisible character U+202E RIGHT-TO-LEFT OVERRIDE",
        ),
        (["--title", "Zero\u200bwidth"], "U+200B ZERO WIDTH SPACE"),
        (
            ["--place", "Room \u2067B\u2069"],
            "the place may not contain the invisible character U+2067 RIGHT-TO-LEFT ISOLATE",
        ),
        (["--description", "a\ufeffb"], "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        (["--title", "\u202aembedded\u202c"], "U+202A LEFT-TO-RIGHT EMBEDDING"),
        (["--until", "9999-12-31"], "outside the dates Cadence accepts"),
        (["--start", "0001-01-01 10:00"], "outside the dates Cadence accepts"),
        (["--start", "9999-12-31 10:00"], "outside the dates Cadence accepts"),
    ],
)
def test_cli_refuses_what_the_form_refuses(app, runner, extra, message) -> None:
    result = _create(runner, *extra)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM series")) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Two\nlines", "The title may not contain line breaks"),
        ("place", "Room\r1", "The place may not contain line breaks"),
        ("title", "bhyve\u202d call", "U+202D LEFT-TO-RIGHT OVERRIDE"),
        ("until", "9999-12-31", "outside the dates Cadence accepts"),
    ],
)
def test_the_form_refuses_beside_the_field(client_as, bhyve, field, value, message) -> None:  # noqa: F811
    data = {"title": "bhyve call", "public": "y", field: value}
    page = client_as("organizer").post("/organize/series/bhyve/edit", data=data)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)


def test_names_keep_the_joiners_and_marks_they_need(app, runner) -> None:
    """ZWJ (emoji), ZWNJ (Persian), LRM and RLM (Hebrew with Latin parts) are text, not tricks."""
    title = (
        "\U0001f469\u200d\U0001f4bb call: \u0645\u06cc\u200c\u062e\u0648\u0627\u0645 "
        "\u05e9\u05dc\u05d5\u05dd\u200e bhyve\u200f"
    )
    result = _create(runner, "--title", title)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.get_series("x").title == title


def test_the_feed_strips_invisible_characters_already_stored(app, client, bhyve) -> None:  # noqa: F811
    with app.app_context():
        series = services.get_series("bhyve")
        series.title = "bhyve\u202e call\u200b \ufeff\u2066x\u2069 \U0001f469\u200d\U0001f4bb"
        db.session.commit()
    response = client.get("/calendar/bhyve.ics")
    assert response.status_code == 200
    text = response.data.decode()
    assert not any(
        ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff"
    )
    assert "SUMMARY:bhyve call x \U0001f469\u200d\U0001f4bb\r\n" in text


def test_the_feed_strips_control_characters_already_stored(app, client, bhyve) -> None:  # noqa: F811
    with app.app_context():
        series = services.get_series("bhyve")
        series.title = "bhyve\r\ncall\x07"
        series.description = "line one\rline two\x1b"
        db.session.commit()
    response = client.get("/calendar/bhyve.ics")
    assert response.status_code == 200
    assert b"\x07" not in response.data
    assert b"\x1b" not in response.data
    assert b"SUMMARY:bhyve call\r\n" in response.data
    assert occurrences_strict_ical(response.data, WINDOW_START, WINDOW_END)  # strict: parses


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/bhyve/9999-12-23",
        "/meetings/bhyve/9999-12-23.ics",
        "/meetings/bhyve/9999-12-23/agenda",
        "/meetings/bhyve/0001-01-01",
        "/meetings/bhyve/20260108",
        "/meetings/bhyve/2026-W02-4",
        "/meetings/bhyve/20260108.ics",
        "/meetings/bhyve/2026-W02-4/agenda",
    ],
)
def test_dates_at_the_ends_and_other_spellings_are_404(client, bhyve, path) -> None:  # noqa: F811
    assert client.get(path).status_code == 404


def test_one_meeting_files_are_not_stored_per_date(app, client, bhyve) -> None:  # noqa: F811
    for day in ("2025-11-13", "2025-11-27", "2026-01-08"):
        assert client.get(f"/meetings/bhyve/{day}.ics").status_code == 200
    with app.app_context():
        keys = list(db.session.scalars(sa.text("SELECT key FROM rendered_feeds")))
    assert not [k for k in keys if k.startswith("meeting:")]


def test_a_stored_last_date_far_away_does_not_break_the_feeds(app, client, bhyve) -> None:  # noqa: F811
    with app.app_context():
        series = services.get_series("bhyve")
        series.current_rule.until_date = date(9999, 12, 31)
        db.session.commit()
        assert services.find_occurrence(series, date(2026, 1, 8)).start.time() == time(21)
    assert client.get("/calendar/bhyve.ics").status_code == 200
    assert client.get("/calendar.ics").status_code == 200
    with app.app_context(), pytest.raises(services.ScheduleError, match="outside the dates"):
        services.set_until(services.get_series("bhyve"), date(9999, 12, 31), audit.CLI)
