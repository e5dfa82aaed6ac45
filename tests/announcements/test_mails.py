"""The minutes mail, retime notices, list headers and threading, and the worker queueing by
itself: through the outbox to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as minutes
from webapp.models import Announcement, OutboxMessage, Person
from webapp.outbox_worker import Worker

LIST = "bhyve-list@example.org"
AGENDA_ID = "<agenda.call.2026-01-15."


def _body(smtp_server: Any, msg: Any) -> str:
    return str(smtp_server.body(msg)).replace("\r\n", "\n")


def _count(app: Any, model: Any = OutboxMessage) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_the_agenda_has_list_headers_and_the_notices_of_its_meeting_answer_it(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    cli("announcements", "queue")
    agenda = smtp_server.wait_for(1)[0]
    assert str(agenda["Message-ID"]).startswith(AGENDA_ID)
    assert str(agenda["Message-ID"]).endswith("@localhost>")
    assert agenda["List-Id"] == '"Hypervisor call" <call.lists.localhost>'
    assert agenda["Precedence"] == "list"
    assert agenda["In-Reply-To"] is None
    cli("series", "move", call, "2026-01-15", "--to", "2026-01-15 17:00")
    cli("series", "cancel", call, "2026-01-29", "--reason", "Summit")
    messages = smtp_server.wait_for(3)
    assert len(messages) == 3
    moved = next(m for m in messages if str(m["Subject"]).startswith("[Hypervisor call] Moved"))
    assert moved["In-Reply-To"] == agenda["Message-ID"]
    assert moved["References"] == agenda["Message-ID"]
    assert moved["List-Id"] == agenda["List-Id"]
    assert moved["Precedence"] == "list"
    assert moved["Message-ID"] != agenda["Message-ID"]
    cancelled = next(m for m in messages if "Cancelled" in str(m["Subject"]))
    # The notice of another meeting answers that meeting's agenda (not sent yet), not this one.
    assert str(cancelled["In-Reply-To"]).startswith("<agenda.call.2026-01-29.")
    with app.app_context():  # the extra headers are dropped once sent, like the context
        kept = sa.select(sa.func.count()).where(OutboxMessage.headers.is_not(None))
        assert db.session.scalar(kept) == 0


def test_each_list_address_gets_its_own_message_id_and_answers_its_own_copy(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST, "--to", "second@example.org")
    cli("announcements", "queue")
    cli("series", "cancel", call, "2026-01-15", "--reason", "Snow")
    messages = smtp_server.wait_for(4)
    assert len(messages) == 4
    for address in (LIST, "second@example.org"):
        agenda, notice = sorted(
            (m for m in messages if m["To"] == address), key=lambda m: "Cancelled" in m["Subject"]
        )
        assert notice["In-Reply-To"] == agenda["Message-ID"]
    assert len({m["Message-ID"] for m in messages}) == 4


def _publish_in_the_editor(app: Any, client: Any, day: str, state: str = "published") -> Any:
    client.post(f"/meetings/call/{day}/minutes/start")
    return client.post(
        f"/meetings/call/{day}/minutes/edit",
        data={
            "attendees": "Ada Lovelace\nAlan Turing\nAbsent:\nGrace Hopper",
            "notes": "Talked.\n\nACTION: Ada: backport the NVMe fix\n",
            "decisions": "Branch stable/15 on 2026-02-01\nDrop i386 guests",
            "state": state,
            "version": "1",
        },
    )


def test_publishing_minutes_mails_the_list_once_with_what_the_meeting_decided(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any, client_as: Any
) -> None:
    with app.app_context():
        series = meetings.get_series(call)
        ada, alan = Person(name="Ada Lovelace"), Person(name="Alan Turing")
        db.session.add_all([ada, alan])
        db.session.flush()
        old = minutes.add_follow_up(
            series, date(2026, 1, 1), alan, "Write the release notes", audit.CLI
        )
        minutes.add_follow_up(series, date(2026, 1, 1), ada, "Still open", audit.CLI)
        minutes.set_follow_up_state(old, "done", series, date(2026, 1, 15), audit.CLI)
        db.session.commit()
    cli("series", "announcements", call, "--to", LIST)
    app.config["CADENCE_NOW"] = datetime(2026, 1, 15, 23, 0, tzinfo=UTC)  # after the meeting
    organizer = client_as("organizer")
    saved = _publish_in_the_editor(app, organizer, "2026-01-15", state="draft")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert _count(app) == 0  # a draft tells nobody
    response = organizer.post(
        "/meetings/call/2026-01-15/minutes/edit",
        data={
            "attendees": "Ada Lovelace\nAlan Turing\nAbsent:\nGrace Hopper",
            "notes": "Talked.\n\nACTION: Ada: backport the NVMe fix\n",
            "decisions": "Branch stable/15 on 2026-02-01\nDrop i386 guests",
            "state": "published",
            "version": "2",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    msg = messages[0]
    assert msg["Subject"] == (
        "[Hypervisor call] Minutes: Thursday 2026-01-15, 16:00–17:00 America/New_York"
    )
    assert msg["List-Id"] == '"Hypervisor call" <call.lists.localhost>'
    assert str(msg["In-Reply-To"]).startswith(AGENDA_ID)
    assert str(msg["Message-ID"]).startswith("<minutes.call.2026-01-15.")
    body = _body(smtp_server, msg)
    assert "http://localhost/meetings/call/2026-01-15/minutes\n" in body
    attendees = body.split("Attendees\n", 1)[1].split("Decisions", 1)[0]
    assert "- Ada Lovelace\n- Alan Turing\nAbsent: Grace Hopper" in attendees
    decisions = body.split("Decisions\n", 1)[1].split("New follow-ups", 1)[0]
    assert "- Branch stable/15 on 2026-02-01\n- Drop i386 guests" in decisions
    new = body.split("New follow-ups\n", 1)[1].split("Closed follow-ups", 1)[0]
    assert new.strip() == "- Ada Lovelace: backport the NVMe fix"
    closed = body.split("Closed follow-ups\n", 1)[1]
    assert "- Alan Turing: Write the release notes (done)" in closed
    assert "Still open" not in body
    # Unpublish and publish again: the list was told already.
    for state, version in (("draft", "3"), ("published", "4")):
        again = organizer.post(
            "/meetings/call/2026-01-15/minutes/edit",
            data={"attendees": "Ada Lovelace", "notes": "Talked.\n", "decisions": "",
                  "state": state, "version": version},
        )  # fmt: skip
        assert again.status_code == 302, again.get_data(as_text=True)
    smtp_server.drain()
    assert len(smtp_server.messages) == 1
    assert _count(app, Announcement) == 1


def test_importing_published_minutes_mails_nobody(
    app: Any, cli: Callable[..., Any], call: str, tmp_path: Path
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    path = tmp_path / "2026-01-01.md"
    path.write_text("# Attendees\n\n- Ada Lovelace\n\n# Notes\n\nACTION: Ada: test it\n")
    out = cli("minutes", "import", str(path), "--series", call).output
    assert "2026-01-01" in out
    with app.app_context():
        assert minutes.get_minutes(meetings.get_series(call), date(2026, 1, 1)).published
    assert _count(app) == 0
    assert _count(app, Announcement) == 0


def test_a_retime_tells_old_and_new_times_once_and_a_second_retime_again(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST, "--before", "48")
    cli("announcements", "queue")
    agenda = smtp_server.wait_for(1)[0]
    with app.app_context():
        series = meetings.get_series(call)
        meetings.retime(
            series, date(2026, 1, 15), date(2026, 1, 15), time(17), audit.CLI,
            now=datetime(2026, 1, 15, 12, tzinfo=UTC),
        )  # fmt: skip
        db.session.commit()
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    notice = messages[1]
    assert notice["Subject"] == (
        "[Hypervisor call] New time: Thursday 2026-01-15, 17:00–18:00 America/New_York"
    )
    assert notice["In-Reply-To"] == agenda["Message-ID"]
    body = _body(smtp_server, notice)
    assert "Was: Thursday 2026-01-15, 16:00–17:00 America/New_York" in body
    assert "Now: Thursday 2026-01-15, 17:00–18:00 America/New_York" in body
    assert "a new schedule: Every other Thursday at 17:00 America/New_York." in body
    with app.app_context():
        series = meetings.get_series(call)
        meetings.retime(
            series, date(2026, 1, 16), date(2026, 1, 16), time(9), audit.CLI,
            now=datetime(2026, 1, 15, 12, tzinfo=UTC),
        )  # fmt: skip
        db.session.commit()
    messages = smtp_server.wait_for(3)
    assert len(messages) == 3
    second = _body(smtp_server, messages[2])
    assert "Was: Thursday 2026-01-29, 17:00–18:00 America/New_York" in second
    assert "Now: Friday 2026-01-16, 09:00–10:00 America/New_York" in second
    assert _count(app, Announcement) == 3  # the agenda and two retimes


def test_a_retime_of_meetings_beyond_hours_tells_nobody(
    app: Any, cli: Callable[..., Any], call: str
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    cli("series", "retime", call, "--from", "2026-02-01", "--start", "2026-02-05 17:00")
    assert _count(app) == 0


def test_the_worker_queues_due_agendas_by_itself(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    said: list[str] = []
    worker = Worker(app, say=said.append, queue_every=0)
    with app.app_context():
        worker.tick()
        worker.tick()  # the second look finds it queued: nothing twice
    messages = smtp_server.wait_for(1)
    assert [m["Subject"] for m in messages] == [
        "[Hypervisor call] Agenda: Thursday 2026-01-15, 16:00–17:00 America/New_York"
    ]
    assert "outbox: queued 1 agenda(s), 0 reminder(s)" in said
    assert "nothing due (1 already queued)" in cli("announcements", "queue").output
    smtp_server.drain()
    assert len(smtp_server.messages) == 1


def test_the_worker_looks_for_due_mail_about_once_a_minute(
    app: Any, cli: Callable[..., Any], call: str
) -> None:
    worker = Worker(app)  # the first tick looks, the next within the minute do not
    with app.app_context():
        worker.tick()
        cli("series", "announcements", call, "--to", LIST)
        worker.tick()
    assert _count(app) == 0
    worker._queue_next = 0.0  # a minute later
    with app.app_context():
        worker.tick()
    assert _count(app) == 1
