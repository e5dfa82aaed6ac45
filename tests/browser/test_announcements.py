"""An organizer sets the series' announcements in the browser, previews the next agenda mail
and sends a test of it to themself (CSRF on, the page under the CSP: no inline script/style)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser.helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.app_config(
        WTF_CSRF_ENABLED=True, CADENCE_NOW=datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    ),
]


def test_organizer_sets_announcements_previews_and_sends_a_test(
    page, app, runner, make_user, smtp_server
) -> None:
    result = runner.invoke(
        args=[
            "series", "create", "call", "--title", "Hypervisor call",
            "--timezone", "America/New_York", "--start", "2026-01-01 16:00", "--duration", "60",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = make_user(roles=("organizer",))
    sign_in(page, user.email)
    page.goto("/organize/series/call/")
    page.get_by_role("link", name="Announcements").click()
    assert page.get_by_text("Now: off (no list address)").is_visible()

    page.get_by_label("Announce to the list").check()
    page.get_by_label("List addresses").fill("bhyve-list@example.org\nnot an address")
    page.get_by_label("Extra time zones").fill("Europe/Amsterdam")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("'not an address' is not an address we can mail").is_visible()

    page.get_by_label("List addresses").fill("bhyve-list@example.org")
    page.get_by_label("Agenda mail, hours before the meeting").fill("48")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text(
        "Announcements: on; to bhyve-list@example.org; agenda 48 h before; "
        "extra zones: Europe/Amsterdam."
    ).is_visible()

    subject = "[Hypervisor call] Agenda: Thursday 2026-01-15, 16:00–17:00 America/New_York"
    preview = page.get_by_role("article", name="Preview of the next agenda mail")
    assert preview.get_by_text(subject).is_visible()
    assert "Thursday 2026-01-15, 22:00–23:00 Europe/Amsterdam" in preview.inner_text()

    page.get_by_role("button", name="Send a test to me").click()
    assert page.get_by_text(
        f"A test of the agenda mail of 2026-01-15 is queued to {user.email}, and only to you"
    ).is_visible()
    messages = smtp_server.wait_for(1)
    assert [(m["To"], m["Subject"]) for m in messages] == [(user.email, f"[Test] {subject}")]
    # The refused save answered 400 (the browser logs that); nothing broke the CSP.
    assert [e for e in page.console_errors if "400" not in e] == []
