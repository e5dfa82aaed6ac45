"""Fuzzing the series CLI: any input gives exit 0, or a one-line message and no change."""

from __future__ import annotations

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from webapp.extensions import db

TABLES = ("series", "schedule_rules", "occurrences")

dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2026-03-08",
            "2026-11-01",
            "2026-02-30",
            "2026-13-01",
            "",
            "tomorrow",
            "0001-01-01",
            "9999-12-31",
        ]
    ),
    st.text(max_size=12),
)
times = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["02:30", "01:30", "24:00", "9", ""]),
)
local = st.one_of(st.tuples(dates, times).map(" ".join), st.text(max_size=20))
zones = st.sampled_from(
    ["America/New_York", "Europe/Bucharest", "Asia/Kolkata", "EST", "Mars/Base", "", "UTC", "../x"]
)
numbers = st.one_of(st.integers(-5, 3000).map(str), st.sampled_from(["", "x", "1e3", "30.5"]))
slugs = st.sampled_from(["bhyve", "other", "Bad Slug", "", "x" * 70])


def commands() -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.tuples(
            slugs,
            st.text(max_size=30),
            zones,
            local,
            numbers,
            st.sampled_from(["1", "2", "3", "4"]),
        ).map(
            lambda a: [
                "create",
                a[0],
                "--title",
                a[1],
                "--timezone",
                a[2],
                "--start",
                a[3],
                "--duration",
                a[4],
                "--every",
                a[5],
            ]
        ),
        st.tuples(slugs, dates, st.text(max_size=40)).map(
            lambda a: ["cancel", a[0], a[1], "--reason", a[2]]
        ),
        st.tuples(slugs, dates, local).map(lambda a: ["move", a[0], a[1], "--to", a[2]]),
        st.tuples(slugs, local, numbers).map(lambda a: ["add", a[0], a[1], "--duration", a[2]]),
        st.tuples(slugs, dates, local).map(
            lambda a: ["retime", a[0], "--from", a[1], "--start", a[2]]
        ),
        st.tuples(slugs, dates, dates).map(lambda a: ["show", a[0], "--from", a[1], "--to", a[2]]),
    )


def snapshot() -> str:
    rows = {}
    for table in TABLES:
        result = db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608 - fixed names
        rows[table] = [list(map(str, r)) for r in result]
    return json.dumps(rows)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=commands())
@example(command=["cancel", "bhyve", "0001-01-01", "--reason", ""])  # found by this test once
@example(command=["move", "bhyve", "2026-01-22", "--to", "9999-12-31 23:59"])
def test_series_cli_never_crashes_or_half_writes(app, runner, command: list[str]) -> None:
    with app.app_context():
        if db.session.execute(sa.text("SELECT COUNT(*) FROM series")).scalar() == 0:
            r = runner.invoke(
                args=[
                    "series",
                    "create",
                    "bhyve",
                    "--title",
                    "bhyve call",
                    "--timezone",
                    "America/New_York",
                    "--start",
                    "2026-01-08 16:00",
                    "--duration",
                    "60",
                ]
            )
            assert r.exit_code == 0, r.output
        before = snapshot()
        db.session.remove()
    result = runner.invoke(args=["series", *command])
    assert result.exit_code in (0, 1, 2), (command, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (command, repr(result.exception))
    if result.exit_code != 0:
        message = [line for line in result.output.splitlines() if line.strip()]
        assert message, command
        with app.app_context():
            assert snapshot() == before, command


def test_far_dates_are_404_or_400_not_500(app, runner, client) -> None:
    runner.invoke(
        args=[
            "series",
            "create",
            "bhyve",
            "--title",
            "bhyve call",
            "--timezone",
            "America/New_York",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
        ]
    )
    for day in ("0001-01-01", "9999-12-31", "1899-12-31"):
        assert client.get(f"/meetings/bhyve/{day}").status_code == 404
        assert client.get(f"/meetings/bhyve/{day}.ics").status_code == 404
        response = client.get(f"/api/v1/series/bhyve/occurrences?from={day}&to={day}")
        assert response.status_code in (200, 400), (day, response.status_code)
