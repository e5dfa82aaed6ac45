"""After the decision: reminders, confirmation, releases of the programme, speakers' edits."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import icalendar
import sqlalchemy as sa

from tests.cfp.conftest import DURING, _confirmed, _place, _release, post_submission, submissions
from webapp import audit, mail
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import OutboxMessage, Submission, SubmissionState


def _outbox(app, template: str) -> list[tuple[str, str, str]]:
    """What the worker will send: each queued message rendered from its sealed context."""
    with app.app_context():
        return [
            (m.to_addr, *mail.compose(m)[:2])
            for m in db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.template == template)
                .order_by(OutboxMessage.id)
            )
        ]


def _accepted(app, client, conference, clock, **overrides) -> str:
    assert post_submission(client, conference, **overrides).status_code == 302
    code = submissions(app)[-1].code
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == code))
        services.set_submission_state(
            s, SubmissionState.ACCEPTED, "organizer", audit.CLI, clock.now
        )
        db.session.commit()
    return code


def test_reminders_due_not_yet_due_limited_and_idempotent(
    app, client, runner, make_conference, clock
) -> None:
    c = make_conference()
    _accepted(app, client, c, clock)
    remind = ["conference", "remind", c.slug]
    clock.now = DURING + timedelta(days=2, hours=23)  # not yet 3 days since the acceptance
    assert "queued 0 reminder(s)" in runner.invoke(args=remind).output
    clock.now = DURING + timedelta(days=3)
    assert "queued 1 reminder(s)" in runner.invoke(args=remind).output
    assert "queued 0 reminder(s)" in runner.invoke(args=remind).output  # run twice: nothing new
    clock.now = DURING + timedelta(days=6)
    assert "queued 1 reminder(s)" in runner.invoke(args=remind).output
    clock.now = DURING + timedelta(days=9)
    assert "queued 1 reminder(s)" in runner.invoke(args=["conference", "remind"]).output
    clock.now = DURING + timedelta(days=12)
    assert "queued 0 reminder(s)" in runner.invoke(args=remind).output  # at most 3
    sent = _outbox(app, "cfp_reminder")
    assert [to for to, _, _ in sent] == ["ada@example.org"] * 3
    assert all("Please confirm “Live migration in bhyve” by" in subject for _, subject, _ in sent)
    assert "This is our last reminder" not in sent[1][2]
    assert "This is our last reminder" in sent[2][2]
    assert "2027-02-15 13:00 Europe/Amsterdam" in sent[2][2]  # 14 days after the acceptance


def test_past_the_deadline_the_dashboard_offers_to_release_the_slot(
    app, client, client_as, make_conference, clock
) -> None:
    c = make_conference()
    code = _accepted(app, client, c, clock)
    organizer = client_as("organizer")
    assert "Unconfirmed past deadline" not in organizer.get("/dashboard/").get_data(as_text=True)
    clock.now = DURING + timedelta(days=14)
    organizer = client_as("organizer")  # two weeks later: a sign-in of that day
    page = organizer.get("/dashboard/").get_data(as_text=True)
    assert "Unconfirmed past deadline" in page
    assert "Release the slot (decline “Live migration in bhyve”)" in page
    url = f"/organize/conferences/{c.slug}/submissions/{code}/release-slot"
    asked = organizer.post(url)
    assert asked.status_code == 200
    assert "No mail is sent to the speakers." in asked.get_data(as_text=True)
    assert submissions(app)[0].state == SubmissionState.ACCEPTED
    response = organizer.post(url, data={"confirmed": "1"})
    assert response.status_code == 302
    [s] = submissions(app)
    assert s.state == SubmissionState.DECLINED
    assert "Unconfirmed past deadline" not in organizer.get("/dashboard/").get_data(as_text=True)


def test_confirming_sends_its_own_mail(app, client, make_conference, clock) -> None:
    c = make_conference()
    code = _accepted(app, client, c, clock)
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == code))
        services.set_submission_state(s, SubmissionState.CONFIRMED, "speaker", audit.CLI, clock.now)
        db.session.commit()
    [(to, subject, _)] = _outbox(app, "cfp_confirmed")
    assert (to, subject) == (
        "ada@example.org",
        "[bhyvecon 2027] Confirmed: Live migration in bhyve",
    )


def test_a_release_lists_added_moved_room_and_removed_talks_and_mails_their_speakers(
    app, client, clock, programme
) -> None:
    c, codes, organizer = programme
    assert _outbox(app, "cfp_programme_change")  # v1 told every speaker
    with app.app_context():
        first_mail_count = len(_outbox(app, "cfp_programme_change"))
    clock.now += timedelta(hours=1)
    new = _confirmed(app, c, "Late addition")
    assert _place(organizer, new, c.rooms[1].id, "2027-06-11", "09:00").status_code == 302
    assert (
        _place(organizer, codes["keynote"], c.rooms[0].id, "2027-06-10", "12:00").status_code == 302
    )
    assert (
        _place(organizer, codes["tutorial"], c.rooms[0].id, "2027-06-10", "10:00").status_code
        == 302
    )
    organizer.post(
        f"/organize/conferences/{c.slug}/programme/{codes['lightning']}", data={"unplace": "1"}
    )
    _release(organizer, "Keynote later; a late addition.")
    with app.app_context():
        row = services.latest_release(db.session.get(type(c), c.id))
        kinds = {ch["code"]: ch["kind"] for ch in row.changes}
    assert row.version == 2
    assert kinds == {
        new: "added",
        codes["keynote"]: "moved",
        codes["tutorial"]: "room",
        codes["lightning"]: "removed",
    }
    mails = _outbox(app, "cfp_programme_change")[first_mail_count:]
    assert len(mails) == 4  # one per speaker of a changed talk
    assert all("Programme v2: your talk changed" in subject for _, subject, _ in mails)
    keynote_mail = next(body for _, _, body in mails if "Keynote" in body)
    assert "moved from Thu 10 Jun 09:30, Main hall to Thu 10 Jun 12:00, Main hall" in keynote_mail
    assert "Keynote later; a late addition." in keynote_mail
    # The feed: SEQUENCE rose for the changed talks only; schedule.json says v2.
    cal = icalendar.Calendar.from_ical(client.get(f"/conferences/{c.slug}/program.ics").data)
    seq = {str(e["SUMMARY"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")}
    assert seq == {"Keynote: bhyve in 2027": 1, "Tutorial: UEFI guests": 1, "Late addition": 0}
    data = client.get(f"/conferences/{c.slug}/schedule.json").get_json()
    assert data["schedule"]["version"] == "v2"
    assert data["schedule"]["conference"]["time_zone_name"] == "Europe/Amsterdam"


def test_the_changes_page_and_its_atom_feed(app, client, clock, programme) -> None:
    c, codes, organizer = programme
    clock.now += timedelta(hours=1)
    _place(organizer, codes["keynote"], c.rooms[0].id, "2027-06-10", "11:00")
    _release(organizer, "Keynote moves to 11:00.")
    page = client.get(f"/conferences/{c.slug}/program/changes").get_data(as_text=True)
    assert page.index("v2 ·") < page.index("v1 ·")  # newest first
    assert "Keynote moves to 11:00." in page
    assert "“Keynote: bhyve in 2027” moved from Thu 10 Jun 09:30, Main hall to" in page
    assert "“Lightning: vm-bhyve” added: Fri 11 Jun 14:00, Main hall" in page
    atom = client.get(f"/conferences/{c.slug}/program/changes.atom")
    assert atom.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(atom.data)  # noqa: S314 - our own feed
    entries = root.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == [
        "bhyvecon 2027 programme v2",
        "bhyvecon 2027 programme v1",
    ]
    assert "Keynote moves to 11:00." in entries[0].find("a:content", ns).text


def test_speaker_edits_after_the_deadline_go_public_with_the_next_release(
    app, client, client_as, clock, programme
) -> None:
    c, codes, organizer = programme
    clock.now = DURING + timedelta(days=60)  # the call closed; the conference has not started
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == codes["keynote"]))
        assert services.speaker_may_edit(s, clock.now)
        data = services.SubmissionData(
            title="Keynote: bhyve in 2027, revised",
            format_id=s.format_id,
            track_id=s.track_id,
            abstract="A sharper abstract.",
        )
        services.update_submission(s, s.speakers[0], data, audit.CLI, clock.now)
        db.session.commit()
    talk_url = f"/conferences/{c.slug}/talks/{codes['keynote']}"
    assert "A sharper abstract." not in client.get(talk_url).get_data(as_text=True)
    organizer = client_as("organizer")  # two months later: a sign-in of that day
    history = organizer.get(f"/organize/conferences/{c.slug}/submissions/{codes['keynote']}")
    assert "<del>About Keynote: bhyve in 2027.</del> → <ins>A sharper abstract.</ins>" in (
        history.get_data(as_text=True)
    )
    _release(organizer)
    assert "A sharper abstract." in client.get(talk_url).get_data(as_text=True)
    clock.now = DURING + timedelta(days=130)  # the conference has started
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == codes["keynote"]))
        assert not services.speaker_may_edit(s, clock.now)


def test_the_fourth_proposal_from_one_address_is_refused(app, client, make_conference) -> None:
    c = make_conference()
    for n in range(3):
        assert post_submission(client, c, title=f"Talk {n}").status_code == 302
    response = post_submission(client, c, title="Talk 4", email="ADA@example.org")
    assert response.status_code == 200
    assert (
        "ADA@example.org has sent 3 proposals already; this call accepts at most 3 per speaker."
        in response.get_data(as_text=True)
    )
    assert len(submissions(app)) == 3
    assert post_submission(client, c, title="Talk 5", email="grace@example.org").status_code == 302
