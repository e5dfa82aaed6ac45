"""Follow-ups come out of typed text, by one rule for the editor, the importer and the call page:
keyed by (meeting, ordinal of the task line), owners only when known, nobody invented."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import Flask

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import FollowUp, Person

NOW = datetime(2019, 2, 7, 22, tzinfo=UTC)
FIRST, SECOND = date(2019, 2, 7), date(2019, 2, 21)
EDIT = "/meetings/bhyve/2019-02-07/minutes/edit"


def save(app: Flask, day: date, notes: str, attendees: str = "Rod Grimes\nJohn Baldwin (jhb)"):
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, day, audit.CLI, NOW)
        present, absent, _ = svc_read(attendees)
        report = svc.SyncReport()
        data = svc.MinutesInput(notes, "", present, "draft", absent)
        svc.save_minutes(minutes, minutes.version, data, audit.CLI, NOW, report=report)
        db.session.commit()
        return report


def svc_read(text: str):
    from webapp.minutes.grammar import read_attendees

    return read_attendees(text)


def follow_ups(app: Flask) -> list[tuple[int, str, str, str, int | None]]:
    with app.app_context():
        return [
            (f.id, svc.owner_label(f), f.text, f.state, f.raised_line)
            for f in db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id))
        ]


def people(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Person.name)))


def test_a_task_line_raises_a_follow_up_for_a_known_owner_only(app, bhyve) -> None:
    report = save(
        app,
        FIRST,
        "ACTION: Rod: find the reviews\n- [ ] left-pad: update the docs\nTODO: Nobody Known: x\n",
    )
    assert (report.raised, report.updated, report.closed) == (3, 0, 0)
    assert [f[1:] for f in follow_ups(app)] == [
        ("Rod Grimes", "find the reviews", "open", 0),
        ("no owner", "left-pad: update the docs", "open", 1),
        ("no owner", "Nobody Known: x", "open", 2),
    ]
    assert people(app) == {"Rod Grimes", "John Baldwin"}  # nobody invented


def test_an_edited_line_updates_its_follow_up_and_a_removed_one_goes(app, bhyve) -> None:
    save(app, FIRST, "ACTION: Rod: find the reviews\nACTION: jhb: review VM_MAXCPU\n")
    (rod, *_), (john, *_) = follow_ups(app)
    report = save(app, FIRST, "ACTION: Rod: find all the reviews\nACTION: jhb: review VM_MAXCPU\n")
    assert (report.raised, report.updated, report.removed) == (0, 1, 0)
    assert follow_ups(app) == [
        (rod, "Rod Grimes", "find all the reviews", "open", 0),
        (john, "John Baldwin", "review VM_MAXCPU", "open", 1),
    ]
    # A line above them: both keep their identity (same text first), the new one is raised.
    report = save(
        app,
        FIRST,
        "ACTION: jhb: a new first task\nACTION: Rod: find all the reviews\n"
        "ACTION: jhb: review VM_MAXCPU\n",
    )
    assert report.raised == 1
    got = follow_ups(app)
    assert got[:2] == [
        (rod, "Rod Grimes", "find all the reviews", "open", 1),
        (john, "John Baldwin", "review VM_MAXCPU", "open", 2),
    ]
    report = save(app, FIRST, "ACTION: Rod: find all the reviews\n")
    assert report.removed == 2
    assert [f[0] for f in follow_ups(app)] == [rod]


def test_done_closes_the_earlier_follow_up_and_removing_it_reopens(app, bhyve) -> None:
    save(app, FIRST, "ACTION: Rod Grimes: collect ACPI dumps\n")
    report = save(app, SECOND, "DONE: Rod Grimes: collect ACPI dumps\n")
    assert (report.raised, report.closed) == (0, 1)
    [(_, owner, text, state, _line)] = follow_ups(app)
    assert (owner, text, state) == ("Rod Grimes", "collect ACPI dumps", "done")
    report = save(app, SECOND, "Nothing done after all.\n")
    assert report.reopened == 1
    assert follow_ups(app)[0][3] == "open"
    report = save(app, SECOND, "- [x] Rod: collect ACPI dumps\n")  # like DONE:
    assert report.closed == 1


def test_hand_added_follow_ups_survive_a_save(app, bhyve) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        svc.add_follow_up(series, FIRST, None, "added by hand", audit.CLI)
        db.session.commit()
    save(app, FIRST, "No tasks in the notes.\n")
    assert [f[2] for f in follow_ups(app)] == ["added by hand"]


def test_the_editor_form_raises_follow_ups_from_typed_text(app, client_as, bhyve) -> None:
    save(app, FIRST, "Started.\n")
    scribe = client_as("scribe")
    form = {
        "attendees": "Rod Grimes @rgrimes (guest)\nAbsent:\nEd Maste",
        "notes": "ACTION: Rod: find the reviews\n- [ ] left-pad: update the docs\n",
        "decisions": "",
        "state": "published",
        "version": "2",
    }
    response = scribe.post(EDIT, data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Follow-ups: 2 raised, 0 updated, 0 closed." in page
    assert "Rod Grimes @rgrimes (guest)" in page  # the box shows what was read
    assert [f[1:4] for f in follow_ups(app)] == [
        ("Rod Grimes", "find the reviews", "open"),
        ("no owner", "left-pad: update the docs", "open"),
    ]
    with app.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), FIRST)
        assert [(r.person.name, r.role) for r in minutes.present_rows] == [("Rod Grimes", "guest")]
        assert [r.person.name for r in minutes.absent_rows] == ["Ed Maste"]
    public = client_as().get("/meetings/bhyve/2019-02-07/minutes").get_data(as_text=True)
    assert "Ed Maste" in public
    assert "guest" in public


def test_preview_says_what_a_save_would_do_and_writes_nothing(app, bhyve) -> None:
    save(app, FIRST, "ACTION: Rod: find the reviews\n")
    text = (
        "# Attendees\n- Alan Turing @aturing (guest)\n\n"
        "ACTION: Rod: find every review\n"
        "ACTION: Alan: write it down\n"
        "- [ ] left-pad: update the docs\n"
    )
    with app.app_context():
        series = meetings.get_series("bhyve")
        before = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp))
        items = svc.preview(series, FIRST, text)
        got = [(i.action, i.owner_label, i.text) for i in items]
        assert got == [
            ("update", "Rod Grimes", "find every review"),
            ("raise", "Alan Turing", "write it down"),  # an attendee being typed
            ("raise", "unknown", "left-pad: update the docs"),  # no owner, nobody created
        ]
        later = svc.preview(series, SECOND, "DONE: Rod: find the reviews\n")
        assert [(i.action, i.owner_label) for i in later] == [("raise", "unknown")]
        later = svc.preview(
            series, SECOND, "# Attendees\n- Rod Grimes\n\nDONE: Rod: find the reviews\n"
        )
        assert [(i.action, i.owner_label, i.state) for i in later] == [
            ("close", "Rod Grimes", "done")
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == before
        assert svc.find_person("Alan Turing") is None
