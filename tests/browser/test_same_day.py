"""A reader finds both meetings of one day from the series page: each its own minutes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.minutes import steering
from tests.minutes.test_same_day import GUESTS, PLAIN
from webapp import audit
from webapp.extensions import db
from webapp.minutes import importer

pytestmark = pytest.mark.browser


@pytest.fixture
def two_meetings(app):
    with app.app_context():
        steering.create_series()
        now = datetime.now(UTC)
        for name, text in (("2016-01-07.md", PLAIN), ("2016-01-07-guests.md", GUESTS)):
            importer.import_text(text, name, "steering", audit.CLI, now)
            db.session.commit()


def _oldest_page(page) -> None:
    """The series page with the oldest meetings, reached as a reader does: Older, Older..."""
    page.goto("/series/steering")
    older = page.get_by_role("link", name="Older", exact=True)
    while older.count():
        older.click()
        page.wait_for_load_state()


def test_both_meetings_of_one_day_are_listed_and_each_shows_its_own_minutes(
    page, live_server, two_meetings
) -> None:
    _oldest_page(page)
    page.get_by_role("link", name="minutes of 2016-01-07-guests").click()
    heading = page.get_by_role("heading", name="Steering committee, 2016-01-07-guests")
    expect(heading).to_be_visible()
    expect(page.get_by_text("The guests' one.")).to_be_visible()
    raised = page.locator(".raised-follow-ups li")
    expect(raised).to_have_count(1)
    expect(raised).to_contain_text("send slides")
    expect(raised).to_contain_text("raised 2016-01-07-guests")
    expect(page.get_by_text("The members' meeting.")).to_have_count(0)
    _oldest_page(page)
    page.get_by_role("link", name="minutes of 2016-01-07", exact=True).click()
    expect(page.get_by_text("The members' meeting.")).to_be_visible()
    expect(page.get_by_text("The guests' one.")).to_have_count(0)
    page.wait_for_load_state("networkidle")
