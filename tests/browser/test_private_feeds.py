"""/account in a browser: link the account to a person, make and copy the private calendar
address, and Reset it (the old address is then a 404)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from tests.private_feeds.conftest import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_link_copy_and_reset_the_private_calendar(page, live_server, make_user, world) -> None:  # noqa: F811
    user = make_user(email="scribe@example.org", roles=("scribe",), name="Sam Scribe")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, user.email)
    page.get_by_role("link", name="Account").click()
    assert page.get_by_role("heading", name="Your calendar", exact=True).is_visible()
    assert page.get_by_text("This account is not linked to a person").is_visible()

    page.get_by_label("I am").select_option(label="Ada Lovelace (@ada)")
    page.get_by_role("button", name="Link to this person").click()
    assert page.get_by_text("Your account is linked to Ada Lovelace.").is_visible()
    assert page.locator("#calendar").get_by_text("Ada Lovelace", exact=True).is_visible()

    page.get_by_role("button", name="Make my calendar address").click()
    assert page.get_by_text("Your calendar address is ready.").is_visible()
    field = page.get_by_label("Your private calendar address")
    address = field.input_value()
    assert "/calendar/private/" in address
    page.get_by_role("button", name="Copy address").click()
    assert page.get_by_role("button", name="Copied").is_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert_accessible(page)

    path = urlsplit(address).path
    feed = page.request.get(live_server.url + path)
    assert feed.status == 200
    assert "private" in feed.headers["cache-control"]
    assert "set-cookie" not in feed.headers
    body = feed.text()
    assert f"follow-up-{world.due_id}@" in body
    assert "Follow-up: Review the vmm patch" in body

    page.get_by_role("button", name="Reset the address").click()
    expect(page.get_by_role("heading", name="Reset the calendar address?")).to_be_visible()
    assert page.request.get(live_server.url + path).status == 200  # asked, nothing changed
    page.get_by_role("button", name="Yes, reset the address").click()
    assert page.get_by_text("the old one no longer works").is_visible()
    new = page.get_by_label("Your private calendar address").input_value()
    assert new != address
    assert page.request.get(live_server.url + path).status == 404
    assert page.request.get(live_server.url + urlsplit(new).path).status == 200
    assert page.console_errors == []  # no CSP violation (no inline script or style)
