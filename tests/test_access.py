"""Walk every endpoint of the URL map and prove its access rule is declared and enforced."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import FloatConverter, IntegerConverter, Rule

from tests.conftest import ROLES
from webapp.security import access_of


def dummy(converter: object) -> Any:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    return "x"


def fill(rule: Rule) -> str:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        values[name] = dummy(converter)
    url = rule.build(values, append_unknown=False)
    assert url is not None
    return url[1]


def rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_endpoint_declares_its_access(app: Flask) -> None:
    missing = [r.endpoint for r in rules(app) if access_of(app, r.endpoint) is None]
    assert missing == [], f"endpoints without @public/@signed_in/@roles_required: {missing}"


def method_of(rule: Rule) -> str:
    methods = rule.methods or set()
    return "GET" if "GET" in methods else sorted(methods - {"HEAD", "OPTIONS"})[0]


def test_anonymous_visitors_reach_only_public_endpoints(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for rule in rules(app):
        access = access_of(app, rule.endpoint)
        assert access is not None
        response = client.open(fill(rule), method=method_of(rule), headers={"Accept": "text/html"})
        if access.public:
            assert response.status_code not in (401, 403), rule.rule
        else:
            checked += 1
            assert response.status_code in (302, 401), (rule.rule, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], rule.rule
    assert checked > 0


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_role_is_refused_what_it_may_not_open(app: Flask, client_as, role: str | None) -> None:
    client = client_as(role) if role else client_as()
    for rule in rules(app):
        access = access_of(app, rule.endpoint)
        assert access is not None
        if access.public:
            continue
        allowed = role == "admin" or not access.roles or role in access.roles
        if rule.endpoint in ("auth.logout", "auth.sign_out_everywhere", "auth.sign_out_device"):
            continue  # would sign the client out for the rest of the walk
        response = client.open(fill(rule), method=method_of(rule))
        if allowed:
            assert response.status_code not in (401, 403), (role, rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (role, rule.rule, response.status_code)


def test_reviewer_on_admin_page_gets_403_page(client_as) -> None:
    response = client_as("reviewer").get("/admin/users/")
    assert response.status_code == 403
    assert "Your account may not open this page." in response.get_data(as_text=True)
