"""The shared notes as minutes revisions: Save, Publish, automatic revisions, and text saved by
the no-JS form or an import entering the shared notes as an update (merged, not overwritten)."""

from __future__ import annotations

import re
import threading
from typing import Any

import sqlalchemy as sa

from tests.live.yclient import connect
from webapp.extensions import db
from webapp.live import janitor
from webapp.live.hub import HUB
from webapp.models import Minutes, MinutesRevision

LIVE = "/meetings/bhyve/2019-02-07/live"
EDIT = "/meetings/bhyve/2019-02-07/minutes/edit"


def revisions(app: Any) -> list[MinutesRevision]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(MinutesRevision).order_by(MinutesRevision.version))
        )


def notes(app: Any) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Minutes.notes)) or ""


def save(client: Any, action: str = "save") -> Any:
    return client.post(f"{LIVE}/save", data={"action": action})


def test_save_makes_a_revision_naming_who_typed_and_an_empty_save_makes_none(
    app, live_server, cookie_as, client_as, started
):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("Decision: ship it\n")
    assert typist.wait(lambda: typist.acked == typist.sent == 2)
    organizer = client_as("organizer")
    before = len(revisions(app))
    response = save(organizer)
    assert response.status_code == 302
    after = revisions(app)
    assert len(after) == before + 1
    assert "Decision: ship it" in after[-1].notes
    assert "typed by scribe-" in after[-1].summary
    assert save(organizer).status_code == 302  # nothing typed since
    assert len(revisions(app)) == before + 1
    page = organizer.get(LIVE).get_data(as_text=True)
    assert "Nothing changed since the last revision" in page
    assert "These minutes are" not in page
    assert save(organizer, "publish").status_code == 302
    last = revisions(app)[-1]
    assert last.state == "published"
    assert "Decision: ship it" in last.notes
    # The call page says that what is saved now updates the public minutes.
    page = organizer.get(LIVE).get_data(as_text=True)
    assert "update the public minutes" in page
    typist.close()


