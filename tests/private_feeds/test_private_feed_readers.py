"""The private feed through the calendar readers the public feeds are checked with (ical.js,
libical, ``ical``, recurring-ical-events): each sees the meetings the schedule states and the
person's open follow-ups as all-day events on their dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.conftest import login, service_missing
from tests.private_feeds.conftest import NOW
from tests.readers import (
    LibicalUnavailable,
    node_available,
    occurrences_icaljs,
    occurrences_libical,
    occurrences_recurring_ical_events,
    occurrences_strict_ical,
)
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings

START = NOW - timedelta(days=60)
END = NOW + timedelta(days=200)


def libical(ics: bytes, start: datetime, end: datetime, **options: bool) -> list:
    try:
        return occurrences_libical(ics, start, end, **options)
    except LibicalUnavailable as exc:
        service_missing(str(exc))
        raise


READERS = {
    "ical.js": occurrences_icaljs,
    "libical": libical,
    "ical": occurrences_strict_ical,
    "recurring-ical-events": occurrences_recurring_ical_events,
}


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@pytest.fixture
def private_feed(app, client, make_user, world) -> bytes:  # type: ignore[no-untyped-def]
    with app.app_context():
        bhyve = meetings.get_series("bhyve")
        meetings.cancel(bhyve, date(2026, 12, 17), audit.CLI, reason="holidays")
        meetings.move(bhyve, date(2027, 1, 14), date(2027, 1, 15), time(9), audit.CLI)
        db.session.commit()
    user = make_user(email="scribe@example.org", roles=("scribe",))
    login(client, user.email)
    client.post("/account/calendar/person", data={"person": str(world.ada_id)})
    client.post("/account/calendar/reset")
    page = client.get("/account").get_data(as_text=True)
    path = page.split('value="http://localhost', 1)[1].split('"', 1)[0]
    response = app.test_client().get(path)
    assert response.status_code == 200
    return bytes(response.data)


def _meetings(app) -> list[tuple[datetime, datetime]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = []
        for slug in ("bhyve", "docs"):
            series = meetings.get_series(slug)
            for slot in meetings.occurrences(series, START, END, include_cancelled=False):
                found.append((slot.start.astimezone(UTC), slot.end.astimezone(UTC)))
        return sorted(found)


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_sees_the_meetings_and_the_follow_ups(
    app, private_feed: bytes, world, reader: str
) -> None:
    if reader == "ical.js" and not node_available():
        service_missing("node is not installed (ical.js reader)")
    got = READERS[reader](private_feed, START, END, all_day=True)
    follow_ups = {(uid, s, e) for uid, s, e in got if uid.startswith("follow-up-")}
    assert follow_ups == {
        (f"follow-up-{world.due_id}@localhost", _day(date(2026, 12, 10)), _day(date(2026, 12, 11))),
        (
            f"follow-up-{world.undated_id}@localhost",
            _day(date(2026, 12, 3)),
            _day(date(2026, 12, 4)),
        ),
    }
    held = sorted((s, e) for uid, s, e in got if not uid.startswith("follow-up-"))
    want = _meetings(app)
    assert len(want) > 20
    assert held == want, f"{reader} disagrees with the schedule"
    # The cancelled meeting is gone and the moved one is at its new time, in every reader.
    assert datetime(2026, 12, 17, 21, tzinfo=UTC) not in [s for s, _e in held]
    assert datetime(2027, 1, 15, 14, tzinfo=UTC) in [s for s, _e in held]


@pytest.mark.parametrize("reader", list(READERS))
def test_without_all_day_mode_the_readers_refuse_all_day_values(
    private_feed: bytes, reader: str
) -> None:
    """The readers' all-day mode is opt-in: a public feed with an all-day value still fails."""
    if reader == "ical.js" and not node_available():
        service_missing("node is not installed (ical.js reader)")
    with pytest.raises((AssertionError, RuntimeError)):
        READERS[reader](private_feed, START, END)
