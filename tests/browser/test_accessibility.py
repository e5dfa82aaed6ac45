import pytest

from tests.browser.axe import assert_accessible, violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_public_pages_pass_axe(page) -> None:
    for path in ("/", "/login", "/no-such-page"):
        page.goto(path)
        assert_accessible(page)


def test_dashboard_pages_pass_axe_and_work_by_keyboard(page, make_user) -> None:
    admin = make_user(roles=("admin",))
    page.goto("/login")
    # keyboard only: the skip link, then the form fields in order
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Email").focus()
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")
    for path in (
        "/dashboard/",
        "/dashboard/audit",
        "/dashboard/settings",
        "/admin/users/",
        "/admin/users/new",
    ):
        page.goto(path)
        assert_accessible(page)
    assert page.console_errors == []


def test_the_check_itself_catches_a_violation(page) -> None:
    page.goto("/login")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')"
    )
    assert "label" in {v["id"] for v in violations(page)}
