import csv
import html
import io

import pytest

from webapp import audit, settings
from webapp.extensions import db


def add_entries(app) -> None:
    with app.app_context():
        audit.record(
            audit.Actor("ann@example.org", None),
            "series.create",
            "series",
            "bhyve",
            "created bhyve",
        )
        audit.record(
            audit.Actor("bob@example.org", None),
            "occurrence.cancel",
            "occurrence",
            "bhyve/2026-01-08",
            '=HYPERLINK("http://x")',
        )
        db.session.commit()


def test_audit_log_filters_and_csv(app, client_as) -> None:
    add_entries(app)
    client = client_as("organizer")
    page = client.get("/dashboard/audit?actor=bob").get_data(as_text=True)
    assert "occurrence.cancel" in page
    assert "series.create" not in page
    page = client.get("/dashboard/audit?object_type=series").get_data(as_text=True)
    assert "series.create" in page
    assert "occurrence.cancel" not in page
    response = client.get("/dashboard/audit.csv?action=occurrence.")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["at (UTC)", "actor", "action"]
    assert [r[2] for r in rows[1:]] == ["occurrence.cancel"]
    assert rows[1][5].startswith("'=")  # a formula is defused


def test_audit_log_bad_filters_are_ignored_not_500(client_as) -> None:
    response = client_as("admin").get("/dashboard/audit?since=yesterday&until=2026-13-45&page=-3")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "scribe"])
def test_audit_log_is_for_organizers(client_as, role) -> None:
    assert client_as(role).get("/dashboard/audit").status_code == 403


def test_admin_changes_settings_and_pages_follow(app, client_as) -> None:
    admin = client_as("admin")
    form = {
        "community_name": "FreeBSD virtualization",
        "default_timezone": "Europe/Bucharest",
        "mail_sender": "Calls <calls@example.org>",
        "feed_past_months": "6",
        "reference_patterns": r"([\w-]+/[\w.-]+)#(\d+) => https://github.com/{1}/issues/{2}",
    }
    response = admin.post("/dashboard/settings", data=form)
    assert response.status_code == 302
    assert "FreeBSD virtualization" in app.test_client().get("/").get_data(as_text=True)
    with app.test_request_context():
        effective = settings.current()
    assert effective.feed_past_months == 6
    assert effective.reference_patterns == [
        {"pattern": r"([\w-]+/[\w.-]+)#(\d+)", "url": "https://github.com/{1}/issues/{2}"}
    ]
    log = admin.get("/dashboard/audit?action=settings").get_data(as_text=True)
    assert "settings.update" in log


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("default_timezone", "Mars/Base", "is not an IANA time zone name"),
        ("feed_past_months", "0", "Number must be between 1 and 120"),
        (
            "reference_patterns",
            "D(\\d+ => https://x/{0}",
            "Line 1: the pattern is not a valid regular expression",
        ),
        (
            "reference_patterns",
            "D\\d+ => https://x/{1}",
            "Line 1: the URL uses a group the pattern does not have",
        ),
        (
            "reference_patterns",
            "D(\\d+) => javascript:alert({0})",
            "Line 1: the URL must start with https://",
        ),
        ("reference_patterns", "no arrow here", "Line 1: write REGEX => URL."),
    ],
)
def test_bad_settings_are_form_errors(app, client_as, field, value, message) -> None:
    form = {
        "community_name": "X",
        "default_timezone": "UTC",
        "mail_sender": "a@example.org",
        "feed_past_months": "12",
        "reference_patterns": "",
        field: value,
    }
    response = client_as("admin").post("/dashboard/settings", data=form)
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert settings.stored() is None


def test_settings_are_admin_only(client_as) -> None:
    assert client_as("organizer").get("/dashboard/settings").status_code == 403
