"""NUL bytes and oversized integers in paths, query strings and forms: 404 or 400, never 500.

PostgreSQL refuses NUL in text and integers beyond its column range; SQLite refuses integers
beyond 64 bits. Run on both (TEST_DATABASE_URL selects PostgreSQL).
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD


@pytest.fixture
def quiet_client(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 answers 500 instead of raising here
    return app.test_client()


@pytest.mark.parametrize(
    "path",
    [
        "/series/%00",
        "/series/a%00b",
        "/series/%01x",
        "/series/x%7f",
        "/calendar/%00.ics",
        "/conferences/%00/",
        "/conferences/%00/schedule.json",
        "/api/v1/series/%00/occurrences",
        "/static/%00",
        "/static/css/%00.css",
        "/people/2147483648",
        "/people/9223372036854775808",
        "/people/99999999999999999999999",
        "/people/" + "9" * 5000,
        "/admin/users/2147483648",
    ],
)
def test_nul_control_characters_and_huge_ids_in_paths_are_404(quiet_client, path) -> None:
    assert quiet_client.get(path).status_code == 404


def test_largest_int_id_still_routes(quiet_client) -> None:
    assert quiet_client.get("/people/2147483647").status_code == 404  # routed, no such person


@pytest.mark.parametrize("query", ["?q=%00", "?%00=1", "?next=/%00"])
def test_nul_in_query_string_is_400(quiet_client, query) -> None:
    assert quiet_client.get("/" + query).status_code == 400


def test_sign_in_with_nul_in_email_is_400(quiet_client, make_user) -> None:
    user = make_user()
    response = quiet_client.post(
        "/login", data={"email": user.email + "\x00", "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_any_form_is_400(quiet_client, client_as) -> None:
    organizer = client_as("admin")
    organizer.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = organizer.post("/admin/users/new", data={"email": "a@example.org", "name": "\x00"})
    assert response.status_code == 400
