"""The schedule grid in Chromium, on the demo: a move by drag and drop, one by keyboard only, a
refused overlap shown on the moved block, Undo, a speaker conflict, axe, a phone's width, and the
moves in the public programme after a release."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from webapp.extensions import db

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

SLUG = "bhyvecon-2027"
LIVE, ARM, UEFI, SECOND = (
    "Live migration of bhyve guests",  # Main hall, day 1 10:00, Ada Lovelace
    "bhyve on arm64: where we are",  # Main hall, day 1 10:45
    "Running Windows guests with UEFI",  # Workshop room, day 1 10:00–11:30
    "Ada's second talk",  # confirmed, not placed, Ada Lovelace again
)


@pytest.fixture
def demo(app, live_server):
    """The demo, and one more confirmed talk by the demo's Ada Lovelace, not placed yet."""
    from webapp import demo as demo_data
    from webapp.models import Speaker, SpeakerLink, Submission, SubmissionState

    with app.app_context():
        password = demo_data.load()
        db.session.flush()
        first = db.session.scalar(sa.select(Submission).where(Submission.title == LIVE))
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        extra = Submission(
            conference_id=first.conference_id,
            code="ADA2ND",
            state=SubmissionState.CONFIRMED,
            title=SECOND,
            format_id=first.format_id,
            abstract="More.",
            form_token=uuid.uuid4().hex,
            submitted_at=stamp,
            created_at=stamp,
            updated_at=stamp,
        )
        extra.speakers.append(
            Speaker(name="Ada Lovelace", email=first.speakers[0].email, invited_at=stamp)
        )
        extra.speakers[0].links.append(SpeakerLink(token_hash=uuid.uuid4().hex, created_at=stamp))
        db.session.add(extra)
        db.session.commit()
        rooms = {r.name: r.id for r in first.conference.rooms}
        codes = {
            s.title: s.code
            for s in db.session.scalars(
                sa.select(Submission).where(Submission.state == "confirmed")
            )
        }
        day = first.conference.starts_on.isoformat()
    return password, rooms, codes, day


def _block(page, code):
    return page.locator(f'.grid-board .gb[data-item="talk:{code}"]')


def _cell(page, room_id, start):
    return page.locator(f'.grid-cell[data-room="{room_id}"][data-start="{start}"]')


def _drag(page, code, room_id, start):
    """Press on the block's top edge, move in steps (as a hand does), release over the cell."""
    source = page.locator(f'.gb[data-item="talk:{code}"]').first.bounding_box()
    target = _cell(page, room_id, start).bounding_box()
    page.mouse.move(source["x"] + 8, source["y"] + 6)
    page.mouse.down()
    page.mouse.move(source["x"] + 20, source["y"] + 20, steps=5)
    page.mouse.move(target["x"] + 10, target["y"] + 10, steps=10)
    page.mouse.up()


