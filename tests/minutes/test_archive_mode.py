"""Archive mode, import runs and their undo, cancelled meetings, re-imports of edited files,
and a dry run that says exactly what the real run does."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.minutes import steering
from tests.minutes.conftest import counts
from tests.minutes.test_import_export import export_dir
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import FollowUp, Person

#: The log of what happened (audit, import runs) and caches, not data an undo takes back.
LOGS = {"audit_entries", "import_runs", "import_changes", "rendered_feeds"}


def data() -> dict[str, int]:
    return {k: v for k, v in counts().items() if k not in LOGS}


def snapshot() -> set[tuple]:
    """Every follow-up and person, as rows: the database's content, not only its size."""
    rows = {
        ("fu", f.id, f.text, f.state, f.owner_id) for f in db.session.scalars(sa.select(FollowUp))
    }
    rows |= {
        ("p", p.id, p.name, p.handle, p.aliases) for p in db.session.scalars(sa.select(Person))
    }
    return rows


def run_import(runner, paths, *extra):
    return runner.invoke(
        args=["minutes", "import", *map(str, paths), "--series", "steering", *extra]
    )


def test_a_300_file_archive_leaves_only_the_last_meeting_open_and_undoes(
    app, runner, tmp_path
) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()
        before, rows = data(), snapshot()
    paths = steering.write_archive(tmp_path, 300)
    dry = run_import(runner, paths, "--archive", "--dry-run")
    assert dry.exit_code == 0, dry.stderr[-2000:]
    with app.app_context():
        assert data() == before
    real = run_import(runner, paths, "--archive")
    assert real.exit_code == 0, real.stderr[-2000:]
    # The dry run said exactly what the real run did, file by file.
    said = [line.replace("would be ", "") for line in dry.stdout.splitlines()[:-2]]
    done = real.stdout.splitlines()
    assert said == done[:-1]
    assert done[-1].startswith(dry.stdout.splitlines()[-2])
    assert "closed in the archive" in done[-1]
    newest = steering.meeting_day(299, 300)
    with app.app_context():
        series = meetings.get_series("steering")
        still_open = db.session.scalars(sa.select(FollowUp).where(FollowUp.state == "open")).all()
        assert still_open
        assert {f.raised_at.original_date for f in still_open} == {newest}
        archived = db.session.scalars(
            sa.select(FollowUp).where(FollowUp.close_note == "closed in the archive")
        ).all()
        assert archived
        assert {f.closed_at.original_date for f in archived} == {newest}
        assert svc.get_minutes(series, steering.meeting_day(36, 300)) is None  # no meeting
        assert meetings.find_occurrence(series, steering.meeting_day(36, 300)).cancelled
        handles = set(db.session.scalars(sa.select(Person.handle)))
        assert not handles & {"tsc", "ctc", "observer", "member", "hidden", "left-pad"}
        assert len(handles) == len(steering.PEOPLE)
        run_id = int(done[-1].rsplit("undo-import ", 1)[1].rstrip(")"))
    undo = runner.invoke(args=["minutes", "undo-import", str(run_id)])
    assert undo.exit_code == 0, undo.stderr
    with app.app_context():
        assert data() == before
        assert snapshot() == rows
    again = runner.invoke(args=["minutes", "undo-import", str(run_id)])
    assert again.exit_code == 1
    assert "was undone already" in again.stderr
    listing = runner.invoke(args=["minutes", "import-runs"])
    assert f"{run_id}\t" in listing.stdout
    assert "undone" in listing.stdout


