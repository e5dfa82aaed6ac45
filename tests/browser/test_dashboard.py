"""The dashboard in Chromium, on the demo community: each role sees what it may act on, by
keyboard, without serious axe violations and without sideways scrolling on a phone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from webapp import audit, demo
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as minutes
from webapp.models import OutboxMessage

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def community(app, smtp_server):
    """The demo data, a draft of the last meeting's minutes and a message that failed."""
    now = datetime.now(UTC)
    with app.app_context():
        demo.load(now)
        series = meetings.get_series("bhyve")
        last = [
            s
            for s in meetings.occurrences(
                series, now.replace(year=now.year - 1), now, include_cancelled=False
            )
            if s.start <= now
        ][-1]
        minutes.start_minutes(series, last.original_date, audit.CLI, now)
        db.session.add(
            OutboxMessage(
                template="cfp_received",
                message_id="<failed-1@example.org>",
                to_addr="grace@example.org",
                subject="[bhyvecon] We received your talk",
                body="Hello",
                state="failed",
                attempts=8,
                last_error="ConnectionRefusedError: [Errno 111]",
            )
        )
        db.session.commit()
        return {"last": last.original_date.isoformat()}


def fits_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => { let p = e, path = []; while (p && p !== document.body) { """
        "path.unshift(p.tagName + (p.className ? '.' + p.className : '')); "
        "p = p.parentElement; } "
        "return path.join('>') + ' ' + Math.round(e.getBoundingClientRect().right); })"
    )
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px): {wide}"


def tab_to(page, name: str, limit: int = 300) -> None:
    """Press Tab until the focused element's accessible text is ``name`` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "(document.activeElement.getAttribute('aria-label') "
            "|| document.activeElement.textContent || '').trim()"
        )
        if label.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_organizer_sees_everything_and_retries_a_failed_mail_by_keyboard(
    page, make_user, community, smtp_server
) -> None:
    organizer = make_user(roles=("organizer",))
    sign_in(page, organizer.email)
    for heading in (
        "Next meetings",
        "Open follow-ups",
        "Calls for papers",
        "Mail outbox",
        "Recent activity",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Decisions pending: 3")).to_be_visible()
    expect(page.get_by_text("Speakers not yet confirmed: 2")).to_be_visible()
    expect(page.get_by_role("img", name="Submissions per day to bhyvecon 2027")).to_be_visible()
    expect(page.get_by_text("1 failed")).to_be_visible()
    assert_accessible(page)

    tab_to(page, "Retry the mail to grace@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_text("Queued again for grace@example.org")).to_be_visible()
    expect(page.get_by_text("0 failed")).to_be_visible()
    smtp_server.wait_for(1)  # the outbox worker sends it
    [sent] = smtp_server.to("grace@example.org")
    assert sent["Subject"] == "[bhyvecon] We received your talk"
    fits_a_phone(page)
    assert page.console_errors == []


def test_reviewer_sees_review_progress_and_their_to_do_but_no_mail(
    page, make_user, community
) -> None:
    reviewer = make_user(roles=("reviewer",))
    sign_in(page, reviewer.email)
    expect(page.get_by_role("heading", name="Review progress")).to_be_visible()
    expect(page.get_by_text("Your reviews to do: 14")).to_be_visible()
    for hidden in ("Mail outbox", "Open follow-ups", "Next meetings", "Recent activity"):
        expect(page.get_by_role("heading", name=hidden)).to_have_count(0)
    expect(page.get_by_text("Decisions pending")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    expect(page.get_by_role("heading", name="Live migration of bhyve guests")).to_be_visible()
    page.goto("/dashboard/")
    fits_a_phone(page)


def test_scribe_sees_follow_ups_and_edits_the_draft_minutes(page, make_user, community) -> None:
    scribe = make_user(roles=("scribe",))
    sign_in(page, scribe.email)
    expect(page.get_by_role("heading", name="Open follow-ups")).to_be_visible()
    expect(page.get_by_text("review VM_MAXCPU")).to_be_visible()
    expect(page.get_by_text(f"Minutes of {community['last']} are still a draft.")).to_be_visible()
    for hidden in ("Mail outbox", "Calls for papers", "Recent activity"):
        expect(page.get_by_role("heading", name=hidden)).to_have_count(0)
    assert_accessible(page)
    tab_to(page, f"Take minutes of bhyve bi-weekly call, {community['last']}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meetings/bhyve/{community['last']}/live")
    expect(
        page.get_by_role("heading", name=f"bhyve bi-weekly call, {community['last']}")
    ).to_be_visible()


def test_admin_pages_pass_axe_work_by_keyboard_and_fit_a_phone(page, make_user, community) -> None:
    admin = make_user(roles=("admin",))
    sign_in(page, admin.email)
    expect(page.get_by_role("heading", name="Mail outbox")).to_be_visible()
    for path in (
        "/dashboard/",
        "/dashboard/audit",
        "/dashboard/audit?action=submission",
        "/dashboard/settings",
    ):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(path)
        assert_accessible(page)
        fits_a_phone(page)
        assert_accessible(page)
    # The settings form by keyboard alone.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/dashboard/settings")
    page.get_by_label("Community name").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("bhyve community")
    tab_to(page, "Save settings")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert page.console_errors == []


def test_public_pages_of_the_demo_pass_axe_and_fit_a_phone(page, app, community) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        upcoming = meetings.next_occurrence(series, datetime.now(UTC))
        day = upcoming.original_date.isoformat()
        assert db.session.scalar(sa.text("SELECT count(*) FROM submissions")) > 0
    for path in (
        "/conferences/bhyvecon-2027/cfp",
        f"/meetings/bhyve/{day}",
        f"/meetings/bhyve/{community['last']}",
        "/conferences/bhyvecon-2027/program",
    ):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(path)
        assert_accessible(page)
        fits_a_phone(page)
        assert_accessible(page)
