"""Programme: placing talks, conflicts, public pages, the iCal feed and frab schedule JSON."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from tests import readers as readers_mod
from tests.cfp.conftest import _confirmed, _place, _release
from webapp import audit
from webapp.cfp import feed, services
from webapp.extensions import db
from webapp.models import Room, Submission, SubmissionState


def test_placed_talks_appear_on_the_programme_by_day_and_room(client, programme) -> None:
    c, codes, _ = programme
    page = client.get("/conferences/bhyvecon-2027/program").get_data(as_text=True)
    assert (
        page.index("Thursday 10 June 2027")
        < page.index("Keynote: bhyve in 2027")
        < page.index("Friday 11 June 2027")
    )
    assert page.index("Friday 11 June 2027") < page.index("Lightning: vm-bhyve")
    assert "09:30–10:00" in page
    assert "10:00–11:30" in page  # length from the 90-minute format
    assert "Workshop room" in page
    talk = client.get(f"/conferences/bhyvecon-2027/talks/{codes['tutorial']}").get_data(
        as_text=True
    )
    assert "Tutorial: UEFI guests" in talk
    assert "Grace Hopper" in talk
    assert "Thursday 10 June 2027, 10:00 (Europe/Amsterdam)" in talk
    assert client.get("/conferences/bhyvecon-2027/talks/NOPE").status_code == 404


def test_conflicting_slot_is_refused_naming_the_other_talk(app, programme) -> None:
    c, codes, organizer = programme
    other = _confirmed(app, c, "Overlapping talk")
    response = _place(organizer, other, c.rooms[0].id, "2027-06-10", "09:45")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert (
        "Main hall is taken then by “Keynote: bhyve in 2027” "
        f"({codes['keynote']}), Thu 09:30–10:00." in page
    )
    # Back to back is fine; another room at the same time is fine.
    assert _place(organizer, other, c.rooms[0].id, "2027-06-10", "10:00").status_code == 302
    assert _place(organizer, other, c.rooms[1].id, "2027-06-10", "11:30").status_code == 302


@pytest.mark.parametrize(
    ("day", "start", "message"),
    [
        ("2027-06-12", "10:00", "is not a day of the conference"),
        ("2027-06-10", "25:00", "Not a valid time value."),
    ],
)
def test_bad_slots_are_refused(app, programme, day, start, message) -> None:
    c, codes, organizer = programme
    response = _place(organizer, codes["keynote"], c.rooms[0].id, day, start)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)


def test_only_confirmed_talks_are_placed(app, make_conference, clock) -> None:
    c = make_conference()
    code = _confirmed(app, c, "Accepted only")
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == code))
        s.state = SubmissionState.ACCEPTED
        room = db.session.get(Room, c.rooms[0].id)
        with pytest.raises(services.NotAllowed):
            services.place_talk(s, room, datetime(2027, 6, 10, 9, 0), audit.CLI, clock.now)  # noqa: DTZ001 - local wall time


def _calendar(client) -> icalendar.Calendar:
    response = client.get("/conferences/bhyvecon-2027/program.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def test_ics_parses_back_with_stable_uids_and_the_right_instants(client, programme) -> None:
    c, codes, _ = programme
    cal = _calendar(client)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "X-WR-TIMEZONE" not in cal
    raw = client.get("/conferences/bhyvecon-2027/program.ics").data
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in raw
    assert b"X-PUBLISHED-TTL:PT6H" in raw
    assert b"RDATE" not in raw
    [tz] = cal.walk("VTIMEZONE")
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert all("RRULE" in sub for sub in tz.subcomponents)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 3
    keynote = events["Keynote: bhyve in 2027"]
    assert str(keynote["UID"]) == f"talk-bhyvecon-2027-{codes['keynote']}@localhost"
    assert keynote.decoded("DTSTART") == datetime(
        2027, 6, 10, 9, 30, tzinfo=ZoneInfo("Europe/Amsterdam")
    )
    assert keynote.decoded("DTSTART").astimezone(UTC) == datetime(2027, 6, 10, 7, 30, tzinfo=UTC)
    assert keynote["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert keynote.decoded("DTEND") - keynote.decoded("DTSTART") == timedelta(minutes=30)
    talk_url = f"http://localhost/conferences/bhyvecon-2027/talks/{codes['keynote']}"
    assert str(keynote["URL"]) == talk_url
    assert talk_url in str(keynote["DESCRIPTION"])
    assert keynote["DTSTAMP"].dt == keynote["LAST-MODIFIED"].dt
    assert "VALARM" not in raw.decode()
    assert "ATTENDEE" not in raw.decode()
    # Deterministic: the same data gives the same bytes.
    assert client.get("/conferences/bhyvecon-2027/program.ics").data == raw


def test_moving_or_renaming_a_talk_bumps_sequence_and_keeps_uid(
    app, client, clock, programme
) -> None:
    c, codes, organizer = programme
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in _calendar(client).walk("VEVENT")}
    uid = f"talk-bhyvecon-2027-{codes['keynote']}@localhost"
    clock.now += timedelta(hours=1)
    assert (
        _place(organizer, codes["keynote"], c.rooms[0].id, "2027-06-10", "11:00").status_code == 302
    )
    _release(organizer)
    after = {str(e["UID"]): e for e in _calendar(client).walk("VEVENT")}
    assert set(after) == set(before)
    assert int(after[uid]["SEQUENCE"]) == before[uid] + 1
    assert after[uid].decoded("DTSTART").hour == 11
    assert after[uid]["LAST-MODIFIED"].dt == clock.now.replace(microsecond=0)
    others = [u for u in before if u != uid]
    assert all(int(after[u]["SEQUENCE"]) == before[u] for u in others)
    # Placing it again at the same slot changes nothing (and there is nothing to release).
    _place(organizer, codes["keynote"], c.rooms[0].id, "2027-06-10", "11:00")
    assert "Nothing changed since v2." in _release(organizer, expect=409).get_data(as_text=True)
    assert int(_calendar(client).walk("VEVENT")[0]["SEQUENCE"]) >= 0
    assert {str(e["UID"]): int(e["SEQUENCE"]) for e in _calendar(client).walk("VEVENT")}[
        uid
    ] == before[uid] + 1
    # A room change bumps it, and so does a new title from the speaker.
    _place(organizer, codes["keynote"], c.rooms[1].id, "2027-06-11", "09:00")
    _release(organizer)
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == codes["keynote"]))
        data = services.SubmissionData(
            title="Keynote, renamed",
            format_id=s.format_id,
            track_id=s.track_id,
            abstract=s.abstract,
        )
        services.update_submission(s, s.speakers[0], data, audit.CLI, clock.now)
        db.session.commit()
    _release(organizer)
    seq = {str(e["UID"]): int(e["SEQUENCE"]) for e in _calendar(client).walk("VEVENT")}
    assert seq[uid] == before[uid] + 3


def test_feed_answers_304_to_conditional_requests(client, clock, programme) -> None:
    c, codes, organizer = programme
    first = client.get("/conferences/bhyvecon-2027/program.ics")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        client.get(
            "/conferences/bhyvecon-2027/program.ics", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/conferences/bhyvecon-2027/program.ics", headers={"If-Modified-Since": last_modified}
        ).status_code
        == 304
    )
    json_first = client.get("/conferences/bhyvecon-2027/schedule.json")
    assert (
        client.get(
            "/conferences/bhyvecon-2027/schedule.json",
            headers={"If-None-Match": json_first.headers["ETag"]},
        ).status_code
        == 304
    )
    clock.now += timedelta(hours=1)
    _place(organizer, codes["lightning"], c.rooms[1].id, "2027-06-11", "15:00")
    _release(organizer)
    changed = client.get("/conferences/bhyvecon-2027/program.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_frab_schedule_json_shape(client, programme) -> None:
    c, codes, _ = programme
    data = client.get("/conferences/bhyvecon-2027/schedule.json").get_json()
    assert data["schedule"]["base_url"] == "http://localhost/"
    assert data["schedule"]["url"] == "http://localhost/conferences/bhyvecon-2027/program"
    conf = data["schedule"]["conference"]
    assert conf["url"] == "http://localhost/conferences/bhyvecon-2027/"
    assert conf["acronym"] == "bhyvecon-2027"
    assert conf["time_zone_name"] == "Europe/Amsterdam"
    assert conf["daysCount"] == 2
    assert [d["date"] for d in conf["days"]] == ["2027-06-10", "2027-06-11"]
    day1 = conf["days"][0]
    assert set(day1["rooms"]) == {"Main hall", "Workshop room"}
    [event] = day1["rooms"]["Workshop room"]
    for key in (
        "guid",
        "id",
        "date",
        "start",
        "duration",
        "room",
        "slug",
        "title",
        "track",
        "type",
        "language",
        "abstract",
        "description",
        "persons",
        "url",
    ):
        assert key in event, key
    assert event["start"] == "10:00"
    assert event["duration"] == "01:30"
    assert event["date"] == "2027-06-10T10:00:00+02:00"
    assert event["type"] == "Tutorial"
    assert event["track"] == "Core"
    assert event["persons"] == [{"id": event["persons"][0]["id"], "public_name": "Grace Hopper"}]
    assert event["url"].endswith(f"/conferences/bhyvecon-2027/talks/{codes['tutorial']}")
    assert uuid.UUID(event["guid"]).version == 5
    # Stable: the same guid on every request.
    again = client.get("/conferences/bhyvecon-2027/schedule.json").get_json()
    assert (
        again["schedule"]["conference"]["days"][0]["rooms"]["Workshop room"][0]["guid"]
        == event["guid"]
    )


def test_programme_events_for_the_site_calendar(app, programme) -> None:
    c, codes, _ = programme
    with app.app_context():
        assert [x.slug for x in services.published_conferences()] == ["bhyvecon-2027"]
        events = feed.programme_events()
        assert sorted(e.code for e in events) == sorted(codes.values())
        assert all(e.uid.startswith("talk-bhyvecon-2027-") for e in events)


def test_unplaced_or_declined_talks_leave_the_feed(
    app, client, client_as, clock, programme
) -> None:
    c, codes, _ = programme
    with app.app_context():
        s = db.session.scalar(sa.select(Submission).where(Submission.code == codes["lightning"]))
        services.set_submission_state(s, SubmissionState.DECLINED, "speaker", audit.CLI, clock.now)
        db.session.commit()
        assert s.starts_at is None
    _release(client_as("organizer"))
    summaries = [str(e["SUMMARY"]) for e in _calendar(client).walk("VEVENT")]
    assert "Lightning: vm-bhyve" not in summaries
    assert "Lightning: vm-bhyve" not in client.get("/conferences/bhyvecon-2027/program").get_data(
        as_text=True
    )


def test_programme_feed_reads_the_same_in_independent_readers(app, client, programme) -> None:
    """ical.js, libical, the strict ical package and recurring-ical-events see each talk at its
    instant."""
    c, codes, _ = programme
    with app.app_context():
        talks = db.session.scalars(
            sa.select(Submission).where(Submission.starts_at.is_not(None))
        ).all()
        expected = sorted((feed.talk_uid(c, t.code), t.starts_at, t.ends_at) for t in talks)
    ics = client.get("/conferences/bhyvecon-2027/program.ics").data
    assert b"RDATE:" not in ics.replace(b"\r\n ", b"")
    window = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    readers = [readers_mod.occurrences_strict_ical, readers_mod.occurrences_recurring_ical_events]
    if readers_mod.node_available():
        readers.append(readers_mod.occurrences_icaljs)
    elif os.environ.get("CADENCE_REQUIRE_SERVICES"):
        pytest.fail("node is needed for the ical.js reader")
    try:
        readers_mod.libical_reader()
        readers.append(readers_mod.occurrences_libical)
    except readers_mod.LibicalUnavailable as exc:
        if os.environ.get("CADENCE_REQUIRE_SERVICES"):
            pytest.fail(str(exc))
    for read in readers:
        assert sorted(read(ics, *window)) == expected, read.__name__


def test_rooms_and_formats_in_use_cannot_be_removed(app, clock, programme) -> None:
    c, _, _ = programme
    with app.app_context():
        conference = db.session.get(type(c), c.id)
        data = services.ConferenceData(
            slug=conference.slug,
            name=conference.name,
            timezone=conference.timezone,
            starts_on=conference.starts_on,
            ends_on=conference.ends_on,
            cfp_opens_local=conference.local(conference.cfp_opens_at).replace(tzinfo=None),
            cfp_closes_local=conference.local(conference.cfp_closes_at).replace(tzinfo=None),
            formats=[("Talk", 30), ("Lightning talk", 10), ("Tutorial", 90)],
            tracks=["Core"],
            rooms=["Main hall"],
        )
        with pytest.raises(
            services.CfpError, match="Room 'Workshop room' has talks in the programme"
        ):
            services.update_conference(conference, data, audit.CLI, clock.now)
        db.session.rollback()
        conference = db.session.get(type(c), c.id)
        data.rooms, data.formats = ["Main hall", "Workshop room"], [("Talk", 30)]
        with pytest.raises(
            services.CfpError, match="Session format 'Lightning talk' has submissions"
        ):
            services.update_conference(conference, data, audit.CLI, clock.now)


def test_site_wide_calendar_includes_the_programme(app, client, programme) -> None:
    c, codes, organizer = programme
    first = client.get("/calendar.ics")
    assert first.status_code == 200
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(first.data).walk("VEVENT")}
    with app.app_context():
        assert {feed.talk_uid(c, code) for code in codes.values()} <= uids
    # moving a talk changes the site-wide feed too (its cached version follows the programme)
    main = c.rooms[0].id
    assert _place(organizer, codes["lightning"], main, "2027-06-11", "16:00").status_code == 302
    _release(organizer)
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]


def test_last_modified_of_the_programme_comes_from_its_data(app, client, clock, programme) -> None:
    """Rendered again after the stored renders are lost, an hour later: same bytes, same ETag,
    same Last-Modified (the programme's latest change, not the time of rendering)."""
    from datetime import timedelta

    from webapp.meetings.feeds import cache

    app.config["FEED_FAST_PATH"] = False
    paths = ("/conferences/bhyvecon-2027/program.ics", "/conferences/bhyvecon-2027/schedule.json")
    before = {path: client.get(path) for path in paths}
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM rendered_feeds"))
        db.session.commit()
    cache.memory.clear()
    clock.now = clock.now + timedelta(hours=1)
    for path in paths:
        after = client.get(path)
        assert after.status_code == 200, path
        assert after.data == before[path].data, path
        assert after.headers["ETag"] == before[path].headers["ETag"], path
        assert after.headers["Last-Modified"] == before[path].headers["Last-Modified"], path
