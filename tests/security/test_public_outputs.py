"""Public outputs set no session cookie, and the ones whose body is the same for everyone (feeds,
programme ICS, schedule.json, the JSON API) carry no ``Vary: Cookie`` either, even when a
signed-in visitor asks: shared caches may keep them."""

from __future__ import annotations

import pytest

from tests.conftest import login


def stateless_paths(p) -> list[str]:
    return [
        "/calendar.ics",
        f"/calendar/{p['series']}.ics",
        f"/meetings/{p['series']}/{p['day']}.ics",
        f"/conferences/{p['conference']}/program.ics",
        f"/conferences/{p['conference']}/schedule.json",
        f"/api/v1/series/{p['series']}/occurrences?from=2026-01-01&to=2026-12-31",
        f"/api/v1/series/{p['series']}/occurrences",  # a 400 answer is public too
        "/minutes.atom",
        "/conferences/no-such-conference/schedule.json",  # and a 404
    ]


def page_paths(p) -> list[str]:
    return [
        "/",
        f"/series/{p['series']}",
        f"/meetings/{p['series']}/{p['day']}",
        "/conferences/",
        f"/conferences/{p['conference']}/",
        f"/conferences/{p['conference']}/program",
        "/people/",
        f"/series/{p['series']}/follow-ups",
        f"/series/{p['series']}/reviews",
        "/no/such/page",
    ]


def _cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_stateless_outputs_set_no_cookie_and_do_not_vary_on_it(app, demo_paths) -> None:
    for path in stateless_paths(demo_paths):
        response = app.test_client().get(path)
        assert response.status_code < 500, path
        assert _cookies(response) == [], path
        assert "Cookie" not in response.headers.get("Vary", ""), path


def test_stateless_outputs_are_the_same_for_signed_in_visitors(app, demo_paths, make_user) -> None:
    client = app.test_client()
    assert login(client, make_user(roles=("admin",)).email).status_code == 302
    for path in stateless_paths(demo_paths):
        response = client.get(path)
        assert _cookies(response) == [], path
        assert "Cookie" not in response.headers.get("Vary", ""), path


def test_anonymous_public_pages_set_no_session_cookie(app, demo_paths) -> None:
    for path in page_paths(demo_paths):
        response = app.test_client().get(path)
        assert response.status_code in (200, 404), path
        assert _cookies(response) == [], path


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("path", ["/login"])
def test_pages_with_a_form_keep_a_browser_session_cookie(app, path) -> None:
    [cookie] = _cookies(app.test_client().get(path))
    assert cookie.startswith("session=")
    assert "Expires=" not in cookie  # not made permanent for an anonymous visitor


def test_every_public_output_that_is_not_a_page_is_stateless(app, demo_paths, make_user) -> None:
    """Walks the URL map: each public GET answering something other than HTML carries no cookie
    and no ``Vary: Cookie``, anonymous or signed in (a new feed is covered without a test)."""
    import re

    from webapp.security import access_of

    values = {
        "slug": demo_paths["series"],
        "day": demo_paths["day"],
        "person_id": str(demo_paths["person"]),
        "code": demo_paths["talk"] or "X",
        "filename": "css/cadence.css",
    }
    anonymous = app.test_client()
    signed_in = app.test_client()
    assert login(signed_in, make_user(roles=("admin",)).email).status_code == 302
    checked = []
    for rule in app.url_map.iter_rules():
        access = access_of(app, rule.endpoint)
        if not (access and access.public and "GET" in (rule.methods or ())):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "x"), rule.rule)
        if rule.endpoint.startswith("cfp.") and "<slug>" in rule.rule:
            path = path.replace(demo_paths["series"], demo_paths["conference"], 1)
        for client in (anonymous, signed_in):
            response = client.get(path)
            response.close()
            if response.status_code != 200 or response.mimetype == "text/html":
                continue
            checked.append(path)
            assert _cookies(response) == [], path
            assert "Cookie" not in response.headers.get("Vary", ""), path
    assert len(set(checked)) >= 8, sorted(set(checked))
