"""The admin's site settings take effect: mail's From, the feeds' span (and their cache), the
time zone new series and conferences start with, and reference links in Markdown."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from webapp import audit, mail, settings
from webapp.extensions import db
from webapp.markdown import render_markdown
from webapp.meetings import services as meetings

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
FORM = {
    "community_name": "bhyve",
    "default_timezone": "UTC",
    "mail_sender": "Cadence <cadence@localhost>",
    "feed_past_months": "12",
    "reference_patterns": "",
}


def save(admin, **changes: str) -> None:
    response = admin.post("/dashboard/settings", data=dict(FORM, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)


def test_mail_goes_out_from_the_sender_in_the_settings(app, client_as, smtp_server) -> None:
    save(client_as("admin"), mail_sender="bhyvecon CFP <cfp@example.org>")
    with app.app_context():
        mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, NOW)
        db.session.commit()  # sends right after the commit
    [message] = smtp_server.wait_for(1)
    assert message["From"] == "bhyvecon CFP <cfp@example.org>"


def test_mail_sender_defaults_to_the_config(app, smtp_server) -> None:
    app.config["MAIL_DEFAULT_SENDER"] = "Default <default@example.org>"
    with app.app_context():
        mail.enqueue("ada@example.org", "cfp_received", mail.SAMPLE_CONTEXT, NOW)
        db.session.commit()
    [message] = smtp_server.wait_for(1)
    assert message["From"] == "Default <default@example.org>"


def _first_start(client) -> tuple[datetime, str]:
    response = client.get("/calendar/bhyve.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    starts = [e.decoded("dtstart") for e in calendar.walk("VEVENT")]
    return min(s.astimezone(UTC) for s in starts), response.headers["ETag"]


@pytest.mark.app_config(CADENCE_NOW=NOW, FEED_VERSION_TTL=0)
def test_feed_span_follows_the_settings_and_the_cached_feed_changes(app, client_as) -> None:
    with app.app_context():
        meetings.create_series(
            "bhyve",
            meetings.SeriesDetails(title="bhyve call"),
            "America/New_York",
            date(2022, 1, 6),
            time(16, 0),
            60,
            audit.CLI,
        )
        db.session.commit()
    admin = client_as("admin")
    first, etag = _first_start(app.test_client())
    assert NOW - timedelta(days=380) < first < NOW - timedelta(days=350)  # 12 months: the default
    _first_start(app.test_client())  # served again from the cache
    save(admin, feed_past_months="2")
    first, new_etag = _first_start(app.test_client())
    assert new_etag != etag
    assert NOW - timedelta(days=75) < first < NOW - timedelta(days=45)


@pytest.mark.parametrize("path", ["/organize/series/new", "/organize/conferences/new"])
def test_new_series_and_conferences_start_in_the_default_time_zone(client_as, path) -> None:
    admin = client_as("admin")
    default = admin.get(path).get_data(as_text=True)
    assert (
        'value="America/New_York"' in default
    )  # the config's DEFAULT_TIMEZONE while nothing is set
    save(admin, default_timezone="Asia/Kolkata")
    page = admin.get(path).get_data(as_text=True)
    assert 'value="Asia/Kolkata"' in page


def test_reference_patterns_from_the_settings_make_links(app, client_as) -> None:
    save(
        client_as("admin"),
        reference_patterns=r"PR(\d+) => https://github.com/freebsd/freebsd-src/pull/{1}",
    )
    with app.test_request_context():
        assert settings.current().reference_patterns[0]["pattern"] == r"PR(\d+)"
        html = str(render_markdown("Fixed in PR42."))
    assert 'href="https://github.com/freebsd/freebsd-src/pull/42"' in html
