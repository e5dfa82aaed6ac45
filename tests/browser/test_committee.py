"""The programme committee in Chromium: a speaker's edit keeps the talk, a reviewer's "Save and
next", staged decisions; axe checks every new page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from tests.browser.test_cfp import conference, fill_the_form, private_link, sign_out

pytestmark = pytest.mark.browser
__all__ = ["conference"]  # the fixture, shared with test_cfp


def test_a_speakers_edit_of_the_abstract_keeps_format_and_track(
    page, conference, smtp_server
) -> None:
    fill_the_form(page, "UEFI guests on bhyve")  # a tutorial in the Operations track
    page.goto(private_link(smtp_server, "ada@example.org", "We received"))
    page.get_by_role("link", name="Edit the proposal").click()
    assert_accessible(page)
    # The form shows what is stored: the tutorial's format and track are selected.
    assert page.get_by_label("Session format").locator("option:checked").inner_text() == (
        "Tutorial (90 min)"
    )
    assert page.get_by_label("Track").locator("option:checked").inner_text() == "Operations"
    page.get_by_label("Abstract").fill("UEFI guests, step by step.")
    # Enter in a text field sends the form (it does not add a co-speaker row).
    page.get_by_label("Title").press("Enter")
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_text("Tutorial (90 min)")).to_be_visible()
    expect(page.get_by_text("Operations")).to_be_visible()
    expect(page.get_by_text("UEFI guests, step by step.")).to_be_visible()
    # Withdrawing asks first and says who is mailed.
    page.get_by_role("button", name="Withdraw the proposal").click()
    expect(page.get_by_text("No mail is sent, to you or your co-speakers")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel: keep it as it is").click()
    expect(page.get_by_role("button", name="Withdraw the proposal")).to_be_visible()
    assert page.console_errors == []


def test_a_reviewer_saves_and_goes_to_the_next(page, conference, smtp_server, make_user) -> None:
    fill_the_form(page, "First talk")
    fill_the_form(page, "Second talk")
    reviewer = make_user(roles=("reviewer",), name="Rui Reviewer")
    sign_in(page, reviewer.email)
    page.goto("/organize/conferences/bhyvecon-2027/submissions")
    assert_accessible(page)
    page.get_by_role("link", name="First talk").click()
    expect(page.get_by_label("Overall")).to_have_value("")  # no preset score
    assert_accessible(page)
    page.get_by_label("Overall").select_option(label="4")
    page.get_by_label("Comment").fill("Clear and useful.")
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_text("Your review is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Second talk")).to_be_visible()
    page.get_by_label("Comment").fill("A remark, no score.")
    page.get_by_role("button", name="Save my review").click()
    expect(page.get_by_text("Your review is saved.")).to_be_visible()
    expect(page.get_by_text("appear once you have scored")).to_be_visible()
    assert page.console_errors == []


def test_staged_decisions_go_out_with_send_decisions(
    page, conference, smtp_server, make_user
) -> None:
    fill_the_form(page, "Live migration of bhyve guests")
    private_link(smtp_server, "ada@example.org", "We received")
    organizer = make_user(roles=("organizer",), name="Olivia Organizer")
    sign_in(page, organizer.email)
    page.goto("/organize/conferences/bhyvecon-2027/submissions")
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    page.get_by_label("Note to the speakers (optional; sent with the decision)").fill(
        "Bring a demo."
    )
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("pending accepted. Nothing is sent until")).to_be_visible()
    assert_accessible(page)
    sent_before = len(smtp_server.messages)
    page.goto("/organize/conferences/bhyvecon-2027/submissions")
    expect(page.get_by_text("→ accepted (not sent)")).to_be_visible()
    expect(page.get_by_label("Note to the speakers of the selected")).to_be_visible()
    assert_accessible(page)  # the list with its bulk decision and note
    page.get_by_role("button", name="Send decisions (1 pending)").click()
    expect(page.get_by_text("1 Acceptance mail(s)")).to_be_visible()
    expect(page.get_by_text("Bring a demo.").first).to_be_visible()
    assert_accessible(page)
    assert len(smtp_server.messages) == sent_before  # accepting sent nothing
    page.get_by_role("button", name="Send 1 mail(s) now").click()
    expect(page.get_by_text("1 decision(s) sent")).to_be_visible()
    private_link(smtp_server, "ada@example.org", "Accepted")
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    expect(page.locator("#submission-mails")).to_contain_text("cfp_accepted")
    page.goto("/organize/outbox")
    assert_accessible(page)
    page.goto("/organize/conferences/bhyvecon-2027/edit")
    assert_accessible(page)
    sign_out(page)
    assert page.console_errors == []
