"""Every kind of change writes an audit entry in its own transaction: who, what object, what
changed. Each service that changes meetings, minutes, the CFP and accounts is called once here;
the speaker's private link and the organizer pages are driven through HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.auth import services as accounts
from webapp.cfp import services as cfp
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as minutes
from webapp.models import AuditEntry, OutboxMessage, Submission, SubmissionState, User

NOW = datetime.now(UTC).replace(microsecond=0)
ACTOR = audit.Actor(label="tester@example.org", user_id=None)


def entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def changes(action: str, fn: Callable[[], Any]) -> AuditEntry:
    """Run ``fn`` and return the one new entry for ``action`` (in the same, uncommitted
    transaction)."""
    before = len(entries(action))
    result = fn()
    db.session.flush()
    after = entries(action)
    assert len(after) == before + 1, f"{action}: no audit entry"
    entry = after[-1]
    entry.result = result  # type: ignore[attr-defined]
    return entry


def test_meetings_and_minutes_changes_are_audited(app) -> None:
    with app.app_context():
        first = NOW.date() - timedelta(days=70)
        first += timedelta(days=(3 - first.weekday()) % 7)
        series = changes(
            "series.create",
            lambda: meetings.create_series(
                "bhyve",
                meetings.SeriesDetails(title="bhyve call"),
                "UTC",
                first,
                time(16),
                60,
                ACTOR,
            ),
        ).result
        e = changes(
            "series.update",
            lambda: meetings.update_details(
                series, meetings.SeriesDetails(title="bhyve bi-weekly call"), ACTOR
            ),
        )
        assert e.changes["title"] == ["bhyve call", "bhyve bi-weekly call"]
        assert e.actor == ACTOR.label
        changes(
            "series.until", lambda: meetings.set_until(series, first + timedelta(days=700), ACTOR)
        )
        day1, day2, day3 = (first + timedelta(weeks=2 * n) for n in (1, 2, 3))
        e = changes(
            "occurrence.cancel", lambda: meetings.cancel(series, day2, ACTOR, reason="holiday")
        )
        assert e.object_id == f"bhyve/{day2}"
        changes("occurrence.restore", lambda: meetings.restore(series, day2, ACTOR))
        changes(
            "occurrence.move",
            lambda: meetings.move(series, day3, day3 + timedelta(days=1), time(16), ACTOR),
        )
        changes(
            "occurrence.add",
            lambda: meetings.add_extra(series, day1 + timedelta(days=3), time(9), ACTOR),
        )
        changes(
            "series.retime",
            lambda: meetings.retime(
                series, first + timedelta(weeks=20), first + timedelta(weeks=20), time(17), ACTOR
            ),
        )

        ann = changes("person.create", lambda: minutes.create_person("Ann Example", ACTOR)).result
        e = changes(
            "person.update",
            lambda: minutes.update_person(
                ann, "Ann Example", ACTOR, email="ann@example.org", affiliation="", aliases=["Ann"]
            ),
        )
        assert "email" in e.changes
        record = changes(
            "minutes.create", lambda: minutes.start_minutes(series, first, ACTOR, NOW)
        ).result
        e = changes(
            "minutes.save",
            lambda: minutes.save_minutes(
                record,
                record.version,
                minutes.MinutesInput("We met.", "Ship it", ["Ann Example"], "published"),
                ACTOR,
                NOW,
            ),
        )
        assert e.changes["state"] == ["draft", "published"]
        item = changes(
            "follow_up.create", lambda: minutes.add_follow_up(series, first, ann, "test it", ACTOR)
        ).result
        e = changes(
            "follow_up.state",
            lambda: minutes.set_follow_up_state(item, "done", series, day1, ACTOR),
        )
        assert e.changes["state"] == ["open", "done"]
        r1 = changes(
            "review.create",
            lambda: minutes.add_review(
                series, first, "https://reviews.freebsd.org/D1", "one", ACTOR
            ),
        ).result
        changes(
            "review.create",
            lambda: minutes.add_review(
                series, first, "https://reviews.freebsd.org/D2", "two", ACTOR
            ),
        )
        e = changes(
            "review.update",
            lambda: minutes.update_review(
                r1, series, ACTOR, title="one", state="landed", author=ann, parent=None
            ),
        )
        assert e.changes["state"] == ["open", "landed"]
        changes("review.move_down", lambda: minutes.move_review(r1, "down", ACTOR))
        agenda = changes(
            "agenda_item.create",
            lambda: minutes.add_agenda_item(series, day1, "vCPU limits", ACTOR),
        ).result
        changes("agenda_item.delete", lambda: minutes.delete_agenda_item(agenda, ACTOR))
        db.session.commit()


def _conference() -> Any:
    zone = cfp.zone_or_error("Europe/Amsterdam")
    local = NOW.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    return cfp.ConferenceData(
        slug="bhyvecon-2030",
        name="bhyvecon",
        timezone="Europe/Amsterdam",
        starts_on=(NOW + timedelta(days=100)).date(),
        ends_on=(NOW + timedelta(days=101)).date(),
        cfp_opens_local=local - timedelta(days=1),
        cfp_closes_local=local + timedelta(days=30),
        formats=[("Talk", 30)],
        rooms=["Main"],
    )


def _submission_data(conference: Any, title: str, email: str) -> cfp.SubmissionData:
    return cfp.SubmissionData(
        title=title,
        format_id=conference.formats[0].id,
        track_id=None,
        abstract="About bhyve.",
        speaker=cfp.SpeakerData(name="Ada", email=email),
    )


def test_cfp_and_account_changes_are_audited(app) -> None:
    with app.app_context():
        reviewer = changes(
            "user.create",
            lambda: accounts.create_user(
                "rui@example.org", "correct horse battery staple", {"reviewer"}, ACTOR
            ),
        ).result
        changes("user.update", lambda: accounts.set_name(reviewer, "Rui", ACTOR))
        changes("user.roles", lambda: accounts.set_roles(reviewer, {"reviewer", "scribe"}, ACTOR))
        changes(
            "user.password",
            lambda: accounts.set_password(reviewer, "another long password here", ACTOR),
        )
        changes("user.deactivate", lambda: accounts.set_active(reviewer, False, ACTOR))
        changes("user.activate", lambda: accounts.set_active(reviewer, True, ACTOR))

        conference = changes(
            "conference.create", lambda: cfp.create_conference(_conference(), ACTOR, NOW)
        ).result
        data = _conference()
        data.place = "Amsterdam"
        e = changes(
            "conference.update", lambda: cfp.update_conference(conference, data, ACTOR, NOW)
        )
        assert e.changes["place"] == ["", "Amsterdam"]
        sub, _ = changes(
            "submission.create",
            lambda: cfp.submit(
                conference,
                _submission_data(conference, "Live migration", "ada@example.org"),
                "t1",
                NOW,
            ),
        ).result
        overall = {conference.criteria[0].id: 4}
        e = changes(
            "review.save", lambda: cfp.save_review(sub, reviewer, overall, "good", ACTOR, NOW)
        )
        assert e.changes["scores"] == [None, "Overall 4"]
        other, _ = cfp.submit(
            conference, _submission_data(conference, "Other", "bob@example.org"), "t2", NOW
        )
        changes("review.conflict", lambda: cfp.declare_conflict(other, reviewer, ACTOR, NOW))
        changes(
            "late_link.create",
            lambda: cfp.create_late_link(
                conference, "Carol", (NOW + timedelta(days=40)).date(), ACTOR, NOW
            ),
        )
        changes(
            "submission.accepted",
            lambda: cfp.set_submission_state(
                sub, SubmissionState.ACCEPTED, "organizer", ACTOR, NOW
            ),
        )
        changes(
            "submission.rejected",
            lambda: cfp.set_submission_state(
                other, SubmissionState.REJECTED, "organizer", ACTOR, NOW
            ),
        )
        changes(
            "submission.confirmed",
            lambda: cfp.set_submission_state(
                sub,
                SubmissionState.CONFIRMED,
                "speaker",
                audit.Actor(label="speaker link (ada@example.org)"),
                NOW,
            ),
        )
        room = conference.rooms[0]
        start = datetime.combine(conference.starts_on, time(10))  # noqa: DTZ001 - local wall time
        changes("programme.place", lambda: cfp.place_talk(sub, room, start, ACTOR, NOW))
        changes("programme.unplace", lambda: cfp.unplace_talk(sub, ACTOR, NOW))
        db.session.commit()


def _token_link(app) -> str:
    """A speaker's private link, as mailed (the outbox holds the message, sealed)."""
    from webapp import mail

    with app.app_context():
        _subject, body, _note = mail.compose(
            db.session.scalar(
                sa.select(OutboxMessage)
                .where(OutboxMessage.template == "cfp_received")
                .order_by(OutboxMessage.id.desc())
            )
        )
    return re.search(r"/cfp/s/[\w-]+", body).group(0)  # type: ignore[union-attr]


