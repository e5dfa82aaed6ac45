"""Follow-ups as typed: the preview of what the notes will become (the minutes' one grammar),
with the names that match no one shown and never created."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.minutes.conftest import counts
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc

M1, M2 = date(2019, 2, 7), date(2019, 2, 21)
PREVIEW = f"/meetings/bhyve/{M2}/live/preview"
NOTES = """Attendees: jhb, Rod Grimes, Hans Rosenfeld

Roll call, then reviews.
ACTION: Patrick Mooney: post the APIC patch
- [ ] Rod Grimes: collect ACPI dumps
- [x] Rod Grimes: write up the numbers
Decision: SX lock is the preferred one
"""


@pytest.fixture
def people(app, bhyve):
    app.config["CADENCE_NOW"] = datetime(2019, 2, 21, 21, 5, tzinfo=UTC)
    with app.app_context():
        series = meetings.get_series("bhyve")
        rod = svc.create_person("Rod Grimes", audit.CLI)
        svc.create_person("John Baldwin", audit.CLI, handle="jhb")
        svc.add_follow_up(series, M1, rod, "write up the numbers", audit.CLI)
        db.session.commit()
    return app


def test_preview_shows_follow_ups_closes_decisions_attendees_and_unknown_names(
    people, client_as
) -> None:
    scribe = client_as("scribe")
    with people.app_context():
        before = counts()
    answer = scribe.post(PREVIEW, json={"text": NOTES})
    assert answer.status_code == 200
    data = answer.get_json()["preview"]
    # An owner who names no known person is shown, never created: the follow-up would have no
    # owner and keep the whole line (the grammar's rule on save).
    assert data["follow_ups"] == [
        {
            "action": "raise",
            "line": 4,
            "owner": {"typed": "Patrick Mooney", "person": None},
            "text": "Patrick Mooney: post the APIC patch",
        },
        {
            "action": "raise",
            "line": 5,
            "owner": {"typed": "Rod Grimes", "person": "Rod Grimes"},
            "text": "collect ACPI dumps",
        },
    ]
    assert data["closes"] == [
        {
            "action": "close",
            "line": 6,
            "owner": {"typed": "Rod Grimes", "person": "Rod Grimes"},
            "text": "write up the numbers",
            "matches": True,
        }
    ]
    assert data["decisions"] == ["SX lock is the preferred one"]
    assert [a["person"] for a in data["attendees"]] == ["John Baldwin", "Rod Grimes", None]
    assert data["unknown"] == ["Hans Rosenfeld", "Patrick Mooney"]
    html = answer.get_json()["html"]
    assert "<em>no owner</em> (“Patrick Mooney” matches no one)" in html
    assert 'Hans Rosenfeld <span class="badge badge-new">new person</span>' in html
    assert "closes an open follow-up" in html
    with people.app_context():
        assert counts() == before  # nothing written, nobody created


def test_preview_follows_the_text_as_it_changes(people, client_as) -> None:
    scribe = client_as("scribe")
    first = scribe.post(PREVIEW, json={"text": "ACTION: jhb: look at the locking\n"}).get_json()
    assert first["preview"]["follow_ups"][0]["owner"]["person"] == "John Baldwin"
    edited = scribe.post(PREVIEW, json={"text": "ACTION: jhb: look at the SX locking\n"}).get_json()
    assert edited["preview"]["follow_ups"][0]["text"] == "look at the SX locking"
    assert scribe.post(PREVIEW, json={"text": ""}).get_json()["preview"]["follow_ups"] == []


def test_preview_refuses_bad_input_with_a_reason(people, client_as) -> None:
    scribe = client_as("scribe")
    assert scribe.post(PREVIEW, json={"notes": "x"}).status_code == 400
    assert scribe.post(PREVIEW, json=["x"]).status_code == 400
    too_long = scribe.post(PREVIEW, json={"text": "x" * 500_001})
    assert too_long.status_code == 413
    assert "at most 500,000" in too_long.get_json()["error"]


def test_preview_is_for_scribes_and_organizers(people, client, client_as) -> None:
    assert client.post(PREVIEW, json={"text": NOTES}).status_code in (302, 401, 403, 404)
    assert client_as("reviewer").post(PREVIEW, json={"text": NOTES}).status_code in (403, 404)


def test_call_page_previews_the_saved_notes_without_javascript(people, client_as) -> None:
    with people.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, M2, audit.CLI, datetime(2019, 2, 21, tzinfo=UTC))
        minutes.notes = NOTES
        db.session.commit()
    page = client_as("scribe").get(f"/meetings/bhyve/{M2}/live").get_data(as_text=True)
    assert "From the notes" in page
    assert "post the APIC patch" in page
    assert "Names that match no one:</strong> Hans Rosenfeld, Patrick Mooney" in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_preview_needs_the_csrf_header(people, client, make_user) -> None:
    user = make_user(roles=("scribe",))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert client.post(PREVIEW, json={"text": NOTES}).status_code == 400
    token = csrf_token_from(client.get(f"/meetings/bhyve/{M2}/live").get_data(as_text=True))
    answer = client.post(PREVIEW, json={"text": NOTES}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200


def test_an_edited_line_shows_it_changes_the_follow_up_it_raised(people, client_as) -> None:
    with people.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, M2, audit.CLI, datetime(2019, 2, 21, tzinfo=UTC))
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput("ACTION: jhb: look at the locking\n", "", [], "draft"),
            audit.CLI,
            datetime(2019, 2, 21, 22, tzinfo=UTC),
        )
        db.session.commit()
    scribe = client_as("scribe")
    same = scribe.post(PREVIEW, json={"text": "ACTION: jhb: look at the locking\n"}).get_json()
    assert [i["action"] for i in same["preview"]["follow_ups"]] == ["keep"]
    edited = scribe.post(PREVIEW, json={"text": "ACTION: jhb: look at the SX locking\n"})
    assert [i["action"] for i in edited.get_json()["preview"]["follow_ups"]] == ["update"]
    assert "changes its follow-up" in edited.get_json()["html"]
    gone = scribe.post(PREVIEW, json={"text": "Nothing to do.\n"}).get_json()
    assert [(i["action"], i["text"]) for i in gone["preview"]["undone"]] == [
        ("remove", "look at the locking")
    ]


def test_a_saved_closing_line_stays_under_closed(people, client_as) -> None:
    """After Save, a ``- [x]`` line that closed a follow-up is shown as closed (saved), not as a
    follow-up raised here."""
    text = "- [x] Rod Grimes: write up the numbers\n"
    scribe = client_as("scribe")
    before = scribe.post(PREVIEW, json={"text": text}).get_json()
    assert [i["matches"] for i in before["preview"]["closes"]] == [True]
    with people.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, M2, audit.CLI, datetime(2019, 2, 21, tzinfo=UTC))
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput(text, "", [], "draft"),
            audit.CLI,
            datetime(2019, 2, 21, 22, tzinfo=UTC),
        )
        db.session.commit()
    after = scribe.post(PREVIEW, json={"text": text}).get_json()
    assert after["preview"]["follow_ups"] == []
    assert [(i["action"], i["text"]) for i in after["preview"]["closes"]] == [
        ("keep", "write up the numbers")
    ]
    assert "closed · saved" in after["html"]
