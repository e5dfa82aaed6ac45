"""An organizer sets up the call in the browser, cancels one meeting; the public sees it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_organizer_creates_series_and_cancels_a_meeting(page, make_user) -> None:
    user = make_user(roles=("organizer",))
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")

    first = (datetime.now(UTC) + timedelta(days=7)).date()
    second = first + timedelta(weeks=2)
    page.goto("/organize/series/new")
    page.get_by_label("Short name (slug)").fill("bhyve")
    page.get_by_label("Title").fill("bhyve bi-weekly call")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_label("First meeting (date)").fill(first.isoformat())
    page.get_by_label("Start time (local)").fill("16:00")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Join URL").fill("https://meet.example.org/bhyve")
    page.get_by_role("button", name="Create series").click()
    assert page.get_by_text("Series bhyve created.").is_visible()

    page.get_by_role("link", name=f"Cancel {second.isoformat()}").click()
    page.get_by_label("Reason").fill("Most of us are at BSDCan")
    page.get_by_role("button", name="Cancel meeting").click()
    assert page.get_by_text(f"The meeting of {second.isoformat()} is cancelled.").is_visible()

    page.goto("/series/bhyve")
    assert page.get_by_text("Every other").first.is_visible()
    cancelled = page.locator("li.occurrence-cancelled")
    assert cancelled.count() == 1
    assert "Most of us are at BSDCan" in cancelled.inner_text()
    assert cancelled.locator("del").count() == 1

    page.goto(f"/meetings/bhyve/{first.isoformat()}")
    local = page.locator(".when .local-time")
    local.wait_for()
    # 16:00 in New York is 23:00 in Bucharest (22:00 for the few days their DST dates differ).
    assert "Europe/Bucharest" in local.inner_text()
    assert any(hour in local.inner_text() for hour in ("23:00", "22:00"))
    # Meeting lists show the viewer's zone next to the series' one, in the same format.
    page.goto("/series/bhyve")
    listed = page.locator("li.occurrence .local-time").first
    listed.wait_for()
    assert re.fullmatch(
        r" \(your time: [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \S+, "
        r"Europe/Bucharest\)",
        listed.inner_text(),
    ), listed.inner_text()
    server_side = page.locator("li.occurrence time").first.inner_text()
    assert re.fullmatch(r"[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \S+", server_side)
    assert page.console_errors == []


def test_the_viewers_time_is_not_repeated_when_it_is_the_series_time(browser, live_server, app):
    """A viewer in the series' own zone sees its times once, without "(your time: ...)"."""
    from tests.minutes.conftest import create_bhyve

    with app.app_context():
        from webapp.extensions import db

        create_bhyve()
        db.session.commit()
    for zone, shown in (("America/New_York", 0), ("Europe/Bucharest", 1)):
        context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id=zone)
        page = context.new_page()
        page.goto("/series/bhyve")
        page.locator("li.occurrence time").first.wait_for()
        page.wait_for_load_state("load")
        assert page.locator("li.occurrence").first.locator(".local-time").count() == shown, zone
        context.close()
