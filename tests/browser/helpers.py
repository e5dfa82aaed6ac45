"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from tests.conftest import TEST_PASSWORD


def sign_in(page: Any, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login page and land on the dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