def test_moves_by_drag_and_drop_and_keyboard_refusals_undo_conflicts_and_release(
    page, demo
) -> None:
    password, rooms, codes, day = demo
    main, workshop = rooms["Main hall"], rooms["Workshop room"]
    page.set_viewport_size({"width": 1280, "height": 2200})  # the whole day without scrolling
    sign_in(page, "organizer@example.org", password)
    page.goto(f"/organize/conferences/{SLUG}/programme")
    page.get_by_role("navigation", name="The schedule grid").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("Schedule grid:"))).to_be_visible()
    heads = page.locator(".grid-head").all_inner_texts()
    assert heads == ["Time", "Main hall", "Workshop room"]
    expect(page.locator(".gb.all-rooms", has_text="Lunch")).to_be_visible()
    expect(_block(page, codes[LIVE])).to_contain_text("Ada Lovelace")
    expect(page.locator(".grid-free").first).to_be_visible()
    assert_accessible(page)

    # Drag and drop: Live migration to the Workshop room at 14:00; Undo; again.
    status = page.locator("#grid-status")
    _drag(page, codes[LIVE], workshop, "14:00")
    expect(status).to_contain_text(f"“{LIVE}” is now in Workshop room")
    expect(_block(page, codes[LIVE])).to_have_attribute("data-start", "14:00")
    expect(_block(page, codes[LIVE])).to_have_attribute("data-room", str(workshop))
    undo = page.locator("#grid-undo")
    expect(undo).to_contain_text(f"Undo the last move (“{LIVE}” back to Main hall, ")
    expect(undo).to_contain_text("10:00)")
    page.reload()  # Undo outlives a reload of the page
    undo.click()
    expect(status).to_contain_text("Undone")
    expect(_block(page, codes[LIVE])).to_have_attribute("data-start", "10:00")
    expect(_block(page, codes[LIVE])).to_have_attribute("data-room", str(main))
    expect(undo).to_be_hidden()
    _drag(page, codes[LIVE], workshop, "14:00")
    expect(_block(page, codes[LIVE])).to_have_attribute("data-start", "14:00")

    # Keyboard only: the arm64 talk's Move… button, then the dialog's selects.
    page.locator(f'.gb[data-item="talk:{codes[ARM]}"] .gb-move').focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#move-room")).to_be_focused()
    page.keyboard.press("ArrowDown")  # Main hall → Workshop room
    page.keyboard.press("Tab")  # the day stays
    page.keyboard.press("Tab")
    page.keyboard.type("15:00")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(status).to_contain_text(f"“{ARM}” is now in Workshop room")
    expect(_block(page, codes[ARM])).to_have_attribute("data-start", "15:00")
    expect(_block(page, codes[ARM])).to_have_attribute("data-room", str(workshop))
    # Or with the arrow keys on its Move… button (focused again after the move): two rows down.
    expect(page.locator(f'.gb[data-item="talk:{codes[ARM]}"] .gb-move')).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(status).to_contain_text(f"“{ARM}” to Workshop room, 15:30. Enter moves it there")
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"“{ARM}” is now in Workshop room")
    expect(_block(page, codes[ARM])).to_have_attribute("data-start", "15:30")

    # An overlap is refused, with the reason on the moved block where it was dropped.
    _drag(page, codes[UEFI], workshop, "14:15")
    refused = page.locator(".gb.refused")
    expect(refused).to_contain_text(f"Refused: Workshop room is taken then by “{LIVE}”")
    row = _cell(page, workshop, "14:15").get_attribute("data-row")
    assert f"gr-{row}" in refused.get_attribute("class").split()
    assert "gc-3" in refused.get_attribute("class").split()
    expect(_block(page, codes[UEFI])).to_have_attribute("data-start", "10:00")

    # A speaker in two rooms at once: placed from the side list, shown as a conflict.
    _drag(page, codes[SECOND], main, "14:00")
    expect(status).to_contain_text("Warning: Ada Lovelace is in two places at once")
    conflicts = page.locator("#grid-conflicts")
    expect(conflicts).to_contain_text("Ada Lovelace is in two places at once")
    expect(_block(page, codes[SECOND])).to_have_class(re.compile(r"\bhas-conflict\b"))
    expect(_block(page, codes[LIVE])).to_contain_text("Conflict: Ada Lovelace")
    assert_accessible(page)

    # A phone shows one room at a time, without widening the page.
    page.set_viewport_size({"width": 390, "height": 844})
    head = page.locator(".grid-head", has_text="Main hall").bounding_box()
    assert 250 <= head["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 2200})

    # The working programme has both moves; after a release, so has the public programme.
    page.goto(f"/organize/conferences/{SLUG}/programme")
    expect(page.get_by_text("Now: Workshop room").first).to_be_visible()
    page.get_by_label("Note for this release").fill("Moved on the grid.")
    page.get_by_role("button", name="Release the programme").click()
    expect(page.get_by_text(re.compile(r"Programme v3 released"))).to_be_visible()
    page.goto(f"/conferences/{SLUG}/program")
    first_day = page.locator(".programme-day").first
    workshop_list = first_day.locator(
        "section", has=page.get_by_role("heading", name="Workshop room")
    )
    expect(workshop_list.locator("li", has_text=LIVE)).to_contain_text("14:00–14:30")
    expect(workshop_list.locator("li", has_text=ARM)).to_contain_text("15:30–16:00")
    expect(first_day.locator(".programme-everywhere")).to_contain_text("Lunch")
    # The refused move's 409 is logged by Chromium as a failed load; nothing else may be.
    assert [e for e in page.console_errors if "status of 409" not in e] == []
