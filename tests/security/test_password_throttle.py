"""Wrong passwords are counted per account as well as per client address: after a few, each next
check waits longer (never a lock), the page says how long, and a right password starts over."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_PASSWORD

START = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app) -> Clock:
    c = Clock()
    app.config["CADENCE_NOW"] = c
    return c


def _try(app, email: str, password: str, address: str = "192.0.2.1"):
    client = app.test_client()  # every guess from a fresh client, many from other addresses
    client.environ_base["REMOTE_ADDR"] = address
    answer = client.post("/login", data={"email": email, "password": password})
    return answer.status_code, html.unescape(answer.get_data(as_text=True))


@pytest.mark.app_config(LOGIN_FREE_FAILURES=3, LOGIN_MAX_DELAY=8)
def test_failures_grow_a_delay_per_account_whatever_the_client_address(
    app, make_user, clock
) -> None:
    user = make_user(email="organizer@example.org", roles=("organizer",))
    other = make_user(email="other@example.org", roles=("organizer",))
    for i in range(3):  # free
        assert _try(app, user.email, "wrong", f"192.0.2.{i}")[0] == 200
    status, page = _try(app, "Organizer@EXAMPLE.org", "wrong", "198.51.100.7")
    assert status == 200  # the 4th failure: the next check waits 1 s
    status, page = _try(app, user.email, TEST_PASSWORD, "203.0.113.9")
    assert status == 429  # even the right password waits: the check does not run
    assert "Too many wrong passwords for this account. Wait 1 second, then try again." in page
    assert _try(app, other.email, TEST_PASSWORD)[0] == 302  # other accounts are not touched

    waits = []
    for _ in range(5):
        status, page = _try(app, user.email, "wrong")
        if status == 429:
            waits.append(int(page.split("Wait ", 1)[1].split(" ")[0]))
            clock.now += timedelta(seconds=waits[-1])
        status, _ = _try(app, user.email, "wrong")
        assert status == 200
    assert waits == [1, 2, 4, 8, 8]  # grows, up to LOGIN_MAX_DELAY: never a lock

    clock.now += timedelta(seconds=8)
    assert _try(app, user.email, TEST_PASSWORD)[0] == 302  # the owner gets in
    assert _try(app, user.email, "wrong")[0] == 200  # and the count started again


@pytest.mark.app_config(LOGIN_FREE_FAILURES=1)
def test_unknown_accounts_are_answered_alike(app, make_user, clock) -> None:
    make_user(email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        first = _try(app, email, "wrong")
        second = _try(app, email, "wrong")
        third = _try(app, email, "wrong")
        answers.append((first[0], second[0], third[0], "Wait 1 second" in third[1]))
    assert answers[0] == answers[1] == (200, 200, 429, True)


@pytest.mark.app_config(LOGIN_FREE_FAILURES=1)
def test_the_current_password_check_is_throttled_too(app, client_as, clock) -> None:
    signed_in = client_as("organizer")
    data = {"current": "wrong", "password": "a new long password", "confirm": "a new long password"}
    assert signed_in.post("/account/password", data=data).status_code == 200
    assert signed_in.post("/account/password", data=data).status_code == 200
    refused = signed_in.post("/account/password", data={**data, "current": TEST_PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Wait 1 second" in refused.get_data(as_text=True)
    clock.now += timedelta(seconds=1)
    changed = signed_in.post("/account/password", data={**data, "current": TEST_PASSWORD})
    assert changed.status_code == 302
