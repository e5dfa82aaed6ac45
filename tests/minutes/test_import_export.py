"""flask minutes import / export: the real minutes of 2019-02-07, round trips, bad input."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.minutes.conftest import FIXTURE, SHARED_FIXTURE, counts, create_bhyve
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.minutes.importer.dates import resolve_next_meeting
from webapp.models import FollowUp, Minutes, Person

ATTENDEES = [
    "Patrick Mooney",
    "Rod Grimes",
    "Michael Dexter",
    "John Baldwin",
    "Hans Rosenfeld",
    "Elena Mihailescu",
    "Alexandru Elisei",
    "Darius Mihai",
    "Sergiu Weisz",
]


def fixture_paragraphs() -> list[str]:
    text = FIXTURE.read_text(encoding="utf-8")
    notes = text.split("# Notes\n", 1)[1]
    return [p.strip("\n") for p in re.split(r"\n\s*\n", notes) if p.strip()]


def import_fixture(runner, *extra: str):
    return runner.invoke(
        args=[
            "minutes",
            "import",
            str(FIXTURE),
            "--series",
            "bhyve",
            "--date",
            "2019-02-07",
            *extra,
        ]
    )


def test_demo_copy_equals_the_shared_fixture() -> None:
    if not SHARED_FIXTURE.exists():
        # The copy in webapp/minutes/demo_minutes/ is what every other test reads; this only
        # checks it against the original where shared/ sits beside the repository.
        pytest.skip(f"{SHARED_FIXTURE} is not beside the repository")
    assert FIXTURE.read_bytes() == SHARED_FIXTURE.read_bytes()


def test_fixture_imports_attendees_notes_decision_and_next_meeting(app, runner, bhyve) -> None:
    result = import_fixture(runner)
    assert result.exit_code == 0, result.output + result.stderr
    assert (
        "created minutes of bhyve 2019-02-07: 9 attendees, 1 decisions, next meeting 2019-02-21"
        in result.stdout
    )
    with app.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        assert minutes is not None
        assert [p.name for p in minutes.attendees] == ATTENDEES
        for paragraph in fixture_paragraphs():
            assert paragraph in minutes.notes
        assert minutes.notes.startswith("**Q:** Does OpenBSD have their own ACPI code?")
        assert minutes.notes.endswith("Next meeting: Feb 21st\n")
        assert "# Attendees" not in minutes.notes
        assert minutes.decision_list == [
            "SX lock is the preferred one in FreeBSD.  Prefer not diverge."
        ]
        assert "Conclusion: SX lock" in minutes.notes  # decisions stay in the notes too
        assert minutes.next_meeting == date(2019, 2, 21)
        assert minutes.state == "published"
        assert len(minutes.revisions) == 2  # started, imported


def test_reimport_changes_nothing_and_dry_run_writes_nothing(app, runner, bhyve) -> None:
    dry = import_fixture(runner, "--dry-run")
    assert dry.exit_code == 0
    assert "would be created minutes of bhyve 2019-02-07" in dry.stdout
    assert "new people: Patrick Mooney, Rod Grimes" in dry.stdout
    assert "dry run: nothing was written" in dry.stdout
    with app.app_context():
        assert db.session.query(Minutes).count() == 0
        assert db.session.query(Person).count() == 0
    assert import_fixture(runner).exit_code == 0
    with app.app_context():
        before = counts()
    again = import_fixture(runner)
    assert again.exit_code == 0
    assert "unchanged" in again.stdout
    with app.app_context():
        assert counts() == before


def export_dir(runner, directory: Path) -> dict[str, bytes]:
    result = runner.invoke(args=["minutes", "export", str(directory)])
    assert result.exit_code == 0, result.output
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_export_contains_everything_and_round_trips(app, runner, bhyve, tmp_path) -> None:
    assert import_fixture(runner).exit_code == 0
    with app.app_context():
        series = meetings.get_series("bhyve")
        john = svc.find_person("John Baldwin")
        rod = svc.find_person("Rod Grimes")
        item = svc.add_follow_up(series, date(2019, 2, 7), john, "review VM_MAXCPU", audit.CLI)
        done = svc.add_follow_up(
            series,
            date(2019, 2, 7),
            rod,
            "find the Bug 229852 reviews",
            audit.CLI,
            due=date(2019, 2, 21),
        )
        svc.set_follow_up_state(done, "done", series, date(2019, 2, 21), audit.CLI)
        top = svc.add_review(
            series,
            date(2019, 2, 7),
            "https://reviews.freebsd.org/D100",
            'vmm: "VM_MAXCPU" tunable',
            audit.CLI,
            author=rod,
        )
        svc.add_review(
            series,
            date(2019, 2, 7),
            "https://reviews.freebsd.org/D101",
            "bhyve: use it",
            audit.CLI,
            author=rod,
            parent=top,
        )
        db.session.commit()
        assert item.id
    first = export_dir(runner, tmp_path / "one")
    # 2019-02-21 only closed a follow-up: the file of the meeting that raised it says so.
    assert sorted(first) == ["bhyve/2019-02-07.md", "index.md"]
    text = first["bhyve/2019-02-07.md"].decode()
    assert text.startswith('---\nattendees:\n  - "Patrick Mooney"\n')
    for name in ATTENDEES:
        assert f'  - "{name}"' in text
    for paragraph in fixture_paragraphs():
        assert paragraph in text
    assert 'next_meeting: "2019-02-21"' in text
    assert 'state: "published"' in text
    assert '"owner": "John Baldwin", "state": "open", "text": "review VM_MAXCPU"' in text
    assert (
        '"closed": "2019-02-21", "due": "2019-02-21", "owner": "Rod Grimes", "state": "done"'
        in text
    )
    assert '"parent": "https://reviews.freebsd.org/D100"' in text
    assert '"title": "vmm: \\"VM_MAXCPU\\" tunable"' in text
    assert (
        "- [2019-02-07](bhyve/2019-02-07.md): published, 9 attendees, 2 follow-ups raised"
        in first["index.md"].decode()
    )
    # Exporting again writes the same bytes.
    assert export_dir(runner, tmp_path / "one") == first

    with app.app_context():  # an empty database: import the export, export again
        db.drop_all()
        db.create_all()
        create_bhyve()
        db.session.commit()
    paths = [str(tmp_path / "one" / name) for name in sorted(first) if name != "index.md"]
    result = runner.invoke(args=["minutes", "import", *paths, "--series", "bhyve"])
    assert result.exit_code == 0, result.output + result.stderr
    second = export_dir(runner, tmp_path / "two")
    assert second == first
    with app.app_context():
        assert db.session.query(FollowUp).count() == 2


def test_progress_bar_for_many_files_and_one_bad_file_fails_alone(
    app, runner, bhyve, tmp_path
) -> None:
    good = tmp_path / "2019-02-21.md"
    good.write_text(
        "# Attendees\n\n- Rod Grimes\n- John\n\n# Notes\n\n"
        "ACTION: John: review D18755\n- [x] Rod: ping Kostik\n"
    )
    bad = tmp_path / "2019-03-07.md"
    bad.write_text(
        "# Attendees\n\n- Rod Grimes\n\n# Notes\n\nSome text.\n\nACTION: "
        + "X" * 130
        + ": review it\n"
    )
    with app.app_context():
        create_person = svc.create_person
        create_person("John Baldwin", audit.CLI, aliases=["John", "jhb"])
        db.session.commit()
        before = counts()
    result = runner.invoke(args=["minutes", "import", str(good), str(bad), "--series", "bhyve"])
    assert result.exit_code == 1
    assert "importing" in result.stderr  # the progress bar, on stderr
    assert f"{bad}:9: the name 'XXXX" in result.stderr  # 130 characters: over the limit
    assert "1 of 2 file(s) not imported" in result.stderr
    assert f"{good}: created minutes of bhyve 2019-02-21" in result.stdout
    with app.app_context():
        series = meetings.get_series("bhyve")
        assert svc.get_minutes(series, date(2019, 3, 7)) is None
        items = {(f.owner.name, f.text, f.state) for f in db.session.query(FollowUp)}
        assert items == {
            ("John Baldwin", "review D18755", "open"),
            ("Rod Grimes", "ping Kostik", "done"),
        }
        assert counts()["minutes"] == before["minutes"] + 1
        assert counts()["people"] == before["people"] + 1  # Rod; "John" is John Baldwin's alias


def _bad(runner, path: Path, *args: str):
    result = runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve", *args])
    assert result.exit_code == 1
    return result.stderr


def test_bad_inputs_name_the_problem_and_write_nothing(app, runner, bhyve, tmp_path) -> None:
    with app.app_context():
        before = counts()
    missing = tmp_path / "nope.md"
    assert f"{missing}: cannot read the file: it does not exist" in _bad(
        runner, missing, "--date", "2019-02-07"
    )

    latin1 = tmp_path / "2019-02-07.md"
    latin1.write_bytes("# Attendees\n\n- Rod Grimes\n\n# Notes\n\nCaf\u00e9\n".encode("latin-1"))
    assert f"{latin1}:7: not UTF-8 text (byte 0xe9 cannot be decoded)" in _bad(runner, latin1)

    undated = tmp_path / "minutes.md"
    undated.write_text("# Attendees\n\n- Rod Grimes\n")
    assert f"{undated}: the file has no meeting date: give --date YYYY-MM-DD" in _bad(
        runner, undated
    )

    not_a_meeting = tmp_path / "2019-02-08.md"
    not_a_meeting.write_text("# Attendees\n\n- Rod Grimes\n\n# Notes\n\nText.\n")
    message = _bad(runner, not_a_meeting)
    assert (
        f"{not_a_meeting}: 2019-02-08 is not a meeting date of bhyve (nearby meeting dates:"
        in message
    )

    front = tmp_path / "front.md"
    front.write_text("---\nseries: bhyve\ndate: 2019-02-14\n---\n\nText.\n")
    assert f"{front}:3: 2019-02-14 is not a meeting date of bhyve" in _bad(runner, front)

    task = tmp_path / "task.md"
    task.write_text("Notes\n\n- [ ] " + "x" * 1001 + "\n")
    assert f"{task}:3: the task has 1,001 characters (at most 1,000)" in _bad(
        runner, task, "--date", "2019-02-07"
    )

    with app.app_context():
        assert counts() == before


def test_next_meeting_that_is_not_an_occurrence_is_a_warning(app, runner, bhyve, tmp_path) -> None:
    path = tmp_path / "2019-02-07.md"
    path.write_text("# Attendees\n\n- Rod Grimes\n\n# Notes\n\nText.\n\nNext meeting: Feb 22nd\n")
    result = runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"])
    assert result.exit_code == 0
    assert (
        f"{path}:9: warning: the next meeting 2019-02-22 ('Feb 22nd') "
        "is not a meeting date of bhyve" in result.stderr
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Feb 21st", date(2019, 2, 21)),
        ("February 21", date(2019, 2, 21)),
        ("Thursday, March 7th", date(2019, 3, 7)),
        ("21 February", date(2019, 2, 21)),
        ("Jan 3rd", date(2020, 1, 3)),  # nearest future date: next year
        ("2019-02-21", date(2019, 2, 21)),
        ("Feb 21, 2020", date(2020, 2, 21)),
        ("Feb 30th", None),
        ("soon", None),
    ],
)
def test_next_meeting_dates(text: str, expected: date | None) -> None:
    assert resolve_next_meeting(text, date(2019, 2, 7)) == expected


def test_front_matter_and_file_name_give_the_date(app, runner, bhyve, tmp_path) -> None:
    named = tmp_path / "bhyve-2019-02-21.md"
    named.write_text("Only notes.\n\nDECISION: ship it\n")
    front = tmp_path / "x.md"
    front.write_text(
        "---\n# a comment\ndate: 2019-03-07\nstate: draft\n"
        "attendees:\n  - Rod Grimes\n  - 'Patrick Mooney'\n---\nNotes.\n"
    )
    result = runner.invoke(args=["minutes", "import", str(named), str(front), "--series", "bhyve"])
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        series = meetings.get_series("bhyve")
        feb = svc.get_minutes(series, date(2019, 2, 21))
        mar = svc.get_minutes(series, date(2019, 3, 7))
        assert feb.notes == "Only notes.\n\nDECISION: ship it\n"
        assert feb.decision_list == ["ship it"]
        assert mar.state == "draft"
        assert [p.name for p in mar.attendees] == ["Rod Grimes", "Patrick Mooney"]
        assert mar.notes == "Notes.\n"


def test_crlf_line_endings_are_normalised(app, runner, bhyve, tmp_path) -> None:
    path = tmp_path / "2019-02-07.md"
    path.write_bytes(FIXTURE.read_bytes().replace(b"\n", b"\r\n"))
    assert runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"]).exit_code == 0
    with app.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        assert "\r" not in minutes.notes
        assert all(p in minutes.notes for p in fixture_paragraphs())


def test_the_readme_example_imports_as_documented(app, runner, bhyve, tmp_path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split(
        "A file is either Cadence's export (below) or notes as scribes write them:\n\n"
        "```markdown\n",
        1,
    )[1]
    path = tmp_path / "2019-02-07.md"
    path.write_text(example.split("```", 1)[0])
    result = runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.get_minutes(series, date(2019, 2, 7))
        rows = [(r.person.name, r.person.handle, r.role) for r in minutes.present_rows]
        assert rows == [
            ("Patrick Mooney", "pmooney", "illumos"),
            ("John Baldwin", "jhb", ""),
            ("Rod Grimes", None, "guest"),
        ]
        assert [r.person.name for r in minutes.absent_rows] == ["Ed Maste"]
        assert minutes.decision_list == ["SX lock is the preferred one in FreeBSD."]
        assert minutes.next_meeting == date(2019, 2, 21)
        got = {
            (svc.owner_label(f), f.text, f.state) for f in svc.raised_at(series, date(2019, 2, 7))
        }
        assert got == {
            ("John Baldwin", "review VM_MAXCPU", "open"),
            ("Rod Grimes", "find the Bug 229852 reviews", "open"),
            ("Patrick Mooney", "send the acpidump", "done"),
            # A package name is no person: no owner, nobody created.
            ("no owner", "left-pad: update the docs", "open"),
        }
        assert svc.find_person("left-pad") is None
    assert "follow-ups: 4 raised, 0 updated, 0 closed" in result.stdout
    missing = runner.invoke(args=["minutes", "import", str(path), "--series", "nope"])
    assert missing.exit_code == 1
    assert f"{path}: there is no series 'nope'" in missing.stderr
