"""The scribe's journey through the call: dashboard → Take minutes → the call page → Done and
Undo of a follow-up, the review queue reordered, an attendee (new person on confirmation), the
preview of the notes; in place with the strict CSP on, and without JavaScript."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from tests.minutes.conftest import create_bhyve
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import FollowUp

pytestmark = pytest.mark.browser

M1, M2 = date(2019, 2, 7), date(2019, 2, 21)
LIVE = f"/meetings/bhyve/{M2}/live"
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def call(app):
    """The meeting of 2019-02-21 is under way; 2019-02-07 left a follow-up and a review queue."""
    app.config["CADENCE_NOW"] = datetime(2019, 2, 21, 21, 10, tzinfo=UTC)
    with app.app_context():
        create_bhyve("1. Roll call\n2. Reviews")
        series = meetings.get_series("bhyve")
        rod = svc.create_person("Rod Grimes", audit.CLI, handle="rgrimes")
        svc.create_person("John Baldwin", audit.CLI, handle="jhb")
        minutes = svc.start_minutes(series, M1, audit.CLI, datetime(2019, 2, 7, 22, tzinfo=UTC))
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput("We agreed: SX lock is the preferred one.\n", "", [], "published"),
            audit.CLI,
            datetime(2019, 2, 7, 22, tzinfo=UTC),
        )
        svc.add_follow_up(series, M1, rod, "collect ACPI dumps", audit.CLI)
        for n, title in enumerate(("APIC patch", "VM_MAXCPU", "virtio-net"), 1):
            svc.add_review(series, M1, f"https://reviews.freebsd.org/D{n}", title, audit.CLI)
        db.session.commit()
    return app


def review_order(page) -> list[str]:
    return page.locator("#live-reviews ol.review-tree > li > a").all_inner_texts()


def focused_label(page) -> str:
    return page.evaluate(
        "(document.activeElement.getAttribute('aria-label') || document.activeElement.textContent)"
        ".trim()"
    )


def test_scribe_takes_minutes_from_the_dashboard_and_works_the_call_page(
    page, make_user, call
) -> None:
    scribe = make_user(roles=("scribe",))
    sign_in(page, scribe.email)
    page.get_by_role("button", name=f"Take minutes of bhyve bi-weekly call, {M2}").click()
    page.wait_for_url(f"**{LIVE}")
    expect(page.get_by_role("heading", name=f"bhyve bi-weekly call, {M2}")).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.stillHere = true")  # a full reload would forget it

    page.get_by_role("button", name="Done: collect ACPI dumps").click()
    undo = page.get_by_role("button", name="Undo done: collect ACPI dumps")
    expect(undo).to_be_visible()
    expect(page.locator("#live-panels-status")).to_have_text("“collect ACPI dumps” is done.")
    assert focused_label(page) == "Undo done: collect ACPI dumps"  # the keyboard stays put
    with call.app_context():
        assert db.session.query(FollowUp).one().state == "done"
    undo.click()
    # exact: "Undo done: collect ACPI dumps" contains the name too
    expect(page.get_by_role("button", name="Done: collect ACPI dumps", exact=True)).to_be_visible()
    with call.app_context():
        assert db.session.query(FollowUp).one().state == "open"

    assert review_order(page) == ["APIC patch", "VM_MAXCPU", "virtio-net"]
    page.get_by_role("button", name="Move down: APIC patch").click()
    expect(page.locator("#live-reviews ol.review-tree > li > a").first).to_have_text("VM_MAXCPU")
    assert review_order(page) == ["VM_MAXCPU", "APIC patch", "virtio-net"]
    page.get_by_role("button", name="Landed: virtio-net").click()
    expect(page.get_by_role("button", name="Undo landed: virtio-net")).to_be_visible()
    assert page.evaluate("window.stillHere") is True

    field = page.get_by_label("Add an attendee")
    field.fill("jhb")
    expect(page.locator("#live-attendee-match")).to_have_text("Matches John Baldwin @jhb.")
    field.press("Enter")
    expect(page.locator("ul.live-attendees")).to_contain_text("John Baldwin")
    field = page.get_by_label("Add an attendee")
    field.fill("Hans Rosenfeld")
    expect(page.locator("#live-attendee-match")).to_contain_text("New person")
    field.press("Enter")
    confirm = page.get_by_role("button", name="Add “Hans Rosenfeld” as a new person")
    expect(confirm).to_be_visible()
    confirm.click()
    expect(page.locator("ul.live-attendees")).to_contain_text("Hans Rosenfeld")

    notes = "ACTION: Patrick Mooney: post the APIC patch\n- [ ] Rod Grimes: collect ACPI dumps\n"
    page.evaluate(
        "text => document.dispatchEvent("
        "new CustomEvent('live-notes-changed', {detail: {text: text}}))",
        notes,
    )
    preview = page.locator("#live-preview")
    expect(preview).to_contain_text("post the APIC patch")
    expect(preview).to_contain_text("Names that match no one: Patrick Mooney")
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    notes_box = page.locator(".live-notes").bounding_box()
    panels_box = page.locator(".live-panels").bounding_box()
    assert panels_box["y"] >= notes_box["y"] + notes_box["height"] - 1  # stacked on a phone
    assert page.console_errors == []  # no CSP violation, no script error


def test_without_javascript_the_forms_still_work(browser, live_server, make_user, call) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    scribe = make_user(roles=("scribe",))
    sign_in(page, scribe.email)
    page.get_by_role("button", name=f"Take minutes of bhyve bi-weekly call, {M2}").click()
    page.wait_for_url(f"**{LIVE}")
    page.get_by_role("button", name="Drop: collect ACPI dumps").click()
    page.wait_for_url(f"**{LIVE}#live-follow-ups")
    expect(page.get_by_text("“collect ACPI dumps” is dropped.")).to_be_visible()
    page.get_by_role("button", name="Undo drop: collect ACPI dumps").click()
    expect(page.get_by_role("button", name="Drop: collect ACPI dumps", exact=True)).to_be_visible()
    page.get_by_label("Add an attendee").fill("Hans Rosenfeld")
    page.get_by_role("button", name="Add", exact=True).first.click()
    expect(page.get_by_role("heading", name="New person?")).to_be_visible()
    page.get_by_role("button", name="Add “Hans Rosenfeld” as a new person").click()
    page.wait_for_url(f"**{LIVE}#live-attendees")
    expect(page.locator("ul.live-attendees")).to_contain_text("Hans Rosenfeld")
    context.close()


def test_search_page_finds_the_phrase_and_passes_axe(page, call) -> None:
    page.goto('/search?q="SX lock is the preferred one"')
    expect(page.get_by_text("The published minutes of 1 meeting match.")).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_be_visible()
    assert_accessible(page)
    page.goto("/search?q=%2A%2A")
    expect(page.locator("#search-error")).to_contain_text("has no word to search for")
    assert_accessible(page)
    assert page.console_errors == []


def test_names_typed_in_the_attendees_line_are_never_lost(page, make_user, call) -> None:
    """An unknown name of the notes' Attendees line stays in the saved notes and is offered as a
    new person; one click on Add creates them and makes them an attendee."""
    with call.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, M2, audit.CLI, datetime(2019, 2, 21, 21, tzinfo=UTC))
        minutes.notes = "Attendees: John Baldwin, Newbie Person\nwe met\n"
        db.session.commit()
    scribe = make_user(roles=("scribe",))
    sign_in(page, scribe.email)
    page.goto(LIVE)
    page.locator(".cm-content").wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: minutes version")).to_be_visible()
    panel = page.locator("#live-attendees")
    expect(panel.locator("ul.live-attendees")).to_contain_text("John Baldwin")
    expect(panel.locator(".live-new-people")).to_contain_text("Newbie Person")
    expect(panel.locator(".live-new-people")).to_contain_text("new person")
    with call.app_context():
        saved = svc.get_minutes(meetings.get_series("bhyve"), M2)
        assert saved is not None
        assert "Attendees: Newbie Person" in saved.notes  # kept until confirmed
    assert_accessible(page)
    page.get_by_role("button", name="Add Newbie Person as a new person").click()
    expect(page.locator("#live-panels-status")).to_have_text(
        "Newbie Person (a new person) attended."
    )
    expect(page.locator("#live-attendees ul.live-attendees")).to_contain_text("Newbie Person")
    expect(page.locator("#live-attendees .live-new-people")).to_have_count(0)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: minutes version")).to_be_visible()
    with call.app_context():
        saved = svc.get_minutes(meetings.get_series("bhyve"), M2)
        assert saved is not None
        assert [p.name for p in saved.attendees] == ["John Baldwin", "Newbie Person"]
        assert "Attendees:" not in saved.notes
    assert page.console_errors == []
