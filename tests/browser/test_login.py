import pytest

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_see_dashboard_sign_out(page, make_user) -> None:
    user = make_user(roles=("organizer",), name="Olivia Organizer")
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Wrong email or password").is_visible()

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("Signed in as Olivia Organizer").first.is_visible()

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("Signed out.").is_visible()
    page.goto("/dashboard/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.console_errors == []


def test_layout_holds_on_a_phone(page) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert page.get_by_role("button", name="Sign in").is_visible()
