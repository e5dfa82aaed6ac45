"""A stolen cookie stops working when its owner signs out everywhere (two browsers)."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_sign_out_everywhere_ends_a_copied_session(page, browser, live_server, make_user) -> None:
    user = make_user(roles=("organizer",), name="Olivia Organizer")
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")

    # Someone copies every cookie of this browser into theirs.
    thief_context, thief = _new_page(browser, live_server)
    try:
        thief_context.add_cookies(page.context.cookies())
        thief.goto("/dashboard/")
        assert thief.get_by_role("heading", name="Dashboard").is_visible()

        page.get_by_role("link", name="Account").click()
        assert page.get_by_role("heading", name="Signed-in devices").is_visible()
        assert page.get_by_text("(this device)").is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Sign out everywhere").click()
        assert page.get_by_text("Signed out on every device").is_visible()

        thief.goto("/dashboard/")
        assert thief.get_by_role("heading", name="Sign in").is_visible()
        page.goto("/dashboard/")
        assert page.get_by_role("heading", name="Sign in").is_visible()
        assert page.console_errors == []
    finally:
        thief_context.close()


def test_sign_out_ends_a_copied_session(page, browser, live_server, make_user) -> None:
    user = make_user(roles=("scribe",))
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    thief_context, thief = _new_page(browser, live_server)
    try:
        thief_context.add_cookies(page.context.cookies())
        thief.goto("/dashboard/")
        assert thief.get_by_role("heading", name="Dashboard").is_visible()
        page.get_by_role("button", name="Sign out").click()
        assert page.get_by_text("Signed out.").is_visible()
        thief.goto("/dashboard/")
        assert thief.get_by_role("heading", name="Sign in").is_visible()
    finally:
        thief_context.close()