def test_undo_restores_what_a_run_changed(app, runner, tmp_path) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()
    first = steering.write_archive(tmp_path, 4)[:2]
    assert run_import(runner, first, "--add-missing").exit_code == 0
    with app.app_context():
        before, rows = data(), snapshot()
    edited = first[1].read_text().replace("review proposal 1", "review proposal one")
    first[1].write_text(edited + "\nDONE: left-pad: update the docs for 0\n")
    result = run_import(runner, [first[1]], "--add-missing")
    assert result.exit_code == 0, result.stderr
    assert "follow-ups: 0 raised, 1 updated, 1 closed" in result.stdout
    run_id = int(result.stdout.rsplit("undo-import ", 1)[1].rstrip(")\n"))
    assert runner.invoke(args=["minutes", "undo-import", str(run_id)]).exit_code == 0
    with app.app_context():
        assert data() == before
        assert snapshot() == rows
        series = meetings.get_series("steering")
        minutes = svc.get_minutes(series, steering.meeting_day(1, 4))
        assert "review proposal 1" in minutes.notes
        assert minutes.version == 2


def test_reimporting_an_edited_file_updates_and_removes_follow_ups(app, runner, tmp_path) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()
    path = tmp_path / "2016-01-07.md"
    path.write_text("ACTION: a: first task\n- [ ] second task\n- [ ] third task\n")
    assert run_import(runner, [path]).exit_code == 0
    path.write_text("ACTION: a: first task, edited\n- [ ] third task\n")
    result = run_import(runner, [path])
    assert result.exit_code == 0, result.stderr
    assert "follow-ups: 0 raised, 1 updated, 0 closed, 1 removed" in result.stdout
    with app.app_context():
        texts = [f.text for f in db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id))]
        assert texts == ["a: first task, edited", "third task"]


def test_every_way_of_saying_there_was_no_meeting(app, runner, tmp_path) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()
    shapes = {
        "2016-01-07.md": "# No meeting\n",
        "2016-01-14.md": "Meeting cancelled due to FOSDEM.\n",
        "2016-01-21.md": "# Steering committee 2016-01-21\n\nSkipped: too few people.\n",
        "2016-01-28.md": "---\ncancelled: true\n---\n",
        "2016-02-04.md": "# 2016-02-04: skipped\n",
        "2016-02-11.md": "# Steering committee, 2016-02-11 (cancelled)\n",
        "2016-02-18.md": "cancelled due to the holidays\n",
        "2016-02-25.md": "# Meeting\n\nNo call this week, see the list.\n",
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text)
    result = run_import(runner, sorted(tmp_path.glob("*.md")))
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        series = meetings.get_series("steering")
        for name in shapes:
            day = date.fromisoformat(Path(name).stem)
            assert meetings.find_occurrence(series, day).cancelled, name


def test_export_keeps_handles_roles_absentees_and_moves_byte_for_byte(
    app, runner, tmp_path
) -> None:
    with app.app_context():
        steering.create_series()
        db.session.commit()
    (tmp_path / "in").mkdir()
    paths = steering.write_archive(tmp_path / "in", 40)
    assert run_import(runner, paths[:12], "--archive").exit_code == 0
    with app.app_context():
        series = meetings.get_series("steering")
        moved_day = steering.FIRST + timedelta(weeks=100)
        meetings.move(series, moved_day, moved_day + timedelta(days=1), time(18), audit.CLI)
        db.session.commit()
        handles = sorted((p.name, p.handle or "") for p in db.session.scalars(sa.select(Person)))
    first = export_dir(runner, tmp_path / "one")
    text = first["steering/2016-01-07.md"].decode()
    assert '"Ada Lovelace @ada0 (TSC)"' in text
    assert "absent:" in text
    assert '"note": "closed in the archive"' in b"".join(first.values()).decode()
    assert 'moved: {"duration": null, "start": "' in first[f"steering/{moved_day}.md"].decode()
    with app.app_context():
        db.drop_all()
        db.create_all()
        steering.create_series()
        db.session.commit()
    exported = [tmp_path / "one" / name for name in sorted(first)]
    result = runner.invoke(
        args=["minutes", "import", *map(str, exported), "--series", "steering", "--add-missing"]
    )
    assert result.exit_code == 0, result.stderr
    assert export_dir(runner, tmp_path / "two") == first
    with app.app_context():
        again = sorted((p.name, p.handle or "") for p in db.session.scalars(sa.select(Person)))
        assert again == handles
