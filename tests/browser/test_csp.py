"""The Content-Security-Policy holds on every kind of page: Chromium reports no violation and no
console error while it walks the site, loaded with the demo data, first signed out and then as
an admin (who may open every organizer page of every area).

The walk follows the links of each page (same site, HTML only), opening at most two addresses per
endpoint, so that every page type is seen without visiting every meeting. A speaker's private
pages (reached from mail, never linked) and the submission form's confirmation are added by hand.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from webapp.extensions import db

pytestmark = pytest.mark.browser

SKIP_SUFFIXES = (".ics", ".json", ".csv", ".md", ".atom", ".xml", ".txt", ".zip")
PER_ENDPOINT = 2
MAX_PAGES = 120


def load_demo(app) -> str:
    from webapp import demo

    with app.app_context():
        password = demo.load()
        db.session.commit()
    return password


def speaker_link(app) -> str:
    import sqlalchemy as sa

    from webapp import clock
    from webapp.cfp import services
    from webapp.models import Speaker

    with app.app_context():
        speaker = db.session.scalars(sa.select(Speaker).order_by(Speaker.id)).first()
        link = services.issue_speaker_link(speaker, clock.now())
        db.session.commit()
    return urlsplit(link).path


def walk(page, app, seeds: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Visit pages breadth-first from ``seeds``; returns {endpoint: paths} and the problems seen."""
    from playwright.sync_api import Error as PlaywrightError

    adapter = app.url_map.bind("localhost")
    seen: dict[str, list[str]] = {}
    visited: set[str] = set()
    problems: list[str] = []
    queue = deque(seeds)
    origin = urlsplit(page.url).netloc if page.url.startswith("http") else None
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        bare = urlsplit(path).path
        if (
            path in visited
            or bare.startswith(("/static/", "/api/", "/logout"))
            or bare.endswith(SKIP_SUFFIXES)
        ):
            continue
        try:
            endpoint, _ = adapter.match(bare, method="GET")
        except HTTPException:
            endpoint = "(no route)"
        if len(seen.setdefault(endpoint, [])) >= PER_ENDPOINT:
            continue
        visited.add(path)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # an export (CSV, Markdown): not a page
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        seen[endpoint].append(path)
        page.wait_for_load_state("load")
        if page.console_errors:
            problems.extend(f"{path}: {e}" for e in page.console_errors)
            page.console_errors.clear()
        origin = origin or urlsplit(page.url).netloc
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            parts = urlsplit(urldefrag(href)[0])
            if parts.scheme in ("http", "https") and parts.netloc == origin:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen, problems


def test_every_page_type_satisfies_the_csp_signed_out_and_as_admin(page, app, live_server) -> None:
    password = load_demo(app)
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            page.console_errors.append(m.text)
            if m.type == "warning" and "Content Security Policy" in m.text
            else None
        ),
    )

    public, problems = walk(page, app, ["/", "/conferences/", "/login", speaker_link(app)])
    assert problems == [], problems
    # Enough of the site was reached signed out: the conference, its form, the programme, a talk.
    for endpoint in (
        "cfp.conference",
        "cfp.cfp_form",
        "cfp.program",
        "cfp.talk",
        "cfp.speaker_page",
    ):
        assert endpoint in public, sorted(public)

    # A speaker sends the form (the CSP also governs the form's script and the confirmation).
    page.goto(public["cfp.cfp_form"][0])
    page.get_by_label("Title").fill("Jails and bhyve side by side")
    page.get_by_label("Abstract").fill("How the two get along on one host.")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your email").fill("grace@example.org")
    page.get_by_label("I accept the code of conduct").check()
    page.get_by_label("Is this your first talk at bhyvecon?").select_option("yes")  # required
    page.get_by_role("button", name="Send proposal").click()
    page.wait_for_url("**/cfp/received/**")

    page.goto("/login")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    organizer, problems = walk(
        page,
        app,
        ["/dashboard/", "/organize/conferences/", "/organize/outbox", "/admin/users/", "/"],
    )
    assert problems == [], problems
    assert page.console_errors == []
    assert page_errors == []
    areas = {endpoint.split(".")[0] for endpoint in organizer}
    for area in ("dashboard", "users", "meetings", "organize_series", "minutes", "cfp", "organize"):
        assert area in areas, (area, sorted(organizer))
    assert len(organizer) >= 25, sorted(organizer)
