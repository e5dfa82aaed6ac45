"""Private feeds: an account's meetings and its person's open follow-ups, behind a secret
address that Reset replaces at once; stored like the public feeds, private, without cookies."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from tests.conftest import TEST_PASSWORD, csrf_token_from, login
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.feeds.http import key_of
from webapp.minutes.services import follow_ups
from webapp.models import FollowUp, PrivateFeed, RenderedFeed, User
from webapp.private_feeds import services
from webapp.redact import redact

ADDRESS = re.compile(r'value="(http://localhost/calendar/private/[^"]+\.ics)"')


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def _address(client) -> str:  # type: ignore[no-untyped-def]
    found = ADDRESS.search(client.get("/account").get_data(as_text=True))
    assert found, "no calendar address on /account"
    return _path(found.group(1))


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def scribe(app, client, make_user, world):  # type: ignore[no-untyped-def]
    user = make_user(email="scribe@example.org", roles=("scribe",), name="Sam Scribe")
    assert login(client, user.email).status_code == 302
    return user


def test_a_linked_scribe_sees_the_persons_open_follow_ups_and_the_meetings(
    app, client, scribe, world
) -> None:
    page = client.get("/account").get_data(as_text=True)
    assert "Make my calendar address" in page
    assert "Ada Lovelace (@ada)" in page
    response = client.post("/account/calendar/person", data={"person": str(world.ada_id)})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "This account is linked to <strong>Ada Lovelace</strong>" in page
    client.post("/account/calendar/reset")
    path = _address(client)

    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    assert feed.content_type == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in feed.headers
    assert "Cookie" not in feed.headers.get("Vary", "")
    assert feed.cache_control.private
    assert not feed.cache_control.public
    assert feed.headers["ETag"]

    cal = Calendar.from_ical(feed.data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    due = events[f"follow-up-{world.due_id}@localhost"]
    assert due.decoded("DTSTART") == date(2026, 12, 10)
    assert due.decoded("DTEND") == date(2026, 12, 11)
    assert "DATE" in str(due["DTSTART"].params.get("VALUE", "DATE"))
    assert str(due["SUMMARY"]) == "Follow-up: Review the vmm patch"
    undated = events[f"follow-up-{world.undated_id}@localhost"]
    # No due date: on the next meeting's date (today's 16:00 New York call is still ahead).
    assert undated.decoded("DTSTART") == date(2026, 12, 3)
    assert f"follow-up-{world.closed_id}@localhost" not in events
    assert f"follow-up-{world.others_id}@localhost" not in events
    assert "series-bhyve-2026-10-22@localhost" in events
    assert "series-docs-2026-11-02@localhost" in events
    assert b"VTODO" not in feed.data

    # A conditional request gets a 304, without a cookie either.
    again = anonymous.get(path, headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in again.headers


def test_reset_makes_the_old_address_404_at_once_past_the_fast_path(
    app, client, scribe, world
) -> None:
    assert app.config.get("FEED_FAST_PATH", True)
    client.post("/account/calendar/reset")
    old = _address(client)
    assert key_of(old) is None  # FastFeeds never replays a private address: the token is checked
    anonymous = app.test_client()
    for _ in range(3):  # served, stored, and asked again
        assert anonymous.get(old).status_code == 200
    with app.app_context():
        feed = db.session.scalar(sa.select(PrivateFeed))
        assert feed is not None
        assert db.session.get(RenderedFeed, services.render_key(feed)) is not None
        old_key = services.render_key(feed)
    asked = client.post("/account/calendar/reset").get_data(as_text=True)
    assert "Reset the calendar address?" in asked
    assert "The old address stops working" in asked
    assert anonymous.get(old).status_code == 200  # asking changes nothing
    assert _address(client) == old
    page = client.post(
        "/account/calendar/reset", data={"confirm": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "the old one no longer works" in page
    new = _address(client)
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.head(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    with app.app_context():
        assert db.session.get(RenderedFeed, old_key) is None  # the old render is gone too


def test_the_token_is_stored_hashed_and_sealed_never_in_the_clear(
    app, client, scribe, world
) -> None:
    client.post("/account/calendar/reset")
    token = _address(client).split("/")[-1].removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(sa.select(PrivateFeed))
        assert feed is not None
        assert feed.token_hash == services.hash_token(token)
        assert token not in feed.token_sealed
        assert feed.token_sealed.startswith("sealed:v1:")
        dump = "\n".join(
            str(row)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(sa.select(table))
        )
        assert token not in dump
    assert redact(f'"GET /calendar/private/{token}.ics HTTP/1.1" 200') == (
        '"GET /calendar/private/[redacted] HTTP/1.1" 200'
    )
    assert token not in redact(f"GET /calendar//private/{token}.ics")


def test_data_changes_change_the_feed(app, client, scribe, world) -> None:
    client.post("/account/calendar/person", data={"person": str(world.ada_id)})
    client.post("/account/calendar/reset")
    path = _address(client)
    anonymous = app.test_client()
    first = anonymous.get(path)
    uid = f"follow-up-{world.due_id}@localhost"
    assert uid in _uids(first.data)
    with app.app_context():
        series = meetings.get_series("bhyve")
        item = db.session.get(FollowUp, world.due_id)
        follow_ups.set_follow_up_state(item, "done", series, date(2026, 12, 3), audit.CLI)
        db.session.commit()
    second = anonymous.get(path)
    assert uid not in _uids(second.data)
    assert second.headers["ETag"] != first.headers["ETag"]
    # Today's meeting moved to tomorrow: the follow-up without a due date moves with it.
    undated = f"follow-up-{world.undated_id}@localhost"
    before = {str(e["UID"]): e for e in Calendar.from_ical(second.data).walk("VEVENT")}
    assert before[undated].decoded("DTSTART") == date(2026, 12, 3)
    with app.app_context():
        series = meetings.get_series("bhyve")
        meetings.move(series, date(2026, 12, 3), date(2026, 12, 4), time(16), audit.CLI)
        db.session.commit()
    third = anonymous.get(path)
    events = {str(e["UID"]): e for e in Calendar.from_ical(third.data).walk("VEVENT")}
    assert events[undated].decoded("DTSTART") == date(2026, 12, 4)
    # A later date raises SEQUENCE (Google keeps the old date otherwise).
    assert int(events[undated]["SEQUENCE"]) > int(before[undated]["SEQUENCE"])
    moved = [e for e in events.values() if "RECURRENCE-ID" in e]
    assert any(e.decoded("RECURRENCE-ID").date() == date(2026, 12, 3) for e in moved)


def test_followed_series_are_chosen_on_the_account_page(app, client, scribe, world) -> None:
    client.post("/account/calendar/reset")
    path = _address(client)
    with app.app_context():
        bhyve = meetings.get_series("bhyve").id
    response = client.post("/account/calendar/series", data={"series": [str(bhyve)]})
    assert response.status_code == 302
    uids = _uids(app.test_client().get(path).data)
    assert "series-bhyve-2026-10-22@localhost" in uids
    assert "series-docs-2026-11-02@localhost" not in uids
    page = client.get("/account").get_data(as_text=True)
    assert re.search(rf'value="{bhyve}" checked', page)
    # An unknown series is refused with a message, not a 500.
    bad = client.post("/account/calendar/series", data={"series": ["99999"]}, follow_redirects=True)
    assert bad.status_code == 200
    assert "That series does not exist." in bad.get_data(as_text=True)


def test_one_account_per_person_and_unlink(app, client, scribe, world, make_user) -> None:
    client.post("/account/calendar/person", data={"person": str(world.ada_id)})
    other = make_user(email="other@example.org", roles=("scribe",))
    c2 = app.test_client()
    login(c2, other.email)
    page = c2.get("/account").get_data(as_text=True)
    assert "Ada Lovelace" not in page  # taken: not offered
    refused = c2.post(
        "/account/calendar/person", data={"person": str(world.ada_id)}, follow_redirects=True
    )
    assert "already linked to another account" in refused.get_data(as_text=True)
    bad = c2.post("/account/calendar/person", data={"person": "nope"}, follow_redirects=True)
    assert "Choose a person from the list." in bad.get_data(as_text=True)
    client.post("/account/calendar/person", data={"person": ""})
    with app.app_context():
        assert db.session.scalar(sa.select(User.person_id).where(User.id == scribe.id)) is None


def test_a_deactivated_accounts_feed_is_404(app, client, scribe, world) -> None:
    client.post("/account/calendar/reset")
    path = _address(client)
    with app.app_context():
        user = db.session.get(User, scribe.id)
        user.active = False
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_unknown_and_oversized_tokens_are_404(client, world) -> None:
    assert client.get("/calendar/private/nothing.ics").status_code == 404
    assert client.get("/calendar/private/" + "x" * 500 + ".ics").status_code == 404


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_account_forms_need_their_csrf_token(app, client, make_user, world) -> None:
    user = make_user(email="csrf@example.org", roles=("scribe",))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 302
    client.post("/account/calendar/reset")
    client.post("/account/calendar/person", data={"person": str(world.ada_id)})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PrivateFeed)) == 0
        assert db.session.get(User, user.id).person_id is None
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    client.post("/account/calendar/reset", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PrivateFeed)) == 1


def test_an_admin_links_an_account_to_a_person(app, client_as, make_user, world) -> None:
    admin = client_as("admin")
    user = make_user(email="linked@example.org", roles=("scribe",))
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Person in the minutes" in page
    assert "Ada Lovelace (@ada)" in page
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"name": "", "roles": ["scribe"], "active": "y", "person": str(world.ada_id)},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).person_id == world.ada_id
    # Saving without the field keeps the link; "" removes it.
    admin.post(f"/admin/users/{user.id}", data={"roles": ["scribe"], "active": "y"})
    with app.app_context():
        assert db.session.get(User, user.id).person_id == world.ada_id
    admin.post(f"/admin/users/{user.id}", data={"roles": ["scribe"], "active": "y", "person": ""})
    with app.app_context():
        assert db.session.get(User, user.id).person_id is None


def test_merging_people_moves_the_account_link(app, client, scribe, world) -> None:
    """The account linked to a merged-away person follows them to the kept one."""
    from webapp.minutes.services.merge import merge_people
    from webapp.models import Person

    client.post("/account/calendar/person", data={"person": str(world.bob_id)})
    with app.app_context():
        keep, gone = db.session.get(Person, world.ada_id), db.session.get(Person, world.bob_id)
        merge_people(keep, gone, audit.CLI)
        db.session.commit()
        assert db.session.get(User, scribe.id).person_id == world.ada_id


def test_a_rotated_secret_key_keeps_the_address_working(app, client, scribe, world) -> None:
    client.post("/account/calendar/reset")
    path = _address(client)
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    login(client, scribe.email)  # the session was signed with the old key
    assert _address(client) == path  # the fallback opens the sealed token
    app.config["SECRET_KEY_FALLBACKS"] = []
    login(client, scribe.email)
    page = client.get("/account")
    assert page.status_code == 200
    assert "cannot be shown again" in page.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 200  # looked up by its hash
    client.post("/account/calendar/reset", data={"confirm": "1"})
    assert _address(client) != path
    assert app.test_client().get(path).status_code == 404


def test_after_reseal_the_fallback_can_go_and_the_address_is_still_shown(
    app, client, scribe, world
) -> None:
    client.post("/account/calendar/reset")
    path = _address(client)
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    result = app.test_cli_runner().invoke(args=["outbox", "reseal"])
    assert result.exit_code == 0, result.output
    assert "re-sealed 1 private calendar address(es)" in result.output
    app.config["SECRET_KEY_FALLBACKS"] = []
    login(client, scribe.email)  # the session was signed with the old key
    page = client.get("/account").get_data(as_text=True)
    assert "cannot be shown again" not in page
    assert _address(client) == path  # the same address, opened by the new key alone
    assert app.test_client().get(path).status_code == 200


def test_reseal_reports_addresses_that_no_key_opens(app, client, scribe, world) -> None:
    client.post("/account/calendar/reset")
    path = _address(client)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    result = app.test_cli_runner().invoke(args=["outbox", "reseal"])  # the old key is lost
    assert result.exit_code == 1
    assert "1 private calendar address(es) no key opens" in result.output
    assert app.test_client().get(path).status_code == 200  # still served, by its hash


def test_the_demo_scribe_is_linked_to_a_person_with_open_follow_ups(app, client) -> None:
    from webapp import demo

    with app.app_context():
        password = demo.load()
        db.session.commit()
    assert login(client, "scribe@example.org", password).status_code == 302
    assert "This account is linked to <strong>" in client.get("/account").get_data(as_text=True)
    client.post("/account/calendar/reset")
    feed = app.test_client().get(_address(client))
    assert any(uid.startswith("follow-up-") for uid in _uids(feed.data))
    assert any(uid.startswith("series-bhyve-") for uid in _uids(feed.data))
