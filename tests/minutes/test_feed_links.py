"""A meeting's event in the calendar feeds links its minutes once they are published."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

from tests import readers
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services

NOW = datetime(2019, 3, 1, 12, tzinfo=UTC)


def publish(app, day: date, state: str = "published") -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = services.get_minutes(series, day) or services.start_minutes(
            series, day, audit.CLI, NOW
        )
        db.session.flush()
        services.save_minutes(
            minutes,
            minutes.version,
            services.MinutesInput("Notes of the call.", "", ["Rod Grimes"], state),
            audit.CLI,
            NOW,
        )
        db.session.commit()


def events_of(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


@pytest.mark.app_config(CADENCE_NOW=NOW)
def test_published_minutes_are_linked_from_the_meeting_event(app, client, bhyve) -> None:
    publish(app, date(2019, 2, 7), state="draft")
    draft = client.get("/calendar/bhyve.ics")
    assert b"Minutes:" not in draft.data.replace(b"\r\n ", b"")
    assert [e for e in events_of(draft.data) if e.get("RECURRENCE-ID")] == []

    publish(app, date(2019, 2, 7))
    published = client.get("/calendar/bhyve.ics", headers={"If-None-Match": draft.headers["ETag"]})
    assert published.status_code == 200
    overrides = [e for e in events_of(published.data) if e.get("RECURRENCE-ID")]
    assert len(overrides) == 1
    override = overrides[0]
    master = next(e for e in events_of(published.data) if e.get("RRULE"))
    assert override["UID"] == master["UID"]
    assert int(override["SEQUENCE"]) > int(master["SEQUENCE"])
    assert "Minutes: http://localhost/meetings/bhyve/2019-02-07/minutes" in str(
        override["DESCRIPTION"]
    )
    assert override.decoded("DTSTART") == override.decoded("RECURRENCE-ID")

    # the override does not add or drop a meeting in any reader
    window = (datetime(2019, 1, 1, tzinfo=UTC), datetime(2019, 6, 1, tzinfo=UTC))
    expected = readers.occurrences_recurring_ical_events(draft.data, *window)
    assert readers.occurrences_recurring_ical_events(published.data, *window) == expected
    assert readers.occurrences_strict_ical(published.data, *window) == expected
    if readers.node_available():
        assert readers.occurrences_icaljs(published.data, *window) == expected

    single = client.get("/meetings/bhyve/2019-02-07.ics").data.replace(b"\r\n ", b"")
    assert b"Minutes: http://localhost/meetings/bhyve/2019-02-07/minutes" in single
