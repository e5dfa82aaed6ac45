"""``flask series …``: the commands work, and every bad input names the problem, exits 1 and
changes nothing."""

from __future__ import annotations

import pytest

from tests.meetings.conftest import dump


@pytest.fixture
def bhyve(runner):
    result = runner.invoke(
        args=[
            "series",
            "create",
            "bhyve",
            "--title",
            "bhyve bi-weekly call",
            "--timezone",
            "America/New_York",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
            "--join-url",
            "https://meet.example.org/bhyve",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Every other Thursday at 16:00 America/New_York" in result.output
    return "bhyve"


def test_create_cancel_move_add_retime_show(runner, bhyve) -> None:
    def ok(*args: str) -> str:
        result = runner.invoke(args=["series", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "cancelled bhyve 2026-01-22: FOSDEM" in ok(
        "cancel", "bhyve", "2026-01-22", "--reason", "FOSDEM"
    )
    assert "moved bhyve 2026-02-05 to 2026-02-06 17:00" in ok(
        "move", "bhyve", "2026-02-05", "--to", "2026-02-06 17:00", "--duration", "90"
    )
    assert "added bhyve 2026-02-12" in ok(
        "add", "bhyve", "2026-02-12 16:00", "--title", "Release planning"
    )
    assert "Every Tuesday at 15:30" in ok(
        "retime", "bhyve", "--from", "2026-03-01", "--start", "2026-03-03 15:30", "--every", "1"
    )
    assert "restored bhyve 2026-01-22" in ok("restore", "bhyve", "2026-01-22")
    ok("cancel", "bhyve", "2026-01-22", "--reason", "FOSDEM")
    table = ok("show", "bhyve", "--from", "2026-01-01", "--to", "2026-03-12").splitlines()
    assert table[1].split() == [
        "date",
        "local",
        "start",
        "(America/New_York)",
        "UTC",
        "status",
        "reason",
        "/",
        "title",
    ]
    rows = [line.split(None, 5) for line in table[2:]]
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        ("2026-01-08", "16:00", "21:00Z", "scheduled"),
        ("2026-01-22", "16:00", "21:00Z", "cancelled  FOSDEM"),
        ("2026-02-05", "17:00", "22:00Z", "moved"),
        ("2026-02-12", "16:00", "21:00Z", "extra      Release planning"),
        ("2026-02-19", "16:00", "21:00Z", "scheduled"),
        ("2026-03-03", "15:30", "20:30Z", "scheduled"),
        ("2026-03-10", "15:30", "19:30Z", "scheduled"),  # after the DST change of 8 March
    ]
    assert rows[2][1] == "2026-02-06"  # the moved meeting keeps its identity, starts a day later
    listing = ok("list")
    assert "bhyve\tbhyve bi-weekly call\tEvery Tuesday at 15:30 America/New_York" in listing


BAD = [
    (
        [
            "create",
            "other",
            "--title",
            "X",
            "--timezone",
            "Mars/Olympus",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
        ],
        "'Mars/Olympus' is not an IANA time zone name",
    ),
    (
        [
            "create",
            "other",
            "--title",
            "X",
            "--timezone",
            "EST",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
        ],
        "'EST' is not an IANA time zone name of a place: use an Area/City name",
    ),
    (
        [
            "create",
            "bhyve",
            "--title",
            "X",
            "--timezone",
            "UTC",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
        ],
        "there is already a series 'bhyve'",
    ),
    (
        [
            "create",
            "other",
            "--title",
            "X",
            "--timezone",
            "UTC",
            "--start",
            "2026-01-08",
            "--duration",
            "60",
        ],
        "--start '2026-01-08' is not a local date and time in the form \"YYYY-MM-DD HH:MM\"",
    ),
    (
        [
            "create",
            "other",
            "--title",
            "X",
            "--timezone",
            "UTC",
            "--start",
            "2026-01-08 16:00",
            "--duration",
            "60",
            "--every",
            "3",
        ],
        "every 3 weeks is not offered: choose 1, 2 or 4",
    ),
    (
        [
            "create",
            "other",
            "--title",
            "X",
            "--timezone",
            "America/New_York",
            "--start",
            "2026-03-08 02:30",
            "--duration",
            "60",
        ],
        "2026-03-08 02:30 does not exist in America/New_York",
    ),
    (
        ["cancel", "bhyve", "2026-01-09"],
        "2026-01-09 is not a meeting date of bhyve (nearby meeting dates: 2026-01-08, 2026-01-22)",
    ),
    (["cancel", "bhyve", "09/01/2026"], "date '09/01/2026' is not a date in the form YYYY-MM-DD"),
    (["cancel", "nope", "2026-01-08"], "there is no series 'nope'"),
    (
        ["move", "bhyve", "2026-01-08", "--to", "2026-01-22 10:00"],
        "2026-01-22 already has the meeting of 2026-01-22",
    ),
    (
        ["move", "bhyve", "2026-03-05", "--to", "2026-03-08 02:15"],
        "2026-03-08 02:15 does not exist in America/New_York: the clocks skip that hour",
    ),
    (
        ["move", "bhyve", "2026-10-29", "--to", "2026-11-01 01:30"],
        "2026-11-01 01:30 happens twice in America/New_York",
    ),
    (
        ["move", "bhyve", "2026-01-15", "--to", "2026-01-16 10:00"],
        "2026-01-15 is not a meeting date of bhyve",
    ),
    (["add", "bhyve", "2026-01-22 18:00"], "2026-01-22 is already a meeting date of bhyve"),
    (["add", "bhyve", "2026-11-01 01:15"], "2026-11-01 01:15 happens twice in America/New_York"),
    (
        ["retime", "bhyve", "--from", "2026-03-01", "--start", "2026-03-08 02:30"],
        "2026-03-08 02:30 does not exist in America/New_York",
    ),
    (
        ["retime", "bhyve", "--from", "2026-03-10", "--start", "2026-03-03 16:00"],
        "the new first meeting 2026-03-03 is before --from 2026-03-10",
    ),
    (
        ["show", "bhyve", "--from", "2026-02-01", "--to", "2026-01-01"],
        "--to 2026-01-01 is before --from 2026-02-01",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD, ids=[" ".join(a[:2]) + f"-{i}" for i, (a, _) in enumerate(BAD)]
)
def test_bad_input_names_the_problem_and_changes_nothing(app, runner, bhyve, args, message) -> None:
    # Something stored already, so "nothing changed" also covers existing rows.
    assert (
        runner.invoke(args=["series", "cancel", "bhyve", "2026-02-05", "--reason", "x"]).exit_code
        == 0
    )
    before = dump(app)
    result = runner.invoke(args=["series", *args])
    assert result.exit_code == 1, result.output
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output
    assert dump(app) == before
