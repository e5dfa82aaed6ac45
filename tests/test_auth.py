import pytest
import sqlalchemy as sa

from tests.conftest import TEST_PASSWORD, csrf_token_from, login
from webapp.extensions import db
from webapp.models import AuditEntry


def test_login_dashboard_logout(client, make_user) -> None:
    user = make_user(roles=("scribe",), name="Sam Scribe")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login?next=/dashboard/" in response.headers["Location"]

    response = login(client, user.email)
    assert response.status_code == 302
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Sam Scribe" in page
    assert "scribe" in page

    response = client.post("/logout", follow_redirects=True)
    assert "Signed out." in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_a_form_error(client, make_user) -> None:
    user = make_user(roles=("admin",))
    response = login(client, user.email, "not the password")
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_unknown_email_and_deactivated_account_cannot_sign_in(client, make_user) -> None:
    user = make_user(roles=("admin",), active=False)
    assert "Wrong email or password" in login(client, user.email).get_data(as_text=True)
    assert "Wrong email or password" in login(client, "nobody@example.org").get_data(as_text=True)


def test_password_is_hashed_with_argon2(app, make_user) -> None:
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_login_is_audited(app, client, make_user) -> None:
    user = make_user(roles=("admin",))
    login(client, user.email)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "user.login" in actions


def test_open_redirect_is_refused(client, make_user) -> None:
    user = make_user(roles=("admin",))
    response = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/dashboard/"
    client.post("/logout")
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/dashboard/"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_missing_csrf_token_is_400(client, make_user) -> None:
    user = make_user(roles=("admin",))
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "security token is missing" in response.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_failed_logins_are_limited_but_successes_are_not_counted(client, make_user) -> None:
    user = make_user(roles=("admin",))
    for _ in range(2):
        assert login(client, user.email, "wrong-password").status_code == 200
    assert login(client, user.email).status_code == 302  # a success does not count
    client.post("/logout")
    assert login(client, user.email, "wrong-password").status_code == 200
    response = login(client, user.email, "wrong-password")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_session_cookie_flags(app, client, make_user) -> None:
    user = make_user(roles=("admin",))
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # permanent session with a lifetime


@pytest.mark.app_config(CADENCE_BASE_URL="https://cadence.example.org")
def test_secure_cookies_and_hsts_behind_https(client, make_user) -> None:
    user = make_user(roles=("admin",))
    response = login(client, user.email)
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age" in client.get("/").headers["Strict-Transport-Security"]


def test_change_password(client_as) -> None:
    client = client_as("scribe")
    response = client.post(
        "/account/password",
        data={"current": "wrong", "password": "a-new-password-1", "confirm": "a-new-password-1"},
    )
    assert "That is not your current password." in response.get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "a-new-password-1",
            "confirm": "a-new-password-1",
        },
    )
    assert response.status_code == 302
    email = client.user.email
    client.post("/logout")
    assert login(client, email, "a-new-password-1").status_code == 302


def test_keep_me_signed_in_lasts_two_weeks(client, make_user) -> None:
    user = make_user(roles=("scribe",))
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"}
    )
    remember = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    expires = remember.split("Expires=")[1].split(";")[0]
    from datetime import UTC, datetime, timedelta
    from email.utils import parsedate_to_datetime

    left = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert timedelta(days=13) < left <= timedelta(days=14, minutes=1)
