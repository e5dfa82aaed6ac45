"""Fuzzing the URL converters and every public GET route: random path segments and query strings
never answer 500 (on SQLite, and on PostgreSQL with TEST_DATABASE_URL).

The routes are read from ``app.url_map``: a new public page is fuzzed without touching this file.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from webapp.converters import MAX_DB_INT
from webapp.extensions import db
from webapp.security import access_of

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
ARGUMENT = re.compile(r"<(?:([^:>]+):)?([^>]+)>")

KNOWN = [
    "bhyve",
    "bhyvecon-2027",
    "2026-01-08",
    "2026-12-03",
    "20260108",
    "2026-W02-4",
    "0001-01-01",
    "9999-12-31",
    "1",
    "0",
    "-1",
    str(MAX_DB_INT),
    str(MAX_DB_INT + 1),
    str(2**63),
    "9" * 40,
    "\x00",
    "a\x00b",
    "\r\n",
    "..",
    "%",
    "css/cadence.css",
    "x" * 300,
]
segments = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=40),
    st.integers().map(str),
    st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
)
query_keys = st.one_of(
    st.sampled_from(["from", "to", "late", "page", "q", "next", "format", "track", "state"]),
    st.text(max_size=8),
)
queries = st.lists(st.tuples(query_keys, segments), max_size=4)


def public_get_rules(app) -> list:
    found = []
    for rule in app.url_map.iter_rules():
        access = access_of(app, rule.endpoint)
        if access is not None and access.public and "GET" in (rule.methods or ()):
            found.append(rule)
    return sorted(found, key=lambda r: r.rule)


def build(rule, values: list[str]) -> str:
    parts = iter(values)
    return ARGUMENT.sub(lambda m: quote(next(parts), safe=""), rule.rule)


DAYS = ["2026-12-03", "2026-12-10", "2025-12-04", "9999-12-23", "9999-12-31", "0001-01-01"]


@pytest.fixture
def demo_app(app):
    """The demo community, with real values per argument name (``app.known``) to reach deep."""
    import sqlalchemy as sa

    from webapp import demo
    from webapp.models import Conference, Person, Series, Submission

    app.config["CADENCE_NOW"] = lambda: NOW
    with app.app_context():
        demo.load(NOW)
        db.session.commit()
        app.known = {
            "slug": [
                *db.session.scalars(sa.select(Series.slug)),
                *db.session.scalars(sa.select(Conference.slug)),
            ],
            "day": DAYS,
            "person_id": [str(i) for i in db.session.scalars(sa.select(Person.id))],
            "code": list(db.session.scalars(sa.select(Submission.code))),
            "filename": ["css/cadence.css", "js/cadence.js", "../wsgi.py", "css/"],
        }
    return app


def test_every_public_get_route_is_fuzzed(demo_app) -> None:
    endpoints = {r.endpoint for r in public_get_rules(demo_app)}
    assert {"meetings.series_feed", "cfp.schedule_json", "minutes.person", "static"} <= endpoints


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), query=queries)
@example(data=None, query=[("late", "\x00")])
def test_public_get_routes_never_answer_500(demo_app, data, query) -> None:
    rules = public_get_rules(demo_app)
    if data is None:  # the explicit example: the first route with a NUL in its query
        rule, values = rules[0], ["x"] * len(rules[0].arguments)
    else:
        rule = data.draw(st.sampled_from(rules), label="rule")
        values = [
            data.draw(st.one_of(st.sampled_from(demo_app.known.get(name) or KNOWN), segments))
            for _, name in ARGUMENT.findall(rule.rule)
        ]
    url = build(rule, values)
    if query:
        url += "?" + urlencode(query)
    response = demo_app.test_client().get(url)
    response.close()  # a static file's handle
    assert response.status_code < 500, (url, response.status_code)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(segment=segments)
def test_converters_never_hand_a_view_what_the_database_refuses(app, segment: str) -> None:
    adapter = app.url_map.bind("localhost")
    for template in ("/series/{}", "/people/{}", "/static/{}", "/meetings/bhyve/{}"):
        path = template.format(quote(segment, safe="/"))
        try:
            _, args = adapter.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            continue
        for value in args.values():
            if isinstance(value, int):
                assert -MAX_DB_INT - 1 <= value <= MAX_DB_INT, (path, value)
            else:
                assert not re.search(r"[\x00-\x1f\x7f]", value), (path, value)


def test_public_get_routes_with_every_known_and_edge_value(demo_app) -> None:
    """Every public GET route with every combination of real and edge values of its arguments."""
    from itertools import product

    client = demo_app.test_client()
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False
    failures = set()
    for rule in public_get_rules(demo_app):
        names = [name for _, name in ARGUMENT.findall(rule.rule)]
        choices = [(demo_app.known.get(name) or [])[:6] + KNOWN[:12] for name in names]
        for values in product(*choices):
            url = build(rule, list(values))
            response = client.get(url)
            response.close()
            if response.status_code >= 500:
                failures.add(url)
    assert sorted(failures) == []
