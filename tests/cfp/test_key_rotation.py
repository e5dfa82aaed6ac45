"""Rotating ``SECRET_KEY``: with the old key in ``SECRET_KEY_FALLBACKS``, queued mail is still
delivered, sessions, "keep me signed in" cookies and forms opened before still work; after
``flask outbox reseal`` the fallback can be removed and nothing queued is lost."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.cfp.conftest import DURING, Clock, form_data, page_token
from tests.conftest import TEST_PASSWORD, csrf_token_from
from webapp import create_app, mail
from webapp.extensions import db

OLD = "the-old-secret-key-of-this-site-0123456789abcdef"
NEW = "the-new-secret-key-of-this-site-9876543210fedcba"


@pytest.fixture
def rotated_app(app_config: dict[str, Any]) -> Iterator[Callable[[str, list[str]], Flask]]:
    """``rotated_app(key, fallbacks)``: the same site restarted with other keys."""
    made: list[Flask] = []

    def make(key: str, fallbacks: list[str]) -> Flask:
        app = create_app({**app_config, "SECRET_KEY": key, "SECRET_KEY_FALLBACKS": fallbacks})
        app.config["CADENCE_NOW"] = Clock(DURING)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _carry(old: FlaskClient, new: FlaskClient, names: tuple[str, ...]) -> None:
    """The browser's cookies, now talking to the server with the rotated key."""
    for name in names:
        cookie = old.get_cookie(name)
        if cookie is not None:
            new.set_cookie(name, cookie.value)


def _sign_in(client: FlaskClient, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login",
        data={"email": email, "password": TEST_PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert answer.status_code == 302


def _cfp_form(client: FlaskClient, conference: Any) -> dict[str, Any]:
    page = client.get(f"/conferences/{conference.slug}/cfp").get_data(as_text=True)
    data = form_data(conference, email="grace@example.org", speaker_name="Grace Hopper")
    data["form_token"] = page_token(page)
    data["csrf_token"] = csrf_token_from(page)
    return data


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, SECRET_KEY=OLD)
def test_rotation_keeps_mail_sessions_and_open_forms_until_the_fallback_goes(
    app, rotated_app, client, make_user, make_conference, smtp_factory
) -> None:
    organizer = make_user(roles=("organizer",))
    conference = make_conference()
    browser = app.test_client()
    _sign_in(browser, organizer.email)
    editing = browser.get("/organize/mail-templates/cfp_received").get_data(as_text=True)
    old_csrf = csrf_token_from(editing)
    speaker_form = _cfp_form(client, conference)  # a visitor opens the form, then waits
    # Mail queued under the old key: a submission (speaker's link) and the organizers' copy.
    early = app.test_client()
    sent_early = early.post(
        f"/conferences/{conference.slug}/cfp", data=_cfp_form(early, conference)
    )
    assert sent_early.status_code == 302

    rotated = rotated_app(NEW, [OLD])
    later = rotated.test_client()
    _carry(browser, later, ("session", "remember_token"))
    assert later.get("/organize/outbox").status_code == 200  # still signed in
    saved = later.post(
        "/organize/mail-templates/cfp_received",
        data={
            "csrf_token": old_csrf,
            "subject": "Got it",
            "body": "Hello {{ speaker.name }}: {{ link }}",
        },
    )
    assert saved.status_code == 302  # a form opened before the rotation is accepted
    remembered = rotated.test_client()
    _carry(browser, remembered, ("remember_token",))  # the browser was closed meanwhile
    assert remembered.get("/organize/outbox").status_code == 200
    visitor = rotated.test_client()
    _carry(client, visitor, ("session",))
    sent_form = visitor.post(f"/conferences/{conference.slug}/cfp", data=speaker_form)
    assert sent_form.status_code == 302

    sink = smtp_factory.start()
    rotated.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    with rotated.app_context():
        report = mail.send_due(DURING)
    assert report.gave_up == 0
    delivered = sink.wait_for(report.sent)
    assert report.sent == len(delivered) >= 4
    speaker_mail = sink.to("grace@example.org")
    assert speaker_mail
    assert len(speaker_mail) == 2
    assert all(re.search(r"/cfp/s/[\w-]{20,}", sink.body(m)) for m in speaker_mail)
    # Each with the template's text when it was queued: before and after the edit.
    assert sorted(sink.body(m).startswith("Hello Grace Hopper: ") for m in speaker_mail) == [
        False,
        True,
    ]

    # More mail queued under the old key, then resealed: the fallback can go.
    with app.app_context():
        mail.enqueue("late@example.org", "cfp_received", mail.SAMPLE_CONTEXT, DURING)
        db.session.commit()
    assert (
        "re-sealed 1 unsent message(s)"
        in rotated.test_cli_runner().invoke(args=["outbox", "reseal"]).output
    )
    final = rotated_app(NEW, [])
    final.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    with final.app_context():
        assert mail.send_due(DURING).sent == 1
    assert sink.to("late@example.org")
    # Without the fallback, what the old key signed is over.
    gone = final.test_client()
    _carry(browser, gone, ("remember_token",))
    assert gone.get("/organize/outbox").status_code == 302


def test_reseal_reports_mail_that_no_key_opens(app, runner) -> None:
    with app.app_context():
        mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, DURING)
        db.session.commit()
    app.config["SECRET_KEY"] = NEW  # rotated without keeping the old key
    result = runner.invoke(args=["outbox", "reseal"])
    assert result.exit_code == 1
    assert "1 message(s) no key opens" in result.output
