"""The schedule grid: blocks (breaks and others), conflicts, moves, and what a release publishes."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from tests import readers as readers_mod
from tests.cfp.conftest import _confirmed, _place, _release
from webapp.cfp import feed, grid_css
from webapp.extensions import db
from webapp.models import ProgrammeBlock, Submission

SLUG = "bhyvecon-2027"
GRID = f"/organize/conferences/{SLUG}/programme/grid"


def _add_block(
    client,
    c,
    title="Lunch",
    kind="break",
    room=0,
    day="2027-06-10",
    start="12:30",
    minutes="60",
    expect=302,
):
    response = client.post(
        f"/organize/conferences/{SLUG}/programme/blocks/new",
        data={
            "title": title,
            "kind": kind,
            "room": str(room),
            "day": day,
            "start": start,
            "minutes": minutes,
        },
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:800]
    return response


def _block_id(app, title="Lunch") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ProgrammeBlock.id).where(ProgrammeBlock.title == title))


def _move(client, item, room, day, start):
    return client.post(
        f"/organize/conferences/{SLUG}/programme/move",
        data={"item": item, "room": str(room) if room else "", "day": day, "start": start},
    )


def _events(client) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(client.get(f"/conferences/{SLUG}/program.ics").data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_a_lunch_across_all_rooms_goes_public_with_the_next_release(
    app, client, clock, programme
) -> None:
    c, codes, organizer = programme
    _add_block(organizer, c)
    lunch = _block_id(app)
    uid = f"block-{SLUG}-{lunch}@localhost"
    # The working programme has it; the public one not before a release.
    assert "Lunch" in organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    assert uid not in _events(client)
    clock.now += timedelta(hours=1)
    _release(organizer, "Lunch is served.")
    page = client.get(f"/conferences/{SLUG}/program").get_data(as_text=True)
    assert "12:30–13:30" in page
    assert "Lunch" in page
    assert "all rooms" in page
    event = _events(client)[uid]
    assert str(event["SUMMARY"]) == "Lunch"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime(2027, 6, 10, 10, 30, tzinfo=UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    assert str(event["LOCATION"]).startswith("All rooms")
    assert "Break" in event.to_ical().decode()
    days = client.get(f"/conferences/{SLUG}/schedule.json").get_json()["schedule"]["conference"][
        "days"
    ]
    breaks = {
        room: [e for e in events if e["type"] == "break"]
        for room, events in days[0]["rooms"].items()
    }
    assert set(breaks) == {"Main hall", "Workshop room"}
    for room, [event_json] in breaks.items():
        assert event_json["title"] == "Lunch"
        assert (event_json["start"], event_json["duration"]) == ("12:30", "01:00")
        assert event_json["room"] == room
        assert event_json["persons"] == []
    assert len({e[0]["guid"] for e in breaks.values()}) == 2
    assert len({e[0]["id"] for e in breaks.values()}) == 2
    changes = client.get(f"/conferences/{SLUG}/program/changes").get_data(as_text=True)
    assert "Break “Lunch” added: Thu 10 Jun 12:30, all rooms" in changes
    # Moving it changes the release's SEQUENCE, not its UID; the speakers get no mail for it.
    organizer.post(
        f"/organize/conferences/{SLUG}/programme/blocks/{lunch}",
        data={
            "title": "Lunch",
            "kind": "break",
            "room": "0",
            "day": "2027-06-10",
            "start": "13:00",
            "minutes": "60",
        },
    )
    clock.now += timedelta(hours=1)
    _release(organizer, "Lunch later.")
    assert int(_events(client)[uid]["SEQUENCE"]) == 1
    changes = client.get(f"/conferences/{SLUG}/program/changes").get_data(as_text=True)
    assert "Break “Lunch” moved from Thu 10 Jun 12:30, all rooms to Thu 10 Jun 13:00" in changes


def test_feed_readers_read_the_breaks(app, client, programme) -> None:
    c, codes, organizer = programme
    _add_block(organizer, c, title="Coffee", room=c.rooms[1].id, start="15:00", minutes="30")
    _release(organizer)
    with app.app_context():
        talks = db.session.scalars(sa.select(Submission).where(Submission.starts_at.is_not(None)))
        expected = sorted(
            [(feed.talk_uid(c, t.code), t.starts_at, t.ends_at) for t in talks]
            + [
                (
                    f"block-{SLUG}-{_block_id(app, 'Coffee')}@localhost",
                    datetime(2027, 6, 10, 13, 0, tzinfo=UTC),
                    datetime(2027, 6, 10, 13, 30, tzinfo=UTC),
                )
            ]
        )
    ics = client.get(f"/conferences/{SLUG}/program.ics").data
    window = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    readers = [readers_mod.occurrences_strict_ical, readers_mod.occurrences_recurring_ical_events]
    if readers_mod.node_available():
        readers.append(readers_mod.occurrences_icaljs)
    elif os.environ.get("CADENCE_REQUIRE_SERVICES"):
        pytest.fail("node is needed for the ical.js reader")
    for read in readers:
        assert sorted(read(ics, *window)) == expected, read.__name__


def test_the_grid_shows_rooms_talks_unplaced_talks_and_free_slots(app, programme) -> None:
    c, codes, organizer = programme
    waiting = _confirmed(app, c, "Waiting for a slot", speaker="Barbara Liskov")
    page = organizer.get(f"/organize/conferences/{SLUG}/programme").get_data(as_text=True)
    assert f'href="{GRID}/2027-06-10"' in page
    assert f'href="{GRID}/2027-06-11"' in page
    assert organizer.get(GRID).location.endswith(f"{GRID}/2027-06-10")
    grid = organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    heads = re.findall(r'class="grid-head gr-1 gc-(\d+)"[^>]*>([^<]+)<', grid)
    assert heads == [("1", "Time"), ("2", "Main hall"), ("3", "Workshop room")]
    # 09:00 is row 2 (15-minute rows): the keynote at 09:30 is row 4 for two rows, in Main hall.
    keynote = re.search(r'<article class="gb kind-talk gr-(\d+) gs-(\d+) gc-(\d+)"', grid)
    assert keynote.groups() == ("4", "2", "2")
    assert codes["keynote"] in grid
    assert "Keynote: bhyve in 2027" in grid
    assert "Ada Lovelace" in grid
    tutorial = grid[grid.index(f'data-item="talk:{codes["tutorial"]}"') - 200 :]
    assert 'gs-6 gc-3"' in tutorial[:300]  # 90 minutes, Workshop room
    assert "Free 09:00–09:30" in grid
    assert "Free 10:00–18:00" in grid
    side = grid[grid.index('id="unplaced-h"') :]
    assert "Waiting for a slot" in side
    assert waiting in side
    assert "Place…" in side
    assert "style=" not in grid
    assert "<script>" not in grid
    assert organizer.get(f"{GRID}/2027-06-12").status_code == 404
    assert organizer.get(f"{GRID}/nonsense").status_code == 404


def test_a_move_is_one_request_with_undo_and_the_overlap_refused(app, programme) -> None:
    c, codes, organizer = programme
    main, workshop = c.rooms[0].id, c.rooms[1].id
    moved = _move(organizer, f"talk:{codes['lightning']}", workshop, "2027-06-10", "14:00")
    assert moved.status_code == 200, moved.get_data(as_text=True)
    body = moved.get_json()
    assert body["ok"]
    assert "Workshop room, Thu 10 Jun 14:00" in body["message"]
    assert body["undo"] == {
        "item": f"talk:{codes['lightning']}",
        "room": str(main),
        "day": "2027-06-11",
        "start": "14:00",
    }
    refused = _move(organizer, f"talk:{codes['lightning']}", workshop, "2027-06-10", "10:30")
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith("Workshop room is taken then by “Tutorial")
    undone = organizer.post(f"/organize/conferences/{SLUG}/programme/move", data=body["undo"])
    assert undone.status_code == 200
    with app.app_context():
        talk = db.session.scalar(sa.select(Submission).where(Submission.code == codes["lightning"]))
        assert (talk.room_id, talk.starts_at) == (main, datetime(2027, 6, 11, 12, 0, tzinfo=UTC))
    bad = _move(organizer, "talk:NOPE", main, "2027-06-10", "14:00")
    assert bad.status_code == 409
    assert "No talk 'NOPE'" in bad.get_json()["error"]
    assert (
        _move(organizer, f"talk:{codes['lightning']}", main, "2027-13-10", "14:00").status_code
        == 409
    )
    assert (
        _move(organizer, f"talk:{codes['lightning']}", main, "2027-06-10", "9h").status_code == 409
    )


def test_conflicts_are_warned_shown_on_the_grid_and_listed(app, runner, programme) -> None:
    c, codes, organizer = programme
    main, workshop = c.rooms[0].id, c.rooms[1].id
    # A speaker (same address, two talks) in two rooms at once: placed, with a warning.
    with app.app_context():
        ada = db.session.scalar(sa.select(Submission).where(Submission.code == codes["keynote"]))
        address = ada.speakers[0].email
    twice = _confirmed(app, c, "Ada again")
    with app.app_context():
        again = db.session.scalar(sa.select(Submission).where(Submission.code == twice))
        again.speakers[0].email = address.upper()
        db.session.commit()
    moved = _move(organizer, f"talk:{twice}", workshop, "2027-06-10", "09:30")
    assert moved.status_code == 200
    [warning] = moved.get_json()["warnings"]
    assert "Ada Lovelace is in two places at once" in warning
    # A talk outside the hours, and a room used during an all-rooms break.
    _add_block(organizer, c, start="12:00", minutes="60")
    late = _confirmed(app, c, "Late night talk", speaker="Night Owl")
    assert _move(organizer, f"talk:{late}", main, "2027-06-10", "19:00").status_code == 200
    lunch_talk = _confirmed(app, c, "Lunch talk", speaker="Hungry Person")
    assert _move(organizer, f"talk:{lunch_talk}", main, "2027-06-10", "12:15").status_code == 200
    grid = organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    listed = grid[grid.index('id="grid-conflicts-h"') : grid.index('class="grid-page"')]
    assert "Conflicts (3)" in listed
    assert "Ada Lovelace is in two places at once" in listed
    assert "is outside the conference&#39;s hours (09:00–18:00)" in listed
    assert "“Lunch” is in all rooms, but Main hall has “Lunch talk”" in listed
    flagged = re.findall(
        r'<article class="gb kind-(\w+)[^"]*has-conflict"[^>]*data-item="([^"]+)"', grid
    )
    assert {item for _, item in flagged} >= {
        f"talk:{twice}",
        f"talk:{codes['keynote']}",
        f"talk:{late}",
        f"talk:{lunch_talk}",
    }
    # The CLI lists the same conflicts and refuses the same overlap.
    listed_cli = runner.invoke(args=["conference", "conflicts", SLUG])
    assert listed_cli.exit_code == 1
    assert "Ada Lovelace is in two places at once" in listed_cli.output
    refused = runner.invoke(
        args=[
            "conference",
            "place",
            SLUG,
            codes["lightning"],
            "--room",
            "Main hall",
            "--at",
            "2027-06-10 09:45",
        ]
    )
    assert refused.exit_code == 1
    assert "Main hall is taken then by “Keynote: bhyve in 2027”" in refused.output
    added = runner.invoke(
        args=[
            "conference",
            "block",
            SLUG,
            "--title",
            "Dinner",
            "--kind",
            "social",
            "--at",
            "2027-06-10 19:00",
            "--minutes",
            "120",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "is in all rooms, but Main hall has “Late night talk”" in added.output


def test_blocks_are_checked_like_talks(app, programme) -> None:
    c, codes, organizer = programme
    page = _add_block(organizer, c, start="09:45", room=c.rooms[0].id, expect=409)
    assert "Main hall is taken then by “Keynote: bhyve in 2027”" in page.get_data(as_text=True)
    assert "Not a valid choice" in _add_block(organizer, c, kind="party", expect=409).get_data(
        as_text=True
    )
    assert "5 to 720" in _add_block(organizer, c, minutes="1", expect=409).get_data(as_text=True)
    assert "not a day of the conference" in _add_block(
        organizer, c, day="2027-06-12", expect=409
    ).get_data(as_text=True)
    _add_block(organizer, c, title="Coffee", room=c.rooms[1].id, start="15:00", minutes="30")
    # A room with a block (and no talk) cannot be removed from the conference.
    from webapp import audit
    from webapp.cfp import services

    out = organizer.post(
        f"/organize/conferences/{SLUG}/programme/move",
        data={"item": codes["tutorial"], "unplace": "1"},
    )
    assert out.get_json()["undo"]["room"] == str(c.rooms[1].id)

    with app.app_context():
        conference = services.conference_by_slug(SLUG)
        with pytest.raises(services.CfpError, match="has talks or blocks"):
            services.update_conference(
                conference,
                services.ConferenceData(
                    slug=SLUG,
                    name="x",
                    timezone=conference.timezone,
                    starts_on=conference.starts_on,
                    ends_on=conference.ends_on,
                    cfp_opens_local=datetime(2027, 1, 10, 9, 0),  # noqa: DTZ001 - local wall time
                    cfp_closes_local=datetime(2027, 3, 1, 23, 59),  # noqa: DTZ001
                    formats=[(f.name, f.minutes) for f in conference.formats],
                    tracks=[t.name for t in conference.tracks],
                    rooms=["Main hall"],
                ),
                audit.CLI,
                datetime(2027, 2, 1, tzinfo=UTC),
            )
    # Deleting asks first, then removes it.
    coffee = _block_id(app, "Coffee")
    ask = organizer.get(f"/organize/conferences/{SLUG}/programme/blocks/{coffee}/delete")
    assert "Delete “Coffee”?" in ask.get_data(as_text=True)
    assert _block_id(app, "Coffee") == coffee
    assert (
        organizer.post(f"/organize/conferences/{SLUG}/programme/blocks/{coffee}/delete").status_code
        == 302
    )
    assert _block_id(app, "Coffee") is None


def test_the_grid_stylesheet_is_the_generators_output() -> None:
    path = Path(__file__).resolve().parents[2] / "webapp" / "static" / "css" / "grid.css"
    assert path.read_text(encoding="utf-8") == grid_css.css()


def test_the_per_talk_form_still_places_without_javascript(app, programme) -> None:
    c, codes, organizer = programme
    response = _place(organizer, codes["lightning"], c.rooms[1].id, "2027-06-11", "09:00")
    assert response.status_code == 302
    assert response.location.endswith(f"#talk-{codes['lightning']}")


def test_the_demo_programme_links_a_grid_with_every_room_its_talks_and_lunch(
    app, runner, client, client_as
) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    organizer = client_as("organizer")
    page = organizer.get(f"/organize/conferences/{SLUG}/programme").get_data(as_text=True)
    with app.app_context():
        from webapp.cfp import services

        c = services.conference_by_slug(SLUG)
        first = c.starts_on.isoformat()
        rooms = [r.name for r in c.rooms]
        placed = [
            t.code for t in services.placed_talks(c) if c.local(t.starts_at).date() == c.starts_on
        ]
    assert f'href="{GRID}/{first}"' in page
    grid = organizer.get(f"{GRID}/{first}").get_data(as_text=True)
    assert re.findall(r'class="grid-head gr-1 gc-\d+"[^>]*>([^<]+)<', grid)[1:] == rooms
    for code in placed:
        assert f'data-item="talk:{code}"' in grid
    lunch = re.search(r'<article class="gb kind-break gr-(\d+) gs-4 all-rooms"', grid)
    assert lunch is not None
    assert lunch.group(1) == "14"
    events = {str(e["SUMMARY"]) for e in _events(client).values()}
    assert "Lunch" in events
    days = client.get(f"/conferences/{SLUG}/schedule.json").get_json()["schedule"]["conference"][
        "days"
    ]
    for day in days:
        for room in rooms:
            assert [e["title"] for e in day["rooms"][room] if e["type"] == "break"] == ["Lunch"]


def test_the_conference_hours_and_row_length_shape_the_grid_and_the_conflicts(
    app, programme
) -> None:
    from tests.cfp.test_conference_edits import _edit

    c, codes, organizer = programme
    refused = _edit(organizer, day_starts="18:00", day_ends="09:00", slot_minutes="30")
    assert "The day ends (09:00) before it starts (18:00)." in refused.get_data(as_text=True)
    assert (
        _edit(organizer, day_starts="10:00", day_ends="17:00", slot_minutes="30").status_code == 302
    )
    grid = organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    # The keynote at 09:30 is before the day's start: the grid starts there, and lists it.
    assert re.findall(r'class="grid-time gr-(\d+)">([^<]+)<', grid)[:3] == [
        ("2", "09:30"),
        ("3", "10:00"),
        ("4", "10:30"),
    ]
    assert "“Keynote: bhyve in 2027”" in grid
    assert "outside the conference&#39;s hours (10:00–17:00)" in grid


def test_the_grid_sends_as_many_statements_for_sixty_talks_as_for_six(app, programme) -> None:
    from tests.querycount import count_queries

    c, codes, organizer = programme

    def statements() -> int:
        organizer.get(f"{GRID}/2027-06-10")  # warm: the sign-in's own statements settle
        with app.app_context():
            engine = db.engine
        with count_queries(engine) as counter:
            assert organizer.get(f"{GRID}/2027-06-10").status_code == 200
        return counter.count

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            code = _confirmed(app, c, f"Talk {i}", speaker=f"Speaker {i}")
            room = c.rooms[i % 2].id
            minute = 13 * 60 + (i // 2) * 5 % 300
            moved = _move(
                organizer, code, room, "2027-06-10", f"{minute // 60:02d}:{minute % 60:02d}"
            )
            assert moved.status_code in (200, 409)

    add(6, 0)
    few = statements()
    add(54, 6)
    assert statements() == few


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_move_needs_the_pages_token_in_its_header(app, make_conference, csrf_client_as) -> None:
    c = make_conference()
    code = _confirmed(app, c, "Token talk")
    organizer = csrf_client_as("organizer")
    grid = organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', grid).group(1)
    fields = {"item": code, "room": str(c.rooms[0].id), "day": "2027-06-10", "start": "11:00"}
    move = f"/organize/conferences/{SLUG}/programme/move"
    assert organizer.post(move, data=fields).status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Submission.starts_at).where(Submission.code == code))
            is None
        )
    moved = organizer.post(move, data=fields, headers={"X-CSRFToken": token})
    assert moved.status_code == 200, moved.get_data(as_text=True)


def test_a_conference_has_at_most_as_many_rooms_as_the_grid_has_columns(app, programme) -> None:
    from tests.cfp.test_conference_edits import _edit

    c, codes, organizer = programme
    rooms = "\n".join(["Main hall", "Workshop room"] + [f"Room {i}" for i in range(19)])
    page = _edit(organizer, rooms=rooms).get_data(as_text=True)
    assert "A conference has at most 20 rooms" in page


def test_an_overlap_from_before_the_rules_is_listed_and_marked(app, programme) -> None:
    """Rows written around the service (an import, an older version) still show on the grid."""
    c, codes, organizer = programme
    with app.app_context():
        talk = db.session.scalar(sa.select(Submission).where(Submission.code == codes["lightning"]))
        talk.room_id = c.rooms[0].id
        talk.starts_at = datetime(2027, 6, 10, 7, 45, tzinfo=UTC)  # 09:45, over the keynote
        talk.ends_at = talk.starts_at + timedelta(minutes=10)
        db.session.commit()
    grid = organizer.get(f"{GRID}/2027-06-10").get_data(as_text=True)
    assert (
        f"“Keynote: bhyve in 2027” ({codes['keynote']}) and “Lightning: vm-bhyve” "
        f"({codes['lightning']}) overlap in Main hall (Thu 09:45–09:55)." in grid
    )
    marked = re.findall(r'class="gb kind-talk[^"]*has-conflict"[^>]*data-item="talk:(\w+)"', grid)
    assert set(marked) == {codes["keynote"], codes["lightning"]}


def test_the_per_talk_form_offers_undo_without_javascript(app, programme) -> None:
    c, codes, organizer = programme
    code = codes["lightning"]
    moved = _place(organizer, code, c.rooms[1].id, "2027-06-11", "09:00")
    page = organizer.get(moved.location).get_data(as_text=True)
    assert "Undo: put “Lightning: vm-bhyve” back to Main hall, Fri 11 Jun 14:00" in page
    undo = re.search(
        r'<form method="post" action="([^"]+)" class="inline-form undo-form">(.*?)</form>',
        page,
        re.S,
    )
    action = undo.group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', undo.group(2)))
    assert organizer.post(action, data=fields).status_code == 302
    with app.app_context():
        talk = db.session.scalar(sa.select(Submission).where(Submission.code == code))
        assert talk.starts_at == datetime(2027, 6, 11, 12, 0, tzinfo=UTC)
        assert talk.room_id == c.rooms[0].id
    # Taking a talk out offers to put it back too.
    out = organizer.post(f"/organize/conferences/{SLUG}/programme/{code}", data={"unplace": "1"})
    assert "Undo: put “Lightning: vm-bhyve” back to Main hall, Fri 11 Jun 14:00" in (
        organizer.get(out.location).get_data(as_text=True)
    )
    first = _confirmed(app, c, "Brand new")
    placed = _place(organizer, first, c.rooms[1].id, "2027-06-11", "09:00")
    assert "Undo: put “Brand new” out of the programme" in organizer.get(placed.location).get_data(
        as_text=True
    )
