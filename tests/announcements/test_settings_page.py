"""The organizer page of a series' announcements: settings, preview, "Send a test to me"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage

PAGE = "/organize/series/call/announcements"
LIST = "bhyve-list@example.org"


def _settings(**overrides: str) -> dict[str, str]:
    data = {
        "enabled": "y",
        "addresses": f"{LIST}\nsecond@example.org",
        "hours_before": "48",
        "zones": "Europe/Amsterdam\nAsia/Tokyo",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_series_page_links_the_settings_and_they_are_saved(
    app: Any, call: str, client_as: Callable[..., Any], cli: Callable[..., Any]
) -> None:
    organizer = client_as("organizer")
    manage = organizer.get("/organize/series/call/").get_data(as_text=True)
    assert f'href="{PAGE}"' in manage
    page = organizer.get(PAGE).get_data(as_text=True)
    assert "Now: off (no list address)" in page
    response = organizer.post(PAGE, data=_settings())
    assert response.status_code == 302
    page = organizer.get(PAGE).get_data(as_text=True)
    expected = (
        f"on; to {LIST}, second@example.org; agenda 48 h before; extra zones: Europe/Amsterdam, "
        "Asia/Tokyo"
    )
    assert f"Announcements: {expected}." in page
    assert expected in cli("series", "announcements", "call").output
    # Off keeps the addresses; emptying the zones clears them.
    organizer.post(PAGE, data=_settings(enabled="", zones=""))
    assert "off; to bhyve-list@example.org" in cli("series", "announcements", "call").output
    assert "extra zones: none" in cli("series", "announcements", "call").output


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"zones": "Europe/Amsterdam\nCEST"}, "zones", "&#39;CEST&#39; is not an IANA time zone"),
        ({"addresses": "not an address"}, "addresses", "is not an address we can mail"),
        ({"addresses": ""}, "addresses", ">Announcements need at least one list address"),
        ({"addresses": "\n".join(f"l{n}@example.org" for n in range(21))}, "addresses", ">At most"),
        ({"hours_before": "0"}, "hours_before", "Number must be between 1 and 336"),
    ],
)
def test_bad_settings_are_refused_beside_their_field(
    app: Any, call: str, client_as: Callable[..., Any], overrides: Any, field: str, message: str
) -> None:
    organizer = client_as("organizer")
    response = organizer.post(PAGE, data=_settings(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = page.split(f'id="{field}-errors"', 1)[1].split("</small>", 1)[0]
    assert message in errors
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(AuditEntry.action == "announcements.set")
            )
            == 0
        )


def test_the_preview_is_the_next_agenda_mail_and_a_test_goes_to_me_only(
    app: Any, call: str, client_as: Callable[..., Any], smtp_server: Any
) -> None:
    organizer = client_as("organizer")
    organizer.post(PAGE, data=_settings())
    page = organizer.get(PAGE).get_data(as_text=True)
    subject = "[Hypervisor call] Agenda: Thursday 2026-01-15, 16:00–17:00 America/New_York"
    assert subject in page
    assert "Thursday 2026-01-15, 22:00–23:00 Europe/Amsterdam" in page
    assert "Friday 2026-01-16, 06:00–07:00 Asia/Tokyo" in page
    response = organizer.post(f"{PAGE}/test", follow_redirects=True)
    page = response.get_data(as_text=True)
    me = organizer.user.email
    assert f"A test of the agenda mail of 2026-01-15 is queued to {me}, and only to you" in page
    messages = smtp_server.wait_for(1)
    assert [(m["To"], m["Subject"]) for m in messages] == [(me, f"[Test] {subject}")]
    body = messages[0].get_content()
    assert body.splitlines()[0] == (
        "This is a test of the agenda mail, sent to you only; the list did not get it."
    )
    assert messages[0]["List-Id"] == '"Hypervisor call" <call.lists.localhost>'
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_only_organizers_and_only_with_the_csrf_token(
    app: Any, app_config: dict[str, Any], call: str, client_as: Callable[..., Any]
) -> None:
    assert client_as("scribe").get(PAGE).status_code == 403
    assert client_as("organizer").get("/organize/series/nope/announcements").status_code == 404
    organizer = client_as("organizer")
    app.config["WTF_CSRF_ENABLED"] = True
    assert organizer.post(PAGE, data=_settings()).status_code == 400
    assert organizer.post(f"{PAGE}/test").status_code == 400
    token = csrf_token_from(organizer.get(PAGE).get_data(as_text=True))
    assert organizer.post(PAGE, data={**_settings(), "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
