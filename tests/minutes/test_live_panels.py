"""The call page's panels: agenda, follow-ups (Done, Drop, Undo), the review queue, attendees
(matches, "new person" only on confirmation) and decisions, in place (JSON) and without
JavaScript (plain forms); CSRF on; no inline script or style."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token_from
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import FollowUp, Person, Review

M1, M2 = date(2019, 2, 7), date(2019, 2, 21)
LIVE = f"/meetings/bhyve/{M2}/live"
JSON = {"Accept": "application/json"}
NOW = datetime(2019, 2, 21, 21, 10, tzinfo=UTC)


@pytest.fixture
def call(app, bhyve):
    """A meeting under way (M2) with minutes started, an agenda item, two follow-ups from M1 and
    three reviews."""
    app.config["CADENCE_NOW"] = NOW
    with app.app_context():
        series = meetings.get_series("bhyve")
        rod = svc.create_person("Rod Grimes", audit.CLI, handle="rgrimes")
        svc.create_person("John Baldwin", audit.CLI, handle="jhb")
        svc.add_follow_up(series, M1, rod, "collect ACPI dumps", audit.CLI)
        svc.add_follow_up(series, M1, None, "write up the numbers", audit.CLI)
        svc.add_follow_up(series, M2, rod, "raised today", audit.CLI)
        for n, title in enumerate(("APIC patch", "VM_MAXCPU", "virtio-net"), 1):
            svc.add_review(series, M1, f"https://reviews.freebsd.org/D{n}", title, audit.CLI)
        svc.add_agenda_item(series, M2, "Live migration status", audit.CLI)
        svc.start_minutes(series, M2, audit.CLI, NOW)
        db.session.commit()
    return app


def ids(app, model, **where) -> dict[str, int]:
    with app.app_context():
        rows = db.session.query(model).filter_by(**where).all()
        return {getattr(r, "text", None) or r.title: r.id for r in rows}


def test_call_page_shows_every_panel(call, client_as) -> None:
    page = client_as("scribe").get(LIVE).get_data(as_text=True)
    for heading in ("Agenda", "Open follow-ups", "Review queue", "Attendees", "Decisions"):
        assert f">{heading}</h2>" in page
    assert "Live migration status" in page
    assert "Rod Grimes</a>: collect ACPI dumps" in page
    assert "<em>no owner</em>: write up the numbers" in page
    assert "raised today" not in page  # raised at this meeting: not carried into it
    order = [page.index(t) for t in ("APIC patch", "VM_MAXCPU", "virtio-net")]
    assert order == sorted(order)
    assert 'aria-label="Done: collect ACPI dumps"' in page
    assert 'aria-label="Drop: collect ACPI dumps"' in page
    assert '<option value="John Baldwin @jhb">' in page


def test_no_inline_script_or_style(call, client_as) -> None:
    page = client_as("organizer").get(LIVE).get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert " style=" not in page
    assert "<style" not in page
    assert "/static/js/live-panels.js" in page


def test_done_then_undo_in_place(call, client_as) -> None:
    scribe = client_as("scribe")
    item = ids(call, FollowUp)["collect ACPI dumps"]
    url = f"{LIVE}/follow-ups/{item}"
    answer = scribe.post(url, data={"state": "done"}, headers=JSON)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["panel"] == "live-follow-ups"
    assert body["message"] == "“collect ACPI dumps” is done."
    assert 'aria-label="Undo done: collect ACPI dumps"' in body["html"]
    assert "done here" in body["html"]
    with call.app_context():
        done = db.session.get(FollowUp, item)
        assert (done.state, done.closed_at.original_date) == ("done", M2)
    body = scribe.post(url, data={"state": "open"}, headers=JSON).get_json()
    assert 'aria-label="Done: collect ACPI dumps"' in body["html"]
    with call.app_context():
        assert db.session.get(FollowUp, item).state == "open"


def test_drop_without_javascript_comes_back_to_the_call_page(call, client_as) -> None:
    scribe = client_as("scribe")
    item = ids(call, FollowUp)["write up the numbers"]
    response = scribe.post(f"{LIVE}/follow-ups/{item}", data={"state": "dropped"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{LIVE}#live-follow-ups")
    page = scribe.get(LIVE).get_data(as_text=True)
    assert "“write up the numbers” is dropped." in page
    assert 'aria-label="Undo drop: write up the numbers"' in page


def test_follow_up_state_is_checked(call, client_as) -> None:
    scribe = client_as("scribe")
    item = ids(call, FollowUp)["collect ACPI dumps"]
    answer = scribe.post(f"{LIVE}/follow-ups/{item}", data={"state": "burnt"}, headers=JSON)
    assert answer.status_code == 400
    assert "is not open, done or dropped" in answer.get_json()["message"]
    assert scribe.post(f"{LIVE}/follow-ups/999999", data={"state": "done"}).status_code == 404


def test_review_queue_moves_lands_and_undoes(call, client_as) -> None:
    scribe = client_as("scribe")
    reviews = ids(call, Review)
    html = scribe.post(
        f"{LIVE}/reviews/{reviews['virtio-net']}", data={"action": "up"}, headers=JSON
    ).get_json()["html"]
    assert html.index("virtio-net") < html.index("VM_MAXCPU")
    body = scribe.post(
        f"{LIVE}/reviews/{reviews['APIC patch']}", data={"action": "landed"}, headers=JSON
    ).get_json()
    assert body["message"] == "“APIC patch” is landed."
    queue, closed = body["html"].split("Recently closed")
    assert "APIC patch" not in queue
    assert 'aria-label="Undo landed: APIC patch"' in closed
    scribe.post(f"{LIVE}/reviews/{reviews['APIC patch']}", data={"action": "open"}, headers=JSON)
    scribe.post(f"{LIVE}/reviews/{reviews['VM_MAXCPU']}", data={"action": "abandoned"})
    with call.app_context():
        states = {r.title: r.state for r in db.session.query(Review)}
    assert states == {"APIC patch": "open", "VM_MAXCPU": "abandoned", "virtio-net": "open"}


def test_attendees_by_handle_name_and_new_person_only_when_confirmed(call, client_as) -> None:
    scribe = client_as("scribe")
    url = f"{LIVE}/attendees"
    body = scribe.post(url, data={"name": "jhb"}, headers=JSON).get_json()
    assert body["message"] == "John Baldwin attended."
    body = scribe.post(url, data={"name": "rod grimes"}, headers=JSON).get_json()
    assert body["message"] == "Rod Grimes attended."
    body = scribe.post(url, data={"name": "Rod Grimez"}, headers=JSON).get_json()
    assert "new person" in body["html"]
    assert body["message"] == "“Rod Grimez” matches no one: add them as a new person?"
    with call.app_context():
        assert db.session.query(Person).filter_by(name="Rod Grimez").count() == 0
    # Without JavaScript: a page that asks.
    page = scribe.post(url, data={"name": "Hans Rosenfeld"}).get_data(as_text=True)
    assert "“Hans Rosenfeld” matches no one we know" in page
    with call.app_context():
        assert db.session.query(Person).filter_by(name="Hans Rosenfeld").count() == 0
    response = scribe.post(url, data={"name": "Hans Rosenfeld", "confirm": "1"})
    assert response.status_code == 302
    with call.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), M2)
        assert [p.name for p in minutes.attendees] == [
            "John Baldwin",
            "Rod Grimes",
            "Hans Rosenfeld",
        ]
        rod = db.session.query(Person).filter_by(name="Rod Grimes").one().id
    body = scribe.post(url, data={"remove": str(rod)}, headers=JSON).get_json()
    assert body["message"] == "Rod Grimes is no longer among the attendees."


def test_people_lookup_suggests_with_handles(call, client_as) -> None:
    scribe = client_as("scribe")
    body = scribe.get(f"{LIVE}/people?q=jh").get_json()
    assert body["suggestions"][0] == {
        "label": "John Baldwin @jhb",
        "name": "John Baldwin",
        "handle": "jhb",
    }
    assert body["match"] is None
    assert scribe.get(f"{LIVE}/people?q=jhb").get_json()["match"] == "John Baldwin @jhb"
    assert scribe.get(f"{LIVE}/people?q=100%25").get_json()["suggestions"] == []


def test_decisions_add_and_remove(call, client_as) -> None:
    scribe = client_as("scribe")
    url = f"{LIVE}/decisions"
    scribe.post(url, data={"text": "SX lock is the preferred one"}, headers=JSON)
    body = scribe.post(url, data={"text": "Ship 14.1 with VM_MAXCPU"}, headers=JSON).get_json()
    assert body["html"].index("SX lock") < body["html"].index("Ship 14.1")
    stale = scribe.post(url, data={"remove": "0", "text": "something else"}, headers=JSON)
    assert stale.status_code == 400
    body = scribe.post(
        url, data={"remove": "0", "text": "SX lock is the preferred one"}, headers=JSON
    ).get_json()
    assert "SX lock" not in body["html"]
    with call.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), M2)
        assert minutes.decision_list == ["Ship 14.1 with VM_MAXCPU"]


def test_panels_are_for_scribes_and_organizers(call, client, client_as) -> None:
    item = ids(call, FollowUp)["collect ACPI dumps"]
    for who in (client, client_as("reviewer")):
        response = who.post(f"{LIVE}/follow-ups/{item}", data={"state": "done"}, headers=JSON)
        assert response.status_code in (302, 401, 403, 404)
        assert who.get(f"{LIVE}/people?q=jhb").status_code in (302, 401, 403, 404)
    with call.app_context():
        assert db.session.get(FollowUp, item).state == "open"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_panel_forms_need_the_csrf_token(call, client, make_user) -> None:
    user = make_user(roles=("scribe",))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    page = client.get(LIVE).get_data(as_text=True)
    item = ids(call, FollowUp)["collect ACPI dumps"]
    url = f"{LIVE}/follow-ups/{item}"
    assert client.post(url, data={"state": "done"}, headers=JSON).status_code == 400
    token = csrf_token_from(page)
    assert (
        client.post(url, data={"state": "done", "csrf_token": token}, headers=JSON).status_code
        == 200
    )


def test_done_on_the_meeting_page_can_be_undone_there(call, client_as) -> None:
    scribe = client_as("scribe")
    item = ids(call, FollowUp)["collect ACPI dumps"]
    meeting = f"/meetings/bhyve/{M2}"
    response = scribe.post(
        f"/follow-ups/{item}/state", data={"state": "done", "day": M2.isoformat(), "next": meeting}
    )
    assert response.status_code == 302
    page = scribe.get(meeting).get_data(as_text=True)
    assert "Closed at this meeting" in page
    assert 'aria-label="Reopen: collect ACPI dumps"' in page
