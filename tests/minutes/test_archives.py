"""Real archives: every shape of minutes, archive mode, the round trip, merges, bad input.

The files in ``archive/`` are invented minutes in the shapes working groups write (no copy of any
real archive): ``YYYYMMDD.md`` and date-prefixed names, a README and an index beside them,
attendees as headings, label lines and inline lists, tasks in every form seen.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.minutes.conftest import counts, create_bhyve
from tests.minutes.test_import_export import export_dir
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.minutes.importer import parse
from webapp.models import AuditEntry, FollowUp, MinutesRevision, Occurrence, Person

ARCHIVE = Path(__file__).resolve().parent / "archive"


def archive_files() -> list[str]:
    return [str(p) for p in sorted(ARCHIVE.glob("*.md"))]


def import_archive(runner, *extra: str):
    return runner.invoke(args=["minutes", "import", *archive_files(), "--series", "bhyve", *extra])


def follow_ups() -> set[tuple[str, str | None, str, str, str | None]]:
    return {
        (
            f.raised_at.original_date.isoformat(),
            f.owner.name if f.owner else None,
            f.text,
            f.state,
            f.closed_at.original_date.isoformat() if f.closed_at else None,
        )
        for f in db.session.scalars(sa.select(FollowUp))
    }


def test_a_whole_archive_imports_with_add_missing(app, runner, client, bhyve) -> None:
    result = import_archive(runner, "--add-missing")
    assert result.exit_code == 0, result.stderr
    for skipped in ("README.md", "agenda.md", "index.md"):
        assert f"{ARCHIVE / skipped}: skipped: not minutes (no meeting date)" in result.stderr
    assert "added as an extra meeting" in result.stdout
    with app.app_context():
        series = meetings.get_series("bhyve")
        first = svc.get_minutes(series, date(2019, 1, 24))
        assert [p.name for p in first.attendees] == [
            "John Baldwin",
            "Rod Grimes",
            "imp",
            "Alice Example",
        ]
        john = svc.find_person("jhb@")
        assert (john.name, john.handle) == ("John Baldwin", "jhb")
        rod = svc.find_person("Rod Grimes <rgrimes@example.org>")
        assert (rod.name, rod.email) == ("Rod Grimes", "rgrimes@example.org")
        rod_id = rod.id
        # Lines that are no structure stay in the notes, colons of times and URLs included.
        assert "10:00 UTC: the call now starts an hour earlier." in first.notes
        assert "See https://wiki.example.org/Bhyve: the page moved." in first.notes
        second = svc.get_minutes(series, date(2019, 2, 21))
        assert "This line is not a name and stays in the notes." in second.notes
        assert [p.name for p in second.attendees] == ["Patrick Mooney", "John Baldwin"]
        assert second.attendees[0].handle == "pmooney"  # Name (handle@)
        assert {p.name for p in svc.get_minutes(series, date(2019, 2, 7)).attendees} == {
            "markj",
            "John Baldwin",
            "emaste",
            "imp",
        }
        got = follow_ups()
        occurrences = {o.original_date: o for o in db.session.scalars(sa.select(Occurrence))}
        assert occurrences[date(2019, 3, 14)].status == "extra"
        cancelled = occurrences[date(2019, 3, 21)]
        assert cancelled.status == "cancelled"
        assert cancelled.cancel_reason == "Meeting cancelled: most of us are at AsiaBSDCon"
    page = client.get(f"/people/{rod_id}").get_data(as_text=True)
    assert "Rod Grimes" in page
    assert "rgrimes" not in page  # stored on the person, never shown publicly
    assert got == {
        # "John will …" under Action Items: John is the attendee John Baldwin. Closed by the
        # ticked item three meetings later instead of a second follow-up.
        ("2019-01-24", "John Baldwin", "post the VM_MAXCPU patch", "done", "2019-03-07"),
        # Michael Dexter is neither an attendee nor known: no owner, the sentence kept whole.
        (
            "2019-01-24",
            None,
            "Michael Dexter to send followup e-mail about the hackathon",
            "open",
            None,
        ),
        ("2019-01-24", "imp", "look at pr 231884", "open", None),
        ("2019-01-24", "Alice Example", "collect the acpidump files", "open", None),
        ("2019-01-24", None, "Document the tunable somewhere", "open", None),
        # AI(markj), **ACTION:**, TODO:, Action:, AI: without an owner.
        ("2019-02-07", "markj", "rerun the bhyve tests on arm64", "done", "2019-03-07"),
        ("2019-02-07", "emaste", "update the wiki page", "done", "2019-02-21"),
        ("2019-02-07", "John Baldwin", "write the vmm(4) man page section", "open", None),
        ("2019-02-07", "Rod Grimes", "send the acpidump of the 128-thread box", "open", None),
        ("2019-02-07", None, "nobody in particular looks at the flaky test", "open", None),
        # 1. [ ] name:, * [ ] @name, - [x] without an owner, - [ ] Full Name:.
        ("2019-02-21", "John Baldwin", "review D19470", "open", None),
        ("2019-02-21", "imp", "check the loader change", "open", None),
        ("2019-02-21", None, "Doc repo punch list", "done", "2019-02-21"),
        ("2019-02-21", "Alice Example", "rebase the branch", "open", None),
        # "Next steps:" label line; "Rod will …" is the attendee Rod Grimes.
        ("2019-03-14", "John Baldwin", "tag the release", "open", None),
        ("2019-03-14", "Rod Grimes", "announce it", "open", None),
    }


def test_off_schedule_date_without_add_missing_suggests_it(app, runner, bhyve) -> None:
    path = ARCHIVE / "2019-03-14-extra.md"
    result = runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"])
    assert result.exit_code == 1
    assert f"{path}: 2019-03-14 is not a meeting date of bhyve" in result.stderr
    assert "add --add-missing" in result.stderr


def test_archive_round_trip_is_byte_identical(app, runner, bhyve, tmp_path) -> None:
    assert import_archive(runner, "--add-missing").exit_code == 0
    first = export_dir(runner, tmp_path / "one")
    assert "bhyve/2019-03-14.md" in first
    assert b'extra: {"duration": 60, "start": "16:00", "title": ""}' in first["bhyve/2019-03-14.md"]
    assert (
        b'cancelled: "Meeting cancelled: most of us are at AsiaBSDCon"'
        in first["bhyve/2019-03-21.md"]
    )
    assert b"rgrimes@example.org" not in b"".join(first.values())  # emails are never exported
    with app.app_context():  # an empty database with the series: import the export
        db.drop_all()
        db.create_all()
        create_bhyve()
        db.session.commit()
    paths = [str(tmp_path / "one" / name) for name in sorted(first)]
    result = runner.invoke(args=["minutes", "import", *paths, "--series", "bhyve", "--add-missing"])
    assert result.exit_code == 0, result.stderr
    assert f"{tmp_path / 'one' / 'index.md'}: skipped: not minutes" in result.stderr
    assert export_dir(runner, tmp_path / "two") == first


def test_reimporting_unchanged_files_writes_no_revision_and_no_audit(app, runner, bhyve) -> None:
    assert import_archive(runner, "--add-missing").exit_code == 0
    with app.app_context():
        before = counts()
        revisions = db.session.scalar(sa.select(sa.func.count(MinutesRevision.id)))
        audits = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    again = import_archive(runner, "--add-missing")
    assert again.exit_code == 0, again.stderr
    with app.app_context():
        assert counts() == before
        assert db.session.scalar(sa.select(sa.func.count(MinutesRevision.id))) == revisions
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audits


def test_dry_run_lists_each_file_and_names_new_people_once(app, runner, bhyve) -> None:
    with app.app_context():
        before = counts()
    result = import_archive(runner, "--add-missing", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("would be created minutes of bhyve") == 5
    shown = result.stdout.replace(str(ARCHIVE), "ARCHIVE")  # the checkout path may say "imp"
    assert shown.count("imp") == 1  # a new person is named at the first file only
    assert "dry run: nothing was written" in result.stdout
    with app.app_context():
        assert counts() == before


def test_date_with_several_files_is_refused_with_the_reason(runner, bhyve) -> None:
    result = runner.invoke(args=["minutes", "import", *archive_files()[:2], "--date", "2019-02-07"])
    assert result.exit_code != 0
    assert "--date names one meeting, but 2 files were given" in result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20190207.md", date(2019, 2, 7)),
        ("2019-02-07.md", date(2019, 2, 7)),
        ("2019-02-07-vmm-locking.md", date(2019, 2, 7)),
        ("20190207-vmm.md", date(2019, 2, 7)),
        ("bhyve-2019-02-07.md", date(2019, 2, 7)),
    ],
)
def test_dates_from_file_names(name: str, expected: date) -> None:
    assert parse("Text.\n", name).day == expected


def test_colons_of_urls_and_times_are_never_owners() -> None:
    text = (
        "ACTION: See https://reviews.freebsd.org/D19468: land it\n"
        "ACTION: 10:00 UTC: call the vendor\n"
        "- [ ] https://example.org/x: read this\n"
    )
    items = parse(text, "2019-02-07.md").follow_ups
    assert [(f.owner, f.text) for f in items] == [
        (None, "See https://reviews.freebsd.org/D19468: land it"),
        (None, "10:00 UTC: call the vendor"),
        (None, "https://example.org/x: read this"),
    ]


def test_a_follow_up_raised_then_closed_two_meetings_later(app, runner, bhyve, tmp_path) -> None:
    raised = tmp_path / "2019-02-07.md"
    raised.write_text("# Attendees\n\n- John Baldwin\n\nACTION: John: review the VM_MAXCPU patch\n")
    closed = tmp_path / "2019-03-07.md"
    closed.write_text("# Attendees\n\n- John Baldwin\n\n- [x] John: Review the VM_MAXCPU patch.\n")
    args = ["minutes", "import", str(raised), str(closed), "--series", "bhyve"]
    assert runner.invoke(args=args).exit_code == 0
    with app.app_context():
        assert follow_ups() == {
            ("2019-02-07", "John Baldwin", "review the VM_MAXCPU patch", "done", "2019-03-07")
        }


def test_organizers_and_scribes_merge_two_people(app, runner, client_as, client, bhyve) -> None:
    assert import_archive(runner, "--add-missing").exit_code == 0
    with app.app_context():
        john, markj = svc.find_person("John Baldwin"), svc.find_person("markj")
        john_id, markj_id = john.id, markj.id
        attended = len(svc.attendance_of(john, published_only=False))
        attended += len(svc.attendance_of(markj, published_only=False))
        owned = len(svc.follow_ups_of(john)) + len(svc.follow_ups_of(markj))
    assert client.post(f"/people/{john_id}/merge", data={"other": markj_id}).status_code in (
        302,
        401,
        403,
    )
    with app.app_context():
        assert db.session.get(Person, markj_id) is not None  # the public cannot merge
    scribe = client_as("scribe")
    page = scribe.get(f"/people/{john_id}").get_data(as_text=True)
    assert "Merge into this person" in page
    # Asked once, on the preview, with what moves; nothing merged yet.
    asked = scribe.get(f"/people/{john_id}/merge/preview?other={markj_id}")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert f'action="/people/{john_id}/merge"' in page
    assert "Merge markj into John Baldwin?" in page
    assert "follow-up" in page
    assert "of them list both: one entry stays there" in page
    with app.app_context():
        assert db.session.get(Person, markj_id) is not None
    response = scribe.post(f"/people/{john_id}/merge", data={"other": markj_id})
    assert response.status_code == 302
    assert "markj merged into John Baldwin" in scribe.get(f"/people/{john_id}").get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Person, markj_id) is None
        john = db.session.get(Person, john_id)
        # 2019-02-07 listed both: one attendance there now.
        assert len(svc.attendance_of(john, published_only=False)) == attended - 1
        assert len(svc.follow_ups_of(john)) == owned
        assert "markj" in john.alias_list
        assert svc.find_person("markj") == john
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "person.merge"))
        assert entry.summary == "merged markj into John Baldwin"


def _problems(text: str | bytes, tmp_path: Path, runner) -> str:
    path = tmp_path / "2019-02-07.md"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    result = runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    return result.stderr.replace(str(path), "PATH")


def test_bad_inputs_each_give_path_line_messages_and_write_nothing(
    app, runner, bhyve, tmp_path
) -> None:
    with app.app_context():
        before = counts()
    long_name = "N" * 121
    several = _problems(
        f"# Attendees\n\n- {long_name}\n- Rod\n\nACTION: Rod: {'x' * 1001}\n- [ ] Rod: \n",
        tmp_path,
        runner,
    )
    assert "PATH:3: the name 'NNNN" in several
    assert "has 121 characters (at most 120)" in several
    assert "PATH:6: the task has 1,001 characters (at most 1,000)" in several
    assert "PATH:7: the task has no text" in several
    bad_bytes = _problems(b"ok\n\xff\xfe\nok\n\xc3\n", tmp_path, runner)
    assert "PATH:2: not UTF-8 text (byte 0xff cannot be decoded)" in bad_bytes
    assert "PATH:4: not UTF-8 text (byte 0xc3 cannot be decoded)" in bad_bytes
    long_line = _problems("Text.\n" + "D12345 " * 9000 + "\n", tmp_path, runner)
    assert "PATH:2: the line has 63,000 characters (at most 20,000 per line)" in long_line
    assert "PATH:1: the file is empty" in _problems("", tmp_path, runner)
    controls = _problems("# Notes\n\nACTION: Rod: \x00\nA bell \x07 rang.\n", tmp_path, runner)
    assert "PATH:3: the line holds a control character (0x00)" in controls
    assert "PATH:4: the line holds a control character (0x07)" in controls
    with app.app_context():
        assert counts() == before


def test_parsing_is_linear_in_the_input() -> None:
    """No pattern with nested quantifiers over a line: 10x the input costs about 10x the time."""

    def seconds(lines: int) -> float:
        # The best of three: one pause of a loaded machine must not decide the ratio.
        text = ("- [ ] " + "a: " * 30 + " " * 200 + "x" * 300 + "\n") * lines
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert len(parse(text, "2019-02-07.md").follow_ups) == lines
            times.append(time.perf_counter() - start)
        return min(times)

    seconds(50)
    ratio = seconds(2000) / seconds(200)
    assert ratio < 25, f"10x the lines took {ratio:.0f}x the time"


def test_next_meeting_bullet_under_next_steps_sets_the_next_meeting() -> None:
    text = (
        "## Next steps\n\n- Next meeting on 2027-01-28 at the usual time\n- Rod: tag the release\n"
    )
    parsed = parse(text, "2027-01-14.md")
    assert parsed.next_meeting == date(2027, 1, 28)
    assert [(f.owner, f.text) for f in parsed.follow_ups] == [("Rod", "tag the release")]


def test_a_cancellation_heading_reads_like_the_bullet_form() -> None:
    parsed = parse("# Meeting cancelled\n\nFOSDEM week.\n", "2027-02-04.md")
    assert parsed.cancelled == "Meeting cancelled: FOSDEM week"
    assert parse("## No meeting\n", "2027-02-04.md").cancelled == "No meeting"
    assert parse("## Cancelled items\n\nText.\n", "2027-02-04.md").cancelled is None


def test_a_cancelled_meeting_with_minutes_round_trips(app, runner, bhyve, tmp_path) -> None:
    source = tmp_path / "2019-03-21.md"
    source.write_text(
        "- Meeting cancelled: most of us are at AsiaBSDCon.\n\n"
        "Decision: the hallway chat moves the release to April\n\n"
        "Three of us met in the hallway anyway.\n"
    )
    args = ["minutes", "import", str(source), "--series", "bhyve"]
    assert runner.invoke(args=args).exit_code == 0
    first = export_dir(runner, tmp_path / "one")
    exported = first["bhyve/2019-03-21.md"]
    assert b'cancelled: "Meeting cancelled: most of us are at AsiaBSDCon"' in exported
    assert b"Three of us met in the hallway anyway." in exported
    assert b"moves the release to April" in exported
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_bhyve()
        db.session.commit()
    paths = [str(tmp_path / "one" / name) for name in sorted(first) if name != "index.md"]
    args = ["minutes", "import", *paths, "--series", "bhyve", "--add-missing"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        series = meetings.get_series("bhyve")
        assert svc.get_minutes(series, date(2019, 3, 21)) is not None
        occurrence = db.session.scalar(
            sa.select(Occurrence).where(Occurrence.original_date == date(2019, 3, 21))
        )
        assert occurrence.status == "cancelled"
    assert export_dir(runner, tmp_path / "two") == first
