"""A scribe's evening: minutes typed live, a follow-up, publishing — and nothing lost to an
expired sign-in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.minutes.conftest import create_bhyve
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc

pytestmark = pytest.mark.browser

EDIT = "/meetings/bhyve/2019-02-07/minutes/edit"


@pytest.fixture
def series(app):
    with app.app_context():
        create_bhyve("1. Roll call")
        db.session.commit()


def sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def settle(page) -> None:
    """Let the browser finish its requests (the favicon) before the test ends."""
    page.wait_for_load_state("networkidle")


def real_errors(page) -> list[str]:
    return [e for e in page.console_errors if "Failed to load resource" not in e]


def test_scribe_writes_adds_follow_up_publishes_and_the_next_agenda_carries_it(
    page, browser, live_server, make_user, series
) -> None:
    scribe = make_user(roles=("scribe",), name="Sam Scribe")
    page.goto(EDIT)
    sign_in(page, scribe.email)
    page.get_by_role("button", name="Start minutes").click()
    page.get_by_label("Attendees").fill("Rod Grimes\nJohn Baldwin")
    page.get_by_label("Notes").fill(
        "**Rod:** VM_MAXCPU reviews. See D18755.\n\nBug 229852: people are on it."
    )
    page.get_by_label("Decisions").fill("Reviews join the bi-weekly call")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Minutes saved (version 2, draft)")).to_be_visible()

    page.get_by_label("Owner").fill("John Baldwin")
    page.get_by_label("What").fill("review VM_MAXCPU")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_text("Follow-up added for John Baldwin.")).to_be_visible()

    page.get_by_label("State").select_option("published")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Minutes saved (version 3, published)")).to_be_visible()
    assert real_errors(page) == []

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/meetings/bhyve/2019-02-07/minutes")
    assert public.get_by_role("link", name="Bug 229852").get_attribute("href") == (
        "https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852"
    )
    expect(public.get_by_role("link", name="D18755")).to_be_visible()
    expect(public.get_by_text("Reviews join the bi-weekly call")).to_be_visible()
    expect(public.locator(".raised-follow-ups").get_by_text("review VM_MAXCPU")).to_be_visible()
    public.get_by_role("link", name="Next meeting (2019-02-21) →").click()
    carried = public.locator(".carried-follow-ups")
    expect(carried.get_by_text("review VM_MAXCPU")).to_be_visible()
    expect(carried.get_by_text("1 meeting old")).to_be_visible()
    public.context.close()


def test_text_typed_when_the_sign_in_expired_is_restored_after_signing_in(
    page, app, make_user, series
) -> None:
    with app.app_context():
        minutes = svc.start_minutes(
            meetings.get_series("bhyve"), date(2019, 2, 7), audit.CLI, datetime.now(UTC)
        )
        svc.save_minutes(
            minutes,
            1,
            svc.MinutesInput("Saved before.\n", "", [], "draft"),
            audit.CLI,
            datetime.now(UTC),
        )
        db.session.commit()
        key = f"cadence:minutes:{minutes.id}"
    scribe = make_user(roles=("scribe",))
    page.goto(EDIT)
    sign_in(page, scribe.email)
    notes = page.get_by_label("Notes")
    notes.fill("Saved before.\nTyped live while the session expired.")

    page.context.clear_cookies()  # the sign-in expires
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please sign in first.")).to_be_visible()

    page.goto(f"/login?next={EDIT}")
    sign_in(page, scribe.email)
    page.wait_for_url(f"**{EDIT}")
    expect(page.get_by_text("Restored unsaved text from this browser")).to_be_visible()
    assert (
        page.get_by_label("Notes").input_value()
        == "Saved before.\nTyped live while the session expired."
    )

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Minutes saved (version 3, draft)")).to_be_visible()
    expect(page.get_by_text("Restored unsaved text from this browser")).to_be_hidden()
    page.wait_for_function(
        "k => localStorage.getItem(k) === null", arg=key
    )  # cleared once minutes.js ran
    with app.app_context():
        saved = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        assert saved.notes == "Saved before.\nTyped live while the session expired.\n"

    # Typed but never saved, then thrown away on purpose.
    page.get_by_label("Notes").fill("A stray line.")
    page.reload()
    expect(page.get_by_text("Restored unsaved text from this browser")).to_be_visible()
    page.get_by_role("button", name="Discard restored text").click()
    assert page.get_by_label("Notes").input_value().startswith("Saved before.\nTyped live")
    assert page.evaluate("k => localStorage.getItem(k)", key) is None
    assert real_errors(page) == []
    settle(page)


def test_the_edit_page_works_without_javascript(browser, live_server, make_user, series) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    scribe = make_user(roles=("scribe",))
    page.goto(EDIT)
    sign_in(page, scribe.email)
    page.get_by_role("button", name="Start minutes").click()
    page.get_by_label("Notes").fill("No script needed.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Minutes saved (version 2, draft)")).to_be_visible()
    settle(page)
    context.close()


def test_a_restored_draft_over_a_colleagues_newer_save_gets_the_conflict_page(
    page, app, make_user, series
) -> None:
    """The draft carries the version it was typed over: saving it cannot silently overwrite."""
    with app.app_context():
        minutes = svc.start_minutes(
            meetings.get_series("bhyve"), date(2019, 2, 7), audit.CLI, datetime.now(UTC)
        )
        db.session.commit()
    scribe = make_user(roles=("scribe",))
    page.goto(EDIT)
    sign_in(page, scribe.email)
    page.get_by_label("Notes").fill("My draft, typed over version 1.")
    page.context.clear_cookies()  # the sign-in expires
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please sign in first.")).to_be_visible()

    with app.app_context():  # meanwhile a colleague saves their notes
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput("The colleague's notes.\n", "", [], "draft"),
            audit.Actor(label="colleague@example.org"),
            datetime.now(UTC),
        )
        db.session.commit()

    page.goto(f"/login?next={EDIT}")
    sign_in(page, scribe.email)
    page.wait_for_url(f"**{EDIT}")
    expect(page.get_by_text("Restored unsaved text from this browser")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("colleague@example.org saved version 2")).to_be_visible()
    expect(page.locator("#their-notes")).to_have_text("The colleague's notes.\n")
    with app.app_context():
        saved = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        assert saved.notes == "The colleague's notes.\n"  # not overwritten
    settle(page)
