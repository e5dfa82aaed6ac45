"""Two or three files for one date are two or three meetings that day, never a replacement:
``2016-01-07.md`` is the date's meeting, ``2016-01-07-guests.md`` the meeting
``2016-01-07-guests`` (its own address, UID, export file and API entry)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.minutes import steering
from tests.minutes.test_archive_mode import data, run_import, snapshot
from tests.minutes.test_import_export import export_dir
from webapp import dates
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import FollowUp, Occurrence

DAY = date(2016, 1, 7)  # a meeting date of the steering series

PLAIN = "# Attendees\n- Ada @ada\n\nThe members' meeting.\n\nACTION: Ada: book the room\n"
GUESTS = (
    "# Attendees\n- Alan @alan\n- Grace @grace\n\nThe guests' one.\n\nACTION: Alan: send slides\n"
)
BOARD = "# Attendees\n- Edsger @edsger\n\nThe board met too.\n\nACTION: Edsger: sign the budget\n"


def _files(tmp_path: Path, *which: str) -> list[Path]:
    texts = {"": PLAIN, "-guests": GUESTS, "-board": BOARD}
    out = []
    for suffix in which:
        path = tmp_path / f"2016-01-07{suffix}.md"
        path.write_text(texts[suffix])
        out.append(path)
    return out


def _series(app) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()


def _notes(suffix: str) -> str:
    minutes = svc.get_minutes(meetings.get_series("steering"), DAY, suffix)
    assert minutes is not None
    return minutes.notes


def test_two_files_for_one_date_are_two_meetings_and_reimport_changes_nothing(
    app, runner, client, tmp_path
) -> None:
    _series(app)
    paths = _files(tmp_path, "-guests", "")
    result = run_import(runner, paths)
    assert result.exit_code == 0, result.stderr
    assert "created minutes of steering 2016-01-07:" in result.stdout
    assert "created minutes of steering 2016-01-07-guests:" in result.stdout
    with app.app_context():
        assert "The members' meeting." in _notes("")
        assert "The guests' one." in _notes("guests")
        texts = {f.text: f.raised_at.key for f in db.session.scalars(sa.select(FollowUp))}
        assert texts == {"book the room": "2016-01-07", "send slides": "2016-01-07-guests"}
        before, rows = data(), snapshot()
    for path in paths:  # either file again, alone: nothing changes
        again = run_import(runner, [path])
        assert again.exit_code == 0, again.stderr
        assert "unchanged" in again.stdout
    with app.app_context():
        assert data() == before
        assert snapshot() == rows
    page = client.get("/meetings/steering/2016-01-07-guests")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Meeting of 2016-01-07-guests" in text
    assert "The guests&#39; one." in text or "The guests' one." in text
    assert "The members" not in text
    minutes = client.get("/meetings/steering/2016-01-07-guests/minutes").get_data(as_text=True)
    assert "send slides" in minutes
    assert "book the room" not in minutes
    plain = client.get("/meetings/steering/2016-01-07/minutes").get_data(as_text=True)
    assert "book the room" in plain
    assert "send slides" not in plain
    pages = []
    for number in range(1, 100):  # the series page lists the meetings a page at a time
        listing = client.get(f"/series/steering?page={number}")
        if listing.status_code == 404:
            break
        pages.append(listing.get_data(as_text=True))
    assert any("/meetings/steering/2016-01-07-guests/minutes" in text for text in pages)


def test_three_files_dry_run_says_what_the_real_run_does(app, runner, tmp_path) -> None:
    _series(app)
    paths = _files(tmp_path, "", "-board", "-guests")
    dry = run_import(runner, paths, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Occurrence)) == 0
    real = run_import(runner, paths)
    assert real.exit_code == 0, real.stderr
    said = [line.split(": ", 1)[1] for line in dry.stdout.splitlines() if ".md: " in line]
    done = [line.split(": ", 1)[1] for line in real.stdout.splitlines() if ".md: " in line]
    assert said == [f"would be {line}" for line in done]
    assert len(done) == 3
    with app.app_context():
        keys = sorted(o.key for o in db.session.scalars(sa.select(Occurrence)))
        assert keys == ["2016-01-07", "2016-01-07-board", "2016-01-07-guests"]
        assert "The board met too." in _notes("board")


def test_export_import_into_an_empty_database_export_gives_the_same_bytes(
    app, runner, tmp_path
) -> None:
    _series(app)
    assert run_import(runner, _files(tmp_path, "", "-guests", "-board")).exit_code == 0
    first = export_dir(runner, tmp_path / "one")
    assert {"steering/2016-01-07.md", "steering/2016-01-07-guests.md"} <= set(first)
    assert b'suffix: "guests"' in first["steering/2016-01-07-guests.md"]
    assert b"suffix" not in first["steering/2016-01-07.md"]
    with app.app_context():
        db.drop_all()
        db.create_all()
        steering.create_series()
        db.session.commit()
    # Any order: the export says which meeting each file is.
    paths = sorted((tmp_path / "one" / "steering").glob("*.md"), reverse=True)
    result = run_import(runner, paths)
    assert result.exit_code == 0, result.stderr
    assert export_dir(runner, tmp_path / "two") == first
    again = run_import(runner, paths)
    assert again.stdout.count("unchanged") == 3, again.stdout


def test_an_export_without_suffixes_still_imports(app, runner, tmp_path) -> None:
    _series(app)
    old = tmp_path / "2016-01-07.md"
    old.write_text('---\ndate: "2016-01-07"\nseries: "steering"\nstate: "published"\n---\nOld.\n')
    result = run_import(runner, [old])
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        assert _notes("").strip() == "Old."


def test_a_plain_file_after_a_lone_suffixed_one_is_refused_with_a_way_out(
    app, runner, tmp_path
) -> None:
    _series(app)
    guests, plain = _files(tmp_path, "-guests", "")
    assert run_import(runner, [guests]).exit_code == 0  # alone: the date's meeting
    result = run_import(runner, [plain])
    assert result.exit_code == 1
    assert "were imported from 2016-01-07-guests.md" in result.stderr
    assert "2016-01-07-SUFFIX.md" in result.stderr
    with app.app_context():
        assert "The guests' one." in _notes("")
    named = run_import(runner, [plain], "--date", "2016-01-07-members")
    assert named.exit_code == 0, named.stderr
    with app.app_context():
        assert "The members' meeting." in _notes("members")


def test_bad_suffixes_are_a_one_line_error_naming_the_file(app, runner, tmp_path) -> None:
    _series(app)
    assert run_import(runner, _files(tmp_path, "")).exit_code == 0
    for name in ("2016-01-07-Guests.md", f"2016-01-07-{'x' * 41}.md", "2016-01-07-...md"):
        path = tmp_path / name
        path.write_text(GUESTS)
        result = run_import(runner, [path])
        assert result.exit_code == 1
        errors = [line for line in result.stderr.splitlines() if str(path) in line]
        assert len(errors) == 1, result.stderr
        assert "is not a meeting suffix" in errors[0]
        path.unlink()
    nul = tmp_path / "2016-01-07-x.md"
    nul.write_text('---\nsuffix: "a\\u0000b"\n---\n' + GUESTS)
    result = run_import(runner, [nul])
    assert result.exit_code == 1
    assert f"{nul}:2: front matter:" in result.stderr
    assert "\\x00" in result.stderr
    bad_date = runner.invoke(
        args=["minutes", "import", str(nul), "--series", "steering", "--date", "2016-01-07-A"]
    )
    assert bad_date.exit_code == 1
    assert "--date:" in bad_date.output


def test_api_feed_and_pages_of_a_same_day_meeting(app, runner, client, client_as, tmp_path) -> None:
    _series(app)
    assert run_import(runner, _files(tmp_path, "", "-guests")).exit_code == 0
    api = client.get("/api/v1/series/steering/occurrences?from=2016-01-07&to=2016-01-07").json
    listed = [(o["date"], o["key"], o["url"].rsplit("/", 1)[1]) for o in api["occurrences"]]
    assert listed == [
        ("2016-01-07", "2016-01-07", "2016-01-07"),
        ("2016-01-07", "2016-01-07-guests", "2016-01-07-guests"),
    ]
    feed = client.get("/meetings/steering/2016-01-07-guests.ics").get_data(as_text=True)
    assert "UID:meeting-steering-2016-01-07-guests@" in feed
    # The pages that change a meeting are not offered for it: a clean 404, never a 500.
    scribe = client_as("organizer", "scribe")
    page = scribe.get("/meetings/steering/2016-01-07-guests").get_data(as_text=True)
    assert "The guests" in page
    assert "/meetings/steering/2016-01-07-guests/live" not in page
    assert "minutes/edit" not in page
    soon = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    (tmp_path / "soon.md").write_text(GUESTS)
    added = run_import(runner, [tmp_path / "soon.md"], "--date", f"{soon}-guests")
    assert added.exit_code == 0, added.stderr
    manage = scribe.get("/organize/series/steering/").get_data(as_text=True)
    assert f">{soon}-guests</a>" in manage
    assert f"Cancel {soon}-guests" not in manage
    assert "a second meeting that day" in manage
    series_feed = client.get("/calendar/steering.ics").get_data(as_text=True)
    assert series_feed.count(f"UID:meeting-steering-{soon}-guests@") == 1
    for path in ("live", "agenda", "minutes/edit", "minutes/history", "follow-ups/new"):
        assert scribe.get(f"/meetings/steering/2016-01-07-guests/{path}").status_code == 404
    for path in ("live/start", "minutes/start", "cancel"):
        assert scribe.post(f"/meetings/steering/2016-01-07-guests/{path}").status_code in (
            400,  # the CSRF check answers first
            404,
        )
    for action in ("cancel", "move"):
        url = f"/organize/series/steering/2016-01-07-guests/{action}"
        assert scribe.get(url).status_code == 404
    assert client.get("/meetings/steering/2016-01-07-nobody").status_code == 404
    assert client.get("/meetings/steering/2016-01-07-Guests").status_code == 404
    assert client.get("/meetings/steering/2016-01-07-guests/minutes").status_code == 200


def test_the_export_imported_over_the_original_files_keeps_each_meeting(
    app, runner, tmp_path
) -> None:
    _series(app)
    originals = _files(tmp_path, "-board", "-guests")
    assert run_import(runner, originals).exit_code == 0
    with app.app_context():  # alone for its date, the board's file is the date's meeting
        assert "The board met too." in _notes("")
        assert "The guests' one." in _notes("guests")
    exported = sorted(p for p in export_dir(runner, tmp_path / "out") if "/" in p)
    assert exported == ["steering/2016-01-07-guests.md", "steering/2016-01-07.md"]
    back = run_import(runner, [tmp_path / "out" / p for p in exported])
    assert back.exit_code == 0, back.stderr
    again = run_import(runner, originals)
    assert again.exit_code == 0, again.stderr
    with app.app_context():
        keys = sorted(o.key for o in db.session.scalars(sa.select(Occurrence)))
        assert keys == ["2016-01-07", "2016-01-07-guests"]
        assert "The board met too." in _notes("")


def test_one_parser_reads_a_meeting_key() -> None:
    assert dates.parse_meeting("2019-02-07") == (date(2019, 2, 7), "")
    assert dates.parse_meeting("2019-02-07-guests") == (date(2019, 2, 7), "guests")
    assert dates.parse_meeting(f"2019-02-07-{'a' * 40}")[1] == "a" * 40
    for bad in (
        "2019-02-07-",
        "2019-02-07-Guests",
        f"2019-02-07-{'a' * 41}",
        "2019-02-07-..",
        "2019-02-07-a\x00",
        "2019-02-07-a/b",
        "2019-02-07-guests.md",
        "2019-02-07_guests",
        "2019-02-30-guests",
        "0001-01-01-guests",
    ):
        with pytest.raises(ValueError, match="suffix|YYYY|calendar|outside"):
            dates.parse_meeting(bad)
    assert dates.meeting_key(date(2019, 2, 7), "guests") == "2019-02-07-guests"


def test_undoing_the_import_takes_the_second_meeting_away_too(app, runner, tmp_path) -> None:
    _series(app)
    with app.app_context():
        before = data()
    result = run_import(runner, _files(tmp_path, "", "-guests"))
    assert result.exit_code == 0, result.stderr
    run_id = result.stdout.rsplit("undo-import ", 1)[1].split(")")[0]
    undo = runner.invoke(args=["minutes", "undo-import", run_id])
    assert undo.exit_code == 0, undo.output
    with app.app_context():
        assert data() == before
