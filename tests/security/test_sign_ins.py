"""Sign-ins are revocable: each has its own token (stored hashed), sign-out ends it in every copy
of its cookies, a password change or deactivation ends all of an account's, and "sign out
everywhere" does so from the account page. The current-password check is rate limited."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_PASSWORD, csrf_token_from, login
from webapp.extensions import db
from webapp.models import SignIn

DASHBOARD = "/dashboard/"


def _sign_in(app, user, remember: bool = False):
    client = app.test_client()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def _copy(app, client, *names: str):
    """Another browser holding copies of ``client``'s cookies (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _signed_in(client) -> bool:
    return client.get(DASHBOARD).status_code == 200


def test_a_stolen_session_cookie_stops_working_at_sign_out(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    owner = _sign_in(app, user)
    thief = _copy(app, owner, "session")
    assert _signed_in(thief)
    owner.post("/logout")
    assert not _signed_in(owner)
    assert not _signed_in(thief)


def test_a_stolen_remember_cookie_stops_working_at_sign_out(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    owner = _sign_in(app, user, remember=True)
    thief = _copy(app, owner, "remember_token")  # no session: the remember cookie alone
    assert _signed_in(thief)
    owner.post("/logout")
    assert not _signed_in(thief)


def test_every_sign_in_has_its_own_token_stored_only_hashed(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    first = _sign_in(app, user, remember=True).get_cookie("remember_token").value
    second = _sign_in(app, user, remember=True).get_cookie("remember_token").value
    assert first != second
    assert str(user.id) != first.split("|")[0]
    with app.app_context():
        hashes = set(db.session.scalars(sa.select(SignIn.token_hash)))
    tokens = {first.split("|")[0], second.split("|")[0]}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not tokens & hashes


def test_password_change_signs_out_every_other_device(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, remember=True)
    stolen = _copy(app, phone, "remember_token")
    response = laptop.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "a-new-password-1",
            "confirm": "a-new-password-1",
        },
    )
    assert response.status_code == 302
    assert _signed_in(laptop)  # this browser got a new sign-in
    assert not _signed_in(phone)
    assert not _signed_in(stolen)


def test_deactivation_signs_the_account_out(app, make_user, client_as) -> None:
    user = make_user(roles=("scribe",))
    victim = _sign_in(app, user, remember=True)
    stolen = _copy(app, victim, "session", "remember_token")
    admin = client_as("admin")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Active" in page
    admin.post(f"/admin/users/{user.id}", data={"name": "x", "roles": ["scribe"]})
    assert not _signed_in(victim)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    SignIn.user_id == user.id, SignIn.revoked_at.is_(None)
                )
            )
            == 0
        )
    # reactivated, the old cookies still open nothing
    admin.post(f"/admin/users/{user.id}", data={"name": "x", "roles": ["scribe"], "active": "y"})
    assert not _signed_in(stolen)


def test_account_page_lists_devices_and_signs_out_everywhere(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, remember=True)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Signed-in devices" in page
    assert page.count("<tr>") == 3  # header + two devices
    assert "(this device)" in page
    assert "kept signed in" in page
    response = laptop.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "Signed out on every device" in response.get_data(as_text=True)
    assert not _signed_in(laptop)
    assert not _signed_in(phone)


def test_a_session_sign_in_ends_after_its_lifetime_without_use(app, make_user) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    app.config["CADENCE_NOW"] = lambda: now[0]
    user = make_user(roles=("scribe",))
    client = _sign_in(app, user)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    now[0] += lifetime - timedelta(minutes=5)
    assert _signed_in(client)  # used: its end moves on
    now[0] += lifetime - timedelta(minutes=5)
    assert _signed_in(client)
    now[0] += lifetime + timedelta(minutes=1)
    assert not _signed_in(client)


def test_a_remembered_sign_in_ends_after_two_weeks_however_used(app, make_user) -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    app.config["CADENCE_NOW"] = lambda: now[0]
    client = _sign_in(app, make_user(roles=("scribe",)), remember=True)
    for _ in range(13):
        now[0] += timedelta(days=1)
        assert _signed_in(client)
    now[0] += timedelta(days=1, minutes=1)
    assert not _signed_in(client)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_rotates_at_sign_in(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    client = app.test_client()
    before = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    after = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert after != before
    refused = client.post("/account/sign-out-everywhere", data={"csrf_token": before})
    assert refused.status_code == 400
    assert _signed_in(client)


def test_session_cookie_only_for_signed_in_visitors_is_permanent(app, make_user) -> None:
    client = app.test_client()
    response = login(client, make_user(roles=("scribe",)).email)
    assert "Expires=" in response.headers["Set-Cookie"]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_current_password_check_is_rate_limited(app, make_user) -> None:
    client = _sign_in(app, make_user(roles=("scribe",)))
    wrong = {
        "current": "not it at all",
        "password": "a-new-password-1",
        "confirm": "a-new-password-1",
    }
    for _ in range(3):
        response = client.post("/account/password", data=wrong)
        assert "That is not your current password." in response.get_data(as_text=True)
    response = client.post("/account/password", data=wrong)
    assert response.status_code == 429
    assert "Too many wrong current passwords" in response.get_data(as_text=True)
    right = {**wrong, "current": TEST_PASSWORD}
    assert client.post("/account/password", data=right).status_code == 429  # even the right one


def test_cli_signs_an_account_out_everywhere(app, runner, make_user) -> None:
    user = make_user(roles=("scribe",))
    browser = _sign_in(app, user, remember=True)
    result = runner.invoke(args=["users", "sign-out", user.email])
    assert result.exit_code == 0, result.output
    assert result.output == f"{user.email}: signed out everywhere\n"
    assert not _signed_in(browser)
    assert runner.invoke(args=["users", "sign-out", "nobody@example.org"]).exit_code == 1


def test_one_device_is_signed_out_from_the_account_page(app, make_user) -> None:
    user = make_user(roles=("scribe",))
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, remember=True)
    other = _sign_in(app, make_user(roles=("scribe",)))
    with app.app_context():
        rows = db.session.execute(
            sa.select(SignIn.remember, SignIn.id).where(SignIn.user_id == user.id)
        )
        ids = {remember: sign_in_id for remember, sign_in_id in rows}
        foreign = db.session.scalar(sa.select(SignIn.id).where(SignIn.user_id != user.id))
    assert laptop.post(f"/account/devices/{foreign}/sign-out").status_code == 404
    assert _signed_in(other)
    response = laptop.post(f"/account/devices/{ids[True]}/sign-out", follow_redirects=True)
    assert "That device is signed out." in response.get_data(as_text=True)
    assert not _signed_in(phone)
    assert _signed_in(laptop)
    laptop.post(f"/account/devices/{ids[False]}/sign-out")
    assert not _signed_in(laptop)