def test_speaker_link_changes_are_audited_with_the_link_as_actor(app, client) -> None:
    with app.app_context():
        conference = cfp.create_conference(_conference(), ACTOR, NOW)
        cfp.submit(
            conference, _submission_data(conference, "Old title", "ada@example.org"), "t1", NOW
        )
        db.session.commit()
        format_id = conference.formats[0].id
    link = _token_link(app)
    response = client.post(
        f"{link}/edit",
        data={
            "title": "New title",
            "format": format_id,
            "track": 0,
            "abstract": "About bhyve.",
            "speaker_name": "Ada L.",
            "affiliation": "",
            "bio": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.post(f"{link}/withdraw", data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        [edit] = entries("submission.update")
        assert edit.actor == "speaker link (ada@example.org)"
        assert edit.changes["title"] == ["Old title", "New title"]
        assert edit.changes["speaker.name"] == ["Ada", "Ada L."]
        [withdraw] = entries("submission.withdrawn")
        assert withdraw.actor == "speaker link (ada@example.org)"
        assert db.session.scalar(sa.select(Submission.state)) == "withdrawn"


def test_organizer_pages_audit_their_changes(app, client_as) -> None:
    with app.app_context():
        db.session.add(
            OutboxMessage(
                template="cfp_received",
                message_id="<m1@x>",
                to_addr="a@example.org",
                subject="s",
                body="b",
                state="failed",
                attempts=8,
            )
        )
        db.session.commit()
        message_id = db.session.scalar(sa.select(OutboxMessage.id))
    admin = client_as("admin")
    admin.post(f"/organize/outbox/{message_id}/retry")
    admin.post(
        "/organize/mail-templates/cfp_received",
        data={"subject": "Hi {{ speaker.name }}", "body": "Body"},
    )
    edited = client_as("scribe")
    with app.app_context():
        user = db.session.get(User, edited.user.id)
    admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Sam", "roles": ["scribe"], "active": "y", "password": ""},
    )
    with app.app_context():
        assert entries("outbox.retry")[0].actor == admin.user.email
        assert entries("mail_template.edit")
        [rename] = entries("user.update")
        assert rename.changes == {"name": ["", "Sam"]}
        assert rename.actor == admin.user.email