def test_two_saves_at_once_never_fail(app, live_server, cookie_as, client_as, started):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("words to save\n")
    assert typist.wait(lambda: typist.acked == 2)
    clients = [client_as("scribe"), client_as("organizer")]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def press(client: Any, action: str) -> None:
        barrier.wait()
        statuses.append(save(client, action).status_code)

    threads = [
        threading.Thread(target=press, args=(c, a))
        for c, a in zip(clients, ("save", "publish"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert "words to save" in notes(app)
    typist.close()


def test_the_form_without_javascript_merges_with_live_typing(
    app, live_server, cookie_as, client_as, started
):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("typed before the form opened\n")
    assert typist.wait(lambda: typist.acked == 2)
    editor = client_as("scribe")
    form = editor.get(EDIT).get_data(as_text=True)
    assert "typed before the form opened" in form
    base = re.search(r'name="live_base" value="([^"]+)"', form)
    assert base is not None
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form) or re.search(
        r'id="version" name="version" type="hidden" value="(\d+)"', form
    )
    typist.type("typed while the form was open\n")  # and an automatic revision meanwhile
    assert typist.wait(lambda: typist.acked == 3)
    with app.app_context():
        janitor.snapshot(db.session.get(Minutes, started), None, _now(), how="test")
        db.session.commit()
    response = editor.post(
        EDIT,
        data={
            "csrf_token": "",
            "version": version.group(1) if version else "1",
            "live_base": base.group(1),
            "notes": "Roll call: everyone\r\ntyped before the form opened\r\nfrom the form\r\n",
            "attendees": "",
            "decisions": "",
            "state": "draft",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    expected = ("Roll call: everyone", "typed while the form was open", "from the form")
    assert typist.wait(lambda: all(w in typist.value() for w in expected))
    saved = notes(app)
    for words in (*expected, "typed before the form opened"):
        assert saved.count(words) == 1, saved
    typist.close()


def _now() -> Any:
    from webapp import clock

    return clock.now()


def test_an_automatic_revision_waits_for_a_pause(app, live_server, cookie_as, started):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("pause after this\n")
    assert typist.wait(lambda: typist.acked == 2)
    count = len(revisions(app))
    app.config.update(LIVE_PAUSE_SECONDS=3600)
    with app.app_context():
        janitor.tend(app, started)
    assert len(revisions(app)) == count  # still typing (no pause yet)
    app.config.update(LIVE_PAUSE_SECONDS=0, LIVE_REVISION_INTERVAL=0)
    with app.app_context():
        janitor.tend(app, started)
    last = revisions(app)[-1]
    assert len(revisions(app)) == count + 1
    assert "pause after this" in last.notes
    assert last.summary.startswith("automatic")
    app.config.update(LIVE_REVISION_INTERVAL=3600)
    typist.type("more\n")
    assert typist.wait(lambda: typist.acked == 3)
    with app.app_context():
        janitor.tend(app, started)
    assert len(revisions(app)) == count + 1  # coalesced: the last one is too recent
    typist.close()
    # Closed by everyone, the document is still tended until its last words are in a revision.
    assert typist.wait(lambda: HUB.room(started) is None)
    assert started in HUB.tended_ids(keep=60)
    app.config.update(LIVE_REVISION_INTERVAL=0)
    with app.app_context():
        janitor.tend(app, started)
    assert "more" in revisions(app)[-1].notes


def test_attendees_decisions_and_tasks_typed_live_feed_the_minutes(
    app, live_server, cookie_as, client_as, started
):
    from webapp import audit
    from webapp.minutes import services as svc
    from webapp.models import FollowUp

    with app.app_context():
        for name, handle in (("Rod Grimes", "rgrimes"), ("John Baldwin", "jhb")):
            svc.create_person(name, audit.CLI, handle=handle)
        db.session.commit()
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type(
        "Attendees: John Baldwin @jhb, Nobody Known\n"
        "Decision: the APIC patch goes in\n"
        "- [ ] Rod Grimes: collect ACPI dumps\n"
    )
    assert typist.wait(lambda: typist.acked == 2)
    organizer = client_as("organizer")
    assert save(organizer).status_code == 302
    assert "Follow-ups: 1 raised" in organizer.get(LIVE).get_data(as_text=True)
    with app.app_context():
        minutes = db.session.get(Minutes, started)
        assert minutes is not None
        assert [p.name for p in minutes.attendees] == ["John Baldwin"]  # nobody created
        assert minutes.decision_list == ["the APIC patch goes in"]
        # the name that matches no one is kept, never lost, until the scribe adds them
        assert minutes.notes.startswith("Attendees: Nobody Known\n")
        assert "Decision: the APIC patch goes in" in minutes.notes
        follow_up = db.session.scalars(sa.select(FollowUp)).one()
        assert follow_up.owner is not None
        assert (follow_up.owner.name, follow_up.text) == ("Rod Grimes", "collect ACPI dumps")
    assert save(organizer).status_code == 302  # the same text again: no new revision
    page = organizer.get(LIVE).get_data(as_text=True)
    assert "Nothing changed since the last revision" in page
    assert 'aria-label="Add Nobody Known as a new person"' in page
    added = organizer.post(
        f"{LIVE}/attendees",
        data={"name": "Nobody Known", "confirm": "1"},
        headers={"Accept": "application/json"},
    )
    assert added.status_code == 200, added.get_json()
    assert added.get_json()["message"] == "Nobody Known (a new person) attended."
    assert "Add Nobody Known" not in added.get_json()["html"]
    assert save(organizer, "publish").status_code == 302
    with app.app_context():
        minutes = db.session.get(Minutes, started)
        assert minutes is not None
        assert [p.name for p in minutes.attendees] == ["John Baldwin", "Nobody Known"]
        assert "Attendees:" not in minutes.notes  # everyone named is an attendee now
    typist.close()


def test_add_all_new_adds_every_unknown_name_of_the_notes(
    app, live_server, cookie_as, client_as, started
):
    typist = connect(live_server, cookie_as("scribe"))
    assert typist.synced.wait(5)
    typist.type("Attendees: Newbie Person, Other Newcomer\nwe met\n")
    assert typist.wait(lambda: typist.acked == 1)
    scribe = client_as("scribe")
    assert save(scribe, "publish").status_code == 302
    with app.app_context():
        minutes = db.session.get(Minutes, started)
        assert minutes is not None
        assert minutes.attendees == []
        assert "Attendees: Newbie Person, Other Newcomer" in minutes.notes
    page = scribe.get(LIVE).get_data(as_text=True)
    assert "Add all new" in page
    assert scribe.post(f"{LIVE}/attendees", data={"all_new": "1"}).status_code == 302
    with app.app_context():
        minutes = db.session.get(Minutes, started)
        assert minutes is not None
        assert sorted(p.name for p in minutes.attendees) == ["Newbie Person", "Other Newcomer"]
    typist.close()
