"""The agenda mail and change notices, through the outbox to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as minutes
from webapp.models import Announcement, OutboxMessage, Person

LIST = "bhyve-list@example.org"


def _body(smtp_server: Any, msg: Any) -> str:
    return str(smtp_server.body(msg)).replace("\r\n", "\n")


def _pending(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0


def test_settings_are_shown_set_and_refused_when_bad(cli: Callable[..., Any], call: str) -> None:
    assert "off (no list address)" in cli("series", "announcements", call).output
    out = cli(
        "series", "announcements", call, "--to", LIST, "--before", "48",
        "--zone", "Europe/Amsterdam", "--zone", "Asia/Tokyo",
    ).output  # fmt: skip
    assert f"on; to {LIST}; agenda 48 h before; extra zones: Europe/Amsterdam, Asia/Tokyo" in out
    assert "48 h before" in cli("series", "announcements", call).output
    bad_zone = cli("series", "announcements", call, "--zone", "CEST", ok=False)
    assert bad_zone.exit_code == 1
    assert "'CEST' is not an IANA time zone name" in bad_zone.output
    assert len(bad_zone.output.strip().splitlines()) == 1
    bad_to = cli("series", "announcements", call, "--to", "not an address", ok=False)
    assert bad_to.exit_code == 1
    assert "is not an address we can mail" in bad_to.output
    assert cli("series", "announcements", call, "--before", "0", ok=False).exit_code == 1
    assert "off; to" in cli("series", "announcements", call, "--off").output


def test_agenda_is_queued_once_and_delivered(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST, "--zone", "Europe/Amsterdam")
    out = cli("announcements", "queue").output
    assert f"queued the agenda of {call} 2026-01-15 to 1 address(es)" in out
    assert "sent 1" in cli("outbox", "send").output or smtp_server.wait_for(1)
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    msg = messages[0]
    assert msg["To"] == LIST
    assert msg["Subject"] == (
        "[Hypervisor call] Agenda: Thursday 2026-01-15, 16:00–17:00 America/New_York"
    )
    body = _body(smtp_server, msg)
    assert "Thursday 2026-01-15, 21:00–22:00 UTC" in body
    assert "Thursday 2026-01-15, 22:00–23:00 Europe/Amsterdam" in body
    assert "Join: https://meet.example.org/call" in body
    assert "http://localhost/meetings/call/2026-01-15\n" in body
    assert "http://localhost/meetings/call/2026-01-15.ics" in body
    # Again: nothing new is queued or sent; the next meeting (two weeks away) is not due.
    assert "nothing due (1 already queued)" in cli("announcements", "queue").output
    cli("outbox", "send")
    smtp_server.drain()
    assert len(smtp_server.messages) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 1


def test_nothing_is_queued_without_settings_or_when_off(
    app: Any, cli: Callable[..., Any], call: str
) -> None:
    assert "nothing due" in cli("announcements", "queue").output
    cli("series", "announcements", call, "--to", LIST, "--off")
    assert "nothing due" in cli("announcements", "queue").output
    assert _pending(app) == 0


def test_the_agenda_lists_open_follow_ups_by_owner_and_the_review_queue(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    with app.app_context():
        series = meetings.get_series(call)
        ada, alan = Person(name="Ada Lovelace"), Person(name="Alan Turing")
        db.session.add_all([ada, alan])
        db.session.flush()
        actor = audit.CLI
        minutes.add_follow_up(series, date(2026, 1, 1), ada, "Test the NVMe patch", actor)
        minutes.add_follow_up(series, date(2026, 1, 1), alan, "Write the release notes", actor)
        done = minutes.add_follow_up(series, date(2026, 1, 1), ada, "Already done", actor)
        minutes.set_follow_up_state(done, "done", series, date(2026, 1, 1), actor)
        first = minutes.add_review(
            series, date(2026, 1, 1), "https://reviews.example.org/D1", "vmm: APIC timer", actor,
            author=alan,
        )  # fmt: skip
        minutes.add_review(
            series, date(2026, 1, 1), "https://reviews.example.org/D2", "vmm: stacked fix", actor,
            parent=first,
        )  # fmt: skip
        minutes.add_review(
            series, date(2026, 1, 1), "https://reviews.example.org/D3", "bhyve: NVMe", actor
        )
        minutes.add_agenda_item(series, date(2026, 1, 15), "Release schedule for 15.0", actor)
        db.session.commit()
    cli("series", "announcements", call, "--to", LIST)
    cli("announcements", "queue")
    body = _body(smtp_server, smtp_server.wait_for(1)[0])
    follow_ups = body.split("Open follow-ups", 1)[1].split("Review queue", 1)[0]
    assert "Ada Lovelace:\n- Test the NVMe patch (open 1 meeting, since 2026-01-01)" in follow_ups
    assert "Alan Turing:\n- Write the release notes" in follow_ups
    assert "Already done" not in body
    queue = body.split("Review queue", 1)[1]
    assert queue.index("vmm: APIC timer (Alan Turing): https://reviews.example.org/D1") < (
        queue.index("  2. vmm: stacked fix: https://reviews.example.org/D2")
    )
    assert queue.index("D2") < queue.index("3. bhyve: NVMe: https://reviews.example.org/D3")
    assert "- Release schedule for 15.0" in body


def test_cancelling_queues_one_notice_with_the_reason(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    cli("announcements", "queue")
    smtp_server.wait_for(1)
    cli("series", "cancel", call, "2026-01-29", "--reason", "Developer summit")
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    notice = messages[1]
    assert notice["Subject"] == (
        "[Hypervisor call] Cancelled: Thursday 2026-01-29, 16:00–17:00 America/New_York"
    )
    assert "Reason: Developer summit" in _body(smtp_server, notice)
    cli("announcements", "queue")  # a cancelled meeting gets no agenda, the notice is not resent
    smtp_server.drain()
    assert len(smtp_server.messages) == 2


def test_a_meeting_moved_twice_is_told_twice_and_an_extra_one_once(
    app: Any, cli: Callable[..., Any], call: str, smtp_server: Any
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    cli("series", "move", call, "2026-01-29", "--to", "2026-01-30 10:00")
    cli("series", "move", call, "2026-01-29", "--to", "2026-01-30 11:00")
    cli("series", "add", call, "2026-02-05 16:00", "--title", "Release planning")
    messages = smtp_server.wait_for(3)
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert subjects == [
        "[Hypervisor call] Extra meeting: Thursday 2026-02-05, 16:00–17:00 America/New_York",
        "[Hypervisor call] Moved: Friday 2026-01-30, 10:00–11:00 America/New_York",
        "[Hypervisor call] Moved: Friday 2026-01-30, 11:00–12:00 America/New_York",
    ]
    second = next(m for m in messages if "11:00–12:00" in str(m["Subject"]))
    assert "Was: Friday 2026-01-30, 10:00–11:00 America/New_York" in _body(smtp_server, second)


def test_past_meetings_and_imports_are_not_announced(
    app: Any, cli: Callable[..., Any], call: str
) -> None:
    cli("series", "announcements", call, "--to", LIST)
    cli("series", "cancel", call, "2026-01-01", "--reason", "long ago")  # already past
    with app.app_context():
        series = meetings.get_series(call)
        meetings.cancel(series, date(2026, 1, 29), audit.CLI, reason="import", announce=False)
        db.session.commit()
    assert _pending(app) == 0


def test_the_demo_series_announces_and_loading_it_mails_nobody(
    app: Any, cli: Callable[..., Any]
) -> None:
    cli("demo", "load")
    assert _pending(app) == 0
    out = cli("series", "announcements", "bhyve").output
    assert "on; to bhyve-virtualization@example.org; agenda 24 h before" in out
    queued = cli("announcements", "queue").output
    # The demo call meets every other Thursday since 2019-01-24: today, 2026-01-15, at 16:00.
    assert "queued the agenda of bhyve 2026-01-15 to 1 address(es)" in queued
