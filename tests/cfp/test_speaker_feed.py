"""A speaker's private programme feed: their talks, at an address of its own (never the speaker
link), made and reset on their private page; read alike by every calendar reader."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import service_missing
from tests.readers import (
    LibicalUnavailable,
    node_available,
    occurrences_icaljs,
    occurrences_libical,
    occurrences_recurring_ical_events,
    occurrences_strict_ical,
)
from webapp import clock
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Speaker, Submission

ADDRESS = re.compile(r'value="http://localhost(/calendar/private/[^"]+\.ics)"')


def _libical(ics: bytes, start: datetime, end: datetime, **options: bool) -> list:
    try:
        return occurrences_libical(ics, start, end, **options)
    except LibicalUnavailable as exc:
        service_missing(str(exc))
        raise


READERS = {
    "ical.js": occurrences_icaljs,
    "libical": _libical,
    "ical": occurrences_strict_ical,
    "recurring-ical-events": occurrences_recurring_ical_events,
}


@pytest.fixture
def speaker_feed(app, client, programme):  # type: ignore[no-untyped-def]
    """Ada's link to her keynote; she is also the co-speaker of the tutorial."""
    _conference, codes, _organizer = programme
    with app.app_context():
        by_code = sa.select(Submission).where(Submission.code == codes["keynote"])
        keynote = db.session.scalar(by_code)
        ada = keynote.speakers[0]
        tutorial = db.session.scalar(
            sa.select(Submission).where(Submission.code == codes["tutorial"])
        )
        tutorial.speakers.append(Speaker(name="Ada Lovelace", email=ada.email, position=1))
        url = services.issue_speaker_link(ada, clock.now())
        db.session.commit()
    token = url.rsplit("/", 1)[1]
    page = client.get(f"/cfp/s/{token}").get_data(as_text=True)
    assert "Make my talks" in page
    client.post(f"/cfp/s/{token}/calendar/reset")
    page = client.get(f"/cfp/s/{token}").get_data(as_text=True)
    found = ADDRESS.search(page)
    assert found, "no calendar address on the speaker's page"
    assert token not in found.group(1)  # never the speaker link
    return token, found.group(1), codes


def test_the_speaker_feed_holds_their_talks_and_is_private(app, speaker_feed) -> None:
    token, path, codes = speaker_feed
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.cache_control.private
    assert "Set-Cookie" not in response.headers
    body = response.get_data(as_text=True)
    assert f"talk-bhyvecon-2027-{codes['keynote']}@localhost" in body
    assert f"talk-bhyvecon-2027-{codes['tutorial']}@localhost" in body
    assert codes["lightning"] not in body
    assert token not in body


def test_reset_on_the_speaker_page_makes_the_old_address_404(app, client, speaker_feed) -> None:
    token, old, _codes = speaker_feed
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 200
    assert anonymous.get(old).status_code == 200
    asked = client.post(f"/cfp/s/{token}/calendar/reset").get_data(as_text=True)
    assert "Reset the calendar address?" in asked
    assert anonymous.get(old).status_code == 200  # asking changes nothing
    page = client.post(
        f"/cfp/s/{token}/calendar/reset", data={"confirm": "1"}, follow_redirects=True
    )
    assert "the old one no longer works" in page.get_data(as_text=True)
    new = ADDRESS.search(client.get(f"/cfp/s/{token}").get_data(as_text=True))
    assert new
    assert new.group(1) != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new.group(1)).status_code == 200
    assert client.post("/cfp/s/not-a-token/calendar/reset").status_code == 404


def test_after_reseal_the_speaker_page_shows_the_same_address_without_the_old_key(
    app, client, speaker_feed
) -> None:
    token, path, _codes = speaker_feed
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    result = app.test_cli_runner().invoke(args=["outbox", "reseal"])
    assert result.exit_code == 0, result.output
    assert "re-sealed 1 private calendar address(es)" in result.output
    app.config["SECRET_KEY_FALLBACKS"] = []
    found = ADDRESS.search(client.get(f"/cfp/s/{token}").get_data(as_text=True))
    assert found, "no calendar address on the speaker's page"
    assert found.group(1) == path
    assert app.test_client().get(path).status_code == 200


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_sees_the_speakers_talks(app, speaker_feed, reader: str) -> None:
    if reader == "ical.js" and not node_available():
        service_missing("node is not installed (ical.js reader)")
    _token, path, codes = speaker_feed
    ics = app.test_client().get(path).data
    start = datetime(2027, 6, 1, tzinfo=UTC)
    got = READERS[reader](ics, start, start + timedelta(days=30))
    # Amsterdam in June is UTC+2: the keynote (30 min) at 09:30, the tutorial (90 min) at 10:00.
    assert got == [
        (
            f"talk-bhyvecon-2027-{codes['keynote']}@localhost",
            datetime(2027, 6, 10, 7, 30, tzinfo=UTC),
            datetime(2027, 6, 10, 8, 0, tzinfo=UTC),
        ),
        (
            f"talk-bhyvecon-2027-{codes['tutorial']}@localhost",
            datetime(2027, 6, 10, 8, 0, tzinfo=UTC),
            datetime(2027, 6, 10, 9, 30, tzinfo=UTC),
        ),
    ]
