"""Personal subscriptions in Chromium: from the series page to the subscribe page, the mailed
link's confirm button, the agenda with its unsubscribe link, and the unsubscribe button; the
organizers' list shows the address masked. Mail goes through a real SMTP server on loopback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.announcements.conftest import NOW
from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

ADDRESS = "ada@example.org"


def _mailed_link(smtp_server, subject_part: str, kind: str) -> str:
    for _ in range(3):
        smtp_server.wait_for(len(smtp_server.messages) + 1, timeout=2)
        found = [m for m in smtp_server.to(ADDRESS) if subject_part in str(m["Subject"])]
        if found:
            return next(u for u in smtp_server.links(found[-1]) if f"/subscriptions/{kind}/" in u)
    raise AssertionError(
        f"no mail '{subject_part}': {[m['Subject'] for m in smtp_server.messages]}"
    )


@pytest.mark.app_config(CADENCE_NOW=NOW)
def test_subscribe_confirm_and_unsubscribe_by_the_pages(
    app, runner, live_server, page, smtp_server, make_user
) -> None:
    app.config["CADENCE_BASE_URL"] = live_server.url  # links in mail open this server
    for args in (
        ["series", "create", "call", "--title", "Hypervisor call", "--timezone",
         "America/New_York", "--start", "2026-01-01 16:00", "--duration", "60"],
        ["series", "announcements", "call", "--to", "list@example.org"],
    ):  # fmt: skip
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    page.goto("/series/call")
    page.get_by_role("link", name="Get the agenda by mail").click()
    expect(page.get_by_role("heading", name="Get the agenda by mail")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_text("Give an email address.")).to_be_visible()
    page.get_by_label("Your email").fill(ADDRESS)
    page.get_by_role("button", name="Send me the link").click()
    expect(
        page.get_by_text(f"A mail with a link to confirm is on its way to {ADDRESS}.")
    ).to_be_visible()

    page.goto(_mailed_link(smtp_server, "Confirm", "confirm"))
    expect(page.get_by_role("heading", name=re.compile("Confirm: the agenda of"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()

    result = runner.invoke(args=["announcements", "queue"])
    assert "and 1 personal copy(ies)" in result.output
    page.goto(_mailed_link(smtp_server, "Agenda", "unsubscribe"))
    expect(page.get_by_role("heading", name="Unsubscribe from Hypervisor call")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()

    organizer = make_user(roles=("organizer",))
    sign_in(page, organizer.email)
    page.goto("/organize/series/call/")
    page.get_by_role("link", name="Subscribers").click()
    row = page.get_by_role("row", name=re.compile("a\\*\\*\\*@example.org"))
    expect(row).to_contain_text("unsubscribed")
    expect(page.get_by_text(ADDRESS)).to_have_count(0)
    row.get_by_role("link", name="Remove a***@example.org").click()
    page.get_by_role("button", name="Remove a***@example.org").click()
    expect(page.get_by_text("No subscribers yet.")).to_be_visible()
