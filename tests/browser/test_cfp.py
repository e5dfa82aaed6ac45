"""The call for papers in Chromium: a speaker submits, edits and withdraws through the mailed
link; a reviewer scores, an organizer accepts, the speaker confirms, the talk is placed and
shows on the programme and in its feed. Mail goes through a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def conference(app, live_server):
    app.config["CADENCE_BASE_URL"] = live_server.url  # links in mail open this server
    with app.app_context():
        services.create_conference(
            services.ConferenceData(
                slug="bhyvecon-2027",
                name="bhyvecon 2027",
                timezone="Europe/Amsterdam",
                starts_on=date(2027, 6, 10),
                ends_on=date(2027, 6, 11),
                cfp_opens_local=datetime(2020, 1, 1, 9, 0),  # noqa: DTZ001 - local wall time
                cfp_closes_local=datetime(2099, 12, 31, 23, 59),  # noqa: DTZ001 - local wall time
                place="Amsterdam",
                call_text="Send us your **bhyve** stories.",
                formats=[("Talk", 30), ("Lightning talk", 10), ("Tutorial", 90)],
                tracks=["Core", "Operations"],
                rooms=["Main hall", "Workshop room"],
            ),
            audit.CLI,
            datetime.now(UTC),
        )
        db.session.commit()


def fill_the_form(page, title: str) -> None:
    page.goto("/conferences/bhyvecon-2027/")
    page.get_by_role("link", name="Submit a proposal").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Session format").select_option(label="Tutorial (90 min)")
    page.get_by_label("Track").select_option(label="Operations")
    page.get_by_label("Abstract").fill("How to run Windows guests with UEFI on bhyve.")
    page.get_by_label("Description").fill("Hands-on, bring a laptop.")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Your email").fill("ada@example.org")
    page.get_by_label("Affiliation").fill("Analytical Engines")
    page.get_by_label("Short bio").fill("Writes programs for engines.")
    page.get_by_label("Co-speaker name").first.fill("Alan Turing")
    page.get_by_label("Co-speaker email").first.fill("alan@example.org")
    page.get_by_label("Notes to the organizers").fill("Needs a projector.")
    page.get_by_label("I accept the code of conduct").check()
    page.get_by_role("button", name="Send proposal").click()
    expect(page.get_by_role("heading", name="Thank you: your proposal is received")).to_be_visible()


def private_link(smtp_server, address: str, subject_part: str) -> str:
    for _ in range(3):
        smtp_server.wait_for(len(smtp_server.messages) + 1, timeout=2)
        found = [m for m in smtp_server.to(address) if subject_part in str(m["Subject"])]
        if found:
            return next(u for u in smtp_server.links(found[-1]) if "/cfp/s/" in u)
    raise AssertionError(
        f"no mail '{subject_part}' to {address}: "
        f"{[str(m['Subject']) for m in smtp_server.messages]}"
    )


def test_speaker_submits_edits_and_withdraws_through_the_mailed_link(
    page, conference, smtp_server
) -> None:
    fill_the_form(page, "UEFI guests on bhyve")
    link = private_link(smtp_server, "ada@example.org", "We received")
    # The form relays nothing to the co-speaker: Alan is invited once Ada confirms her address.
    assert smtp_server.to("alan@example.org") == []

    page.goto(link)
    expect(page.get_by_role("heading", name="UEFI guests on bhyve")).to_be_visible()
    expect(page.get_by_text("(invited when you confirm)")).to_be_visible()
    page.get_by_role("button", name="Confirm my address and invite my co-speakers").click()
    expect(page.get_by_text("1 co-speaker is invited")).to_be_visible()
    expect(page.get_by_text("(invited when you confirm)")).to_have_count(0)
    # Fixed wording: Ada's title is not in Alan's subject (the form cannot relay it).
    assert private_link(smtp_server, "alan@example.org", "named as a co-speaker") != link
    page.get_by_role("link", name="Edit the proposal").click()
    page.get_by_label("Title").fill("UEFI guests on bhyve, revisited")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="UEFI guests on bhyve, revisited")).to_be_visible()

    page.get_by_role("button", name="Withdraw the proposal").click()
    expect(page.get_by_text("No mail is sent, to you or your co-speakers")).to_be_visible()
    page.get_by_role("button", name="Yes, withdraw the proposal").click()
    expect(page.get_by_text("You withdrew this proposal.")).to_be_visible()
    assert page.console_errors == []


def test_the_form_shows_errors_beside_fields_and_adds_co_speaker_rows_without_js(
    browser, live_server, conference
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/conferences/bhyvecon-2027/cfp")
    expect(page.get_by_label("Co-speaker name")).to_have_count(2)
    page.get_by_label("Title").fill("Kept title")
    page.get_by_role("button", name="Add another co-speaker").click()
    expect(page.get_by_label("Co-speaker name")).to_have_count(3)
    assert page.get_by_label("Title").input_value() == "Kept title"
    page.get_by_role("button", name="Send proposal").click()
    expect(page.locator("#abstract-errors")).to_have_text("This field is required.")
    assert page.get_by_label("Title").input_value() == "Kept title"
    context.close()


def accept_and_send(page) -> None:
    """Accept (a pending decision, sent by nobody), then "Send decisions"."""
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("pending accepted. Nothing is sent until")).to_be_visible()
    page.get_by_role("link", name="Send decisions").first.click()
    expect(page.get_by_text("1 Acceptance mail(s)")).to_be_visible()
    page.get_by_role("button", name="Send 1 mail(s) now").click()
    expect(page.get_by_text("1 decision(s) sent")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_review_accept_confirm_place_and_publish(page, conference, smtp_server, make_user) -> None:
    reviewer = make_user(roles=("reviewer",), name="Rui Reviewer")
    organizer = make_user(roles=("organizer",), name="Olivia Organizer")
    fill_the_form(page, "Live migration of bhyve guests")
    private_link(smtp_server, "ada@example.org", "We received")

    sign_in(page, reviewer.email)
    page.get_by_role("link", name="Review & programme", exact=True).click()
    page.get_by_role("link", name="bhyvecon 2027").click()
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    page.get_by_label("Overall").select_option(label="4")
    page.get_by_label("Comment").fill("Solid, practical.")
    page.get_by_role("button", name="Save my review").click()
    expect(page.get_by_text("Your review is saved.")).to_be_visible()
    expect(page.get_by_text("Mean score: 4.00 (1 review;")).to_be_visible()
    sign_out(page)

    sign_in(page, organizer.email)
    page.goto("/organize/conferences/bhyvecon-2027/submissions")
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    accept_and_send(page)
    sign_out(page)

    page.goto(private_link(smtp_server, "ada@example.org", "Accepted"))
    page.get_by_role("button", name="Confirm: I will give this talk").click()
    expect(page.get_by_text("Thank you: your talk is confirmed.")).to_be_visible()

    sign_in(page, organizer.email)
    page.goto("/organize/conferences/bhyvecon-2027/programme")
    page.get_by_label("Room").select_option(label="Workshop room")
    page.get_by_label("Day").fill("2027-06-10")
    page.get_by_label("Start").fill("14:00")
    page.get_by_role("button", name="Place “Live migration of bhyve guests”").click()
    expect(page.get_by_text("“Live migration of bhyve guests” placed.")).to_be_visible()
    page.get_by_label("Note for this release").fill("The first programme.")
    page.get_by_role("button", name="Release the programme").click()
    expect(page.get_by_text("Programme v1 released: 1 change(s).")).to_be_visible()

    page.goto("/conferences/bhyvecon-2027/program")
    expect(page.get_by_role("heading", name="Thursday 10 June 2027")).to_be_visible()
    expect(page.get_by_role("link", name="Live migration of bhyve guests")).to_be_visible()
    expect(page.get_by_text("14:00–15:30")).to_be_visible()
    feed = page.request.get("/conferences/bhyvecon-2027/program.ics")
    assert feed.ok
    [event] = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Live migration of bhyve guests"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 6, 10, 12, 0, tzinfo=UTC)
    assert page.console_errors == []


def test_editing_a_conference_keeps_its_tracks_and_rooms(app, page, conference, make_user) -> None:
    organizer = make_user(roles=("organizer",), name="Olivia Organizer")
    sign_in(page, organizer.email)
    page.goto("/organize/conferences/bhyvecon-2027/edit")
    assert page.get_by_label("Tracks").input_value() == "Core\nOperations"
    assert page.get_by_label("Rooms").input_value() == "Main hall\nWorkshop room"
    assert "webapp.models" not in page.content()
    page.locator("#name").fill("bhyvecon 2027, Amsterdam")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Conference saved.")).to_be_visible()
    page.goto("/organize/conferences/bhyvecon-2027/edit")
    assert page.get_by_label("Tracks").input_value() == "Core\nOperations"
    assert page.get_by_label("Rooms").input_value() == "Main hall\nWorkshop room"
    assert page.get_by_label("Session formats").input_value() == (
        "Talk:30\nLightning talk:10\nTutorial:90"
    )
    assert page.console_errors == []


def test_accept_remind_confirm_place_release_move_release(
    app, page, conference, smtp_server, make_user
) -> None:
    """The organizer's walk after the decision, with every mail on the loopback server."""
    organizer = make_user(roles=("organizer",), name="Olivia Organizer")
    fill_the_form(page, "Live migration of bhyve guests")
    private_link(smtp_server, "ada@example.org", "We received")

    sign_in(page, organizer.email)
    page.goto("/organize/conferences/bhyvecon-2027/submissions")
    page.get_by_role("link", name="Live migration of bhyve guests").click()
    accept_and_send(page)
    private_link(smtp_server, "ada@example.org", "Accepted")

    # Three days later the daily reminder run finds Ada silent; a second run adds nothing.
    app.config["CADENCE_NOW"] = datetime.now(UTC) + timedelta(days=3, minutes=1)
    runner = app.test_cli_runner()
    assert "queued 1 reminder(s)" in runner.invoke(args=["conference", "remind"]).output
    assert "queued 0 reminder(s)" in runner.invoke(args=["conference", "remind"]).output
    # The outbox worker sends it when it is due: on the same (moved) clock.
    reminder = private_link(smtp_server, "ada@example.org", "Please confirm")
    app.config["CADENCE_NOW"] = None

    page.goto(reminder)
    page.get_by_role("button", name="Confirm: I will give this talk").click()
    expect(page.get_by_text("Thank you: your talk is confirmed.")).to_be_visible()
    private_link(smtp_server, "ada@example.org", "Confirmed:")

    page.goto("/organize/conferences/bhyvecon-2027/programme")
    page.get_by_label("Room").select_option(label="Workshop room")
    page.get_by_label("Day").fill("2027-06-10")
    page.get_by_label("Start").fill("14:00")
    page.get_by_role("button", name="Place “Live migration of bhyve guests”").click()
    page.get_by_label("Note for this release").fill("The first programme.")
    page.get_by_role("button", name="Release the programme").click()
    expect(page.get_by_text("Programme v1 released: 1 change(s).")).to_be_visible()
    first = private_link(smtp_server, "ada@example.org", "Programme v1")

    # The slot changes: the public programme keeps v1 until the next release.
    page.get_by_label("Start").fill("16:00")
    page.get_by_role("button", name="Place “Live migration of bhyve guests”").click()
    page.goto("/conferences/bhyvecon-2027/program")
    expect(page.get_by_text("14:00–15:30")).to_be_visible()
    page.goto("/organize/conferences/bhyvecon-2027/programme")
    page.get_by_label("Note for this release").fill("Live migration moves to 16:00.")
    page.get_by_role("button", name="Release the programme").click()
    expect(page.get_by_text("Programme v2 released: 1 change(s).")).to_be_visible()
    assert private_link(smtp_server, "ada@example.org", "Programme v2") != first
    [mail] = [m for m in smtp_server.to("ada@example.org") if "Programme v2" in str(m["Subject"])]
    assert "moved from Thu 10 Jun 14:00, Workshop room to Thu 10 Jun 16:00, Workshop room" in (
        smtp_server.body(mail)
    )

    page.goto("/conferences/bhyvecon-2027/program")
    expect(page.get_by_text("16:00–17:30")).to_be_visible()
    page.get_by_role("link", name="what changed").click()
    expect(page.get_by_text("Live migration moves to 16:00.")).to_be_visible()
    feed = page.request.get("/conferences/bhyvecon-2027/program.ics")
    [event] = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert (
        page.request.get("/conferences/bhyvecon-2027/schedule.json").json()["schedule"]["version"]
        == "v2"
    )
    assert page.console_errors == []


