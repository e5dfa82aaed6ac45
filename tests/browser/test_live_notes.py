"""The call page's shared notes in real Chromium (strict CSP on), served by gunicorn with the
project's own configuration (2 threaded workers, so the pages may sit on different workers): three
people type at the same moments and see each other's words; one goes offline, keeps typing and
comes back; the server restarts while they type; in the end every word typed is in the saved
revision, once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.helpers import sign_in
from tests.faults.conftest import subprocess_database_url
from tests.minutes.conftest import create_bhyve
from tests.servers import Gunicorn, free_port
from webapp import audit, clock
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import MinutesRevision

pytestmark = pytest.mark.browser

LIVE = "/meetings/bhyve/2019-02-07/live"
NAMES = ("Alice", "Bob", "Carol")


@pytest.fixture
def server(app: Any, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Gunicorn]:
    """The app under gunicorn, on the test's database, restartable on the same port."""
    port = free_port()
    env = {
        # On PostgreSQL the URL carries the test's schema (search_path), so gunicorn sees it.
        "DATABASE_URL": subprocess_database_url(app),
        "SECRET_KEY": app_config["SECRET_KEY"],
        "CADENCE_INSTANCE": str(tmp_path / "instance"),
        "CADENCE_BASE_URL": f"http://127.0.0.1:{port}",
        "LIVE_CHANNEL": f"test_live_{port}",
        "REDIS_URL": "",
        "GUNICORN_THREADS": "16",
    }
    gunicorn = Gunicorn(env, workers=2, port=port)
    gunicorn.start()
    yield gunicorn
    gunicorn.stop()


@pytest.fixture
def people(app: Any, make_user: Any) -> list[str]:
    with app.app_context():
        create_bhyve()
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, date(2019, 2, 7), audit.CLI, clock.now())
        minutes.notes = "".join(f"{name}:\n\n" for name in NAMES)
        db.session.commit()
    roles = (("scribe",), ("scribe",), ("organizer",))
    return [make_user(roles=r, name=n).email for r, n in zip(roles, NAMES, strict=True)]


def open_page(browser: Any, server: Gunicorn, email: str) -> tuple[Any, Any]:
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    sign_in(page, email)
    page.goto(LIVE)
    page.locator(".cm-content").wait_for()
    return context, page


def type_on_own_line(page: Any, name: str, words: str) -> None:
    page.locator(".cm-line", has_text=f"{name}:").click()
    page.keyboard.press("End")
    page.keyboard.type(words)


def text_of(page: Any) -> str:
    return page.locator(".cm-content").inner_text()


def wait_for_words(pages: list[Any], words: list[str]) -> None:
    from playwright.sync_api import expect

    for page in pages:
        for word in words:
            expect(page.locator(".cm-content")).to_contain_text(word, timeout=20_000)


def test_three_people_type_together_offline_and_through_a_restart(app, browser, server, people):
    from playwright.sync_api import expect

    opened = [open_page(browser, server, email) for email in people]
    pages = [page for _context, page in opened]
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Saved")
    typed: list[str] = []

    def round_of(tag: str, who: list[int]) -> None:
        for n in who:
            word = f" {NAMES[n].lower()}{tag}"
            type_on_own_line(pages[n], NAMES[n], word)
            typed.append(word.strip())

    round_of("one", [0, 1, 2])
    round_of("two", [2, 0, 1])
    wait_for_words(pages, typed)
    expect(pages[0].locator("#live-presence li")).to_have_count(3)

    # Bob goes offline and keeps typing; the others too.
    bob_context = opened[1][0]
    bob_context.set_offline(True)
    expect(pages[1].locator("#live-status")).to_contain_text("Offline", timeout=20_000)
    round_of("offline", [1])
    round_of("meanwhile", [0])
    expect(pages[1].locator("#live-status")).to_contain_text("edits waiting")
    bob_context.set_offline(False)
    wait_for_words(pages, typed)

    # The server restarts while Alice and Carol type.
    server.stop()
    round_of("during", [0, 2])
    server.start()
    round_of("after", [1])
    wait_for_words(pages, typed)
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Saved", timeout=20_000)

    pages[2].get_by_role("button", name="Save").click()
    expect(pages[2].get_by_text("Saved: minutes version")).to_be_visible()
    with app.app_context():
        revision = db.session.scalars(
            sa.select(MinutesRevision).order_by(MinutesRevision.version.desc())
        ).first()
        assert revision is not None
        for word in typed:
            assert len(re.findall(rf"\b{word}\b", revision.notes)) == 1, (word, revision.notes)
        assert "Alice" in revision.summary
        assert "Bob" in revision.summary
    for page in pages:
        assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    for context, _page in opened:
        context.close()
