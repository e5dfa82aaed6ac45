"""GET /api/v1/series/SLUG/occurrences: the app's own statement of the schedule."""

from __future__ import annotations

from datetime import date, time

import pytest

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services


@pytest.fixture
def bhyve(app):
    with app.app_context():
        s = services.create_series(
            "bhyve",
            services.SeriesDetails(title="bhyve call"),
            "America/New_York",
            date(2026, 2, 26),
            time(16),
            60,
            audit.CLI,
        )
        services.cancel(s, date(2026, 3, 12), audit.CLI, reason="Spring break")
        services.move(
            s, date(2026, 3, 26), date(2026, 3, 27), time(9, 30), audit.CLI, duration_minutes=45
        )
        services.add_extra(s, date(2026, 3, 31), time(16), audit.CLI, title="Release")
        db.session.commit()
    return "bhyve"


def test_occurrences_as_utc_instants_with_status_and_page(client, bhyve) -> None:
    response = client.get("/api/v1/series/bhyve/occurrences?from=2026-02-26&to=2026-04-09")
    assert response.status_code == 200
    data = response.get_json()
    assert data["timezone"] == "America/New_York"
    got = [(o["date"], o["start"], o["end"], o["status"]) for o in data["occurrences"]]
    assert got == [
        ("2026-02-26", "2026-02-26T21:00:00Z", "2026-02-26T22:00:00Z", "scheduled"),
        (
            "2026-03-12",
            "2026-03-12T20:00:00Z",
            "2026-03-12T21:00:00Z",
            "cancelled",
        ),  # EDT from 8 March
        ("2026-03-26", "2026-03-27T13:30:00Z", "2026-03-27T14:15:00Z", "moved"),
        ("2026-03-31", "2026-03-31T20:00:00Z", "2026-03-31T21:00:00Z", "extra"),
        ("2026-04-09", "2026-04-09T20:00:00Z", "2026-04-09T21:00:00Z", "scheduled"),
    ]
    assert data["occurrences"][1]["reason"] == "Spring break"
    assert data["occurrences"][0]["url"] == "http://localhost/meetings/bhyve/2026-02-26"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the parameter 'from' is missing"),
        ("from=2026-01-01", "the parameter 'to' is missing"),
        ("from=2026-13-01&to=2026-12-01", "from '2026-13-01' is not a date in the form YYYY-MM-DD"),
        ("from=tomorrow&to=2026-12-01", "from 'tomorrow' is not a date"),
        ("from=2026-03-01&to=2026-02-01", "'to' 2026-02-01 is before 'from' 2026-03-01"),
        ("from=2020-01-01&to=2031-01-02", "at most 10 years"),
    ],
)
def test_bad_parameters_are_400_with_a_reason(client, bhyve, query: str, message: str) -> None:
    response = client.get(f"/api/v1/series/bhyve/occurrences?{query}")
    assert response.status_code == 400
    assert response.is_json
    assert message in response.get_json()["message"]


def test_unknown_series_is_404_json(client) -> None:
    response = client.get("/api/v1/series/nope/occurrences?from=2026-01-01&to=2026-02-01")
    assert response.status_code == 404
    assert "there is no series 'nope'" in response.get_json()["message"]


def test_a_meeting_is_listed_under_its_rule_date_unless_moved(client, runner) -> None:
    """Nuuk's clock skips from Saturday 23:00 to Sunday 00:00 on 2026-03-28: the Saturday 23:30
    meeting is held at Sunday 00:30 (RFC 5545), and still listed under its own Saturday. A moved
    meeting is listed under the date it moved to."""

    def cli(*args: str) -> None:
        result = runner.invoke(args=["series", *args])
        assert result.exit_code == 0, result.output

    cli("create", "nuuk", "--title", "Nuuk", "--timezone", "America/Nuuk",
        "--start", "2026-03-07 23:30", "--duration", "60", "--every", "1")  # fmt: skip
    cli("move", "nuuk", "2026-03-14", "--to", "2026-03-15 00:15")

    def listed(day: str) -> list[tuple[str, str, str]]:
        response = client.get(f"/api/v1/series/nuuk/occurrences?from={day}&to={day}")
        assert response.status_code == 200
        return [
            (o["date"], o["local_start"], o["status"]) for o in response.get_json()["occurrences"]
        ]

    assert listed("2026-03-28") == [("2026-03-28", "2026-03-29T00:30", "scheduled")]
    assert listed("2026-03-29") == []
    assert listed("2026-03-14") == []
    assert listed("2026-03-15") == [("2026-03-14", "2026-03-15T00:15", "moved")]