def test_a_speaker_who_lost_the_link_asks_for_it_again(
    page, conference, smtp_server, make_user
) -> None:
    fill_the_form(page, "Lost and found")
    first = private_link(smtp_server, "ada@example.org", "We received")
    page.goto("/conferences/bhyvecon-2027/")
    page.get_by_role("link", name="Send me my link").click()
    expect(page.get_by_role("heading", name="Send me my link")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your email").fill("ada@example.org")
    page.get_by_role("button", name="Send me my link").click()
    expect(page.get_by_text("a mail with its private link is on its way there")).to_be_visible()
    again = private_link(smtp_server, "ada@example.org", "Your private link")
    assert again != first
    for link in (first, again):  # the older link keeps working
        page.goto(link)
        expect(page.get_by_role("heading", name="Lost and found")).to_be_visible()
    page.goto("/conferences/bhyvecon-2027/cfp/link")
    page.get_by_label("Your email").fill("ｘ@example.org")
    page.get_by_role("button", name="Send me my link").click()
    expect(page.get_by_text("plain ASCII letters, digits and punctuation")).to_be_visible()
    assert_accessible(page)
    # The organizers' outbox lists the mail sent, by kind.
    sign_in(page, make_user(roles=("organizer",)).email)
    page.goto("/organize/outbox")
    page.get_by_label("Kind").select_option("cfp_link_again")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("cell", name="ada@example.org")).to_have_count(1)
    assert_accessible(page)
