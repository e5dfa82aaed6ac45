"""Requests that race on PostgreSQL: each one either wins or is told why, never a 500.

A test hook holds both requests at the same point (a barrier) inside the transaction, so the
race is certain, not left to timing. The hooks only wait; the requests run as in production.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import form_data, page_token, post_submission, score_field, submissions
from tests.conftest import login
from webapp import audit
from webapp.cfp import services
from webapp.cfp.services import staged
from webapp.cfp.services import submissions as submissions_service
from webapp.extensions import db
from webapp.models import AuditEntry, Conference, LateLink, OutboxMessage, SubmissionReview


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """These races need row locks: the app runs on PostgreSQL in the SQLite pass too."""
    return pg_schema_url


def _held(barrier: threading.Barrier, function: Callable[..., Any]) -> Callable[..., Any]:
    def wait_then_run(*args: Any, **kwargs: Any) -> Any:
        barrier.wait(timeout=10)
        return function(*args, **kwargs)

    return wait_then_run


def _together(*calls: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _form(client: Any, conference: Any, url: str, **overrides: Any) -> dict[str, Any]:
    page = client.get(url).get_data(as_text=True)
    data = form_data(conference, **overrides)
    data["form_token"] = page_token(page)
    return data


def test_a_late_link_posted_twice_at_once_is_used_once(
    app, make_conference, clock, monkeypatch
) -> None:
    c = make_conference()
    with app.app_context():
        conference = db.session.get(Conference, c.id)
        # No per-address limit: its lock would serialise the two posts before the link is used.
        conference.proposal_limit = 0
        _, url = services.create_late_link(conference, "Grace", c.ends_on, audit.CLI, clock.now)
        db.session.commit()
    clock.now = clock.now.replace(year=2027, month=3, day=5)  # the call has closed
    path = url.split("localhost", 1)[1]
    one, two = app.test_client(), app.test_client()
    first = _form(one, c, path, title="First copy")
    second = _form(two, c, path, title="Second copy")
    barrier = threading.Barrier(2)
    monkeypatch.setattr(
        submissions_service, "use_late_link", _held(barrier, submissions_service.use_late_link)
    )
    answers = _together(lambda: one.post(path, data=first), lambda: two.post(path, data=second))
    codes = sorted(a.status_code for a in answers)
    assert codes == [302, 403], codes
    refused = next(a for a in answers if a.status_code == 403).get_data(as_text=True)
    assert "This late-submission link is not valid" in refused
    assert len(submissions(app)) == 1
    with app.app_context():
        [link] = db.session.scalars(sa.select(LateLink)).all()
        assert link.used_at is not None
        assert link.submission_id is not None


def test_the_per_address_limit_holds_under_concurrent_posts(
    app, client, make_conference, monkeypatch
) -> None:
    c = make_conference()
    for n in range(2):
        assert post_submission(client, c, title=f"Talk {n}").status_code == 302
    one, two = app.test_client(), app.test_client()
    url = f"/conferences/{c.slug}/cfp"
    first, second = _form(one, c, url, title="Third"), _form(two, c, url, title="Fourth")
    barrier = threading.Barrier(2)
    monkeypatch.setattr(
        submissions_service, "check_limit", _held(barrier, submissions_service.check_limit)
    )
    answers = _together(lambda: one.post(url, data=first), lambda: two.post(url, data=second))
    assert sorted(a.status_code for a in answers) == [200, 302]
    refused = next(a for a in answers if a.status_code == 200).get_data(as_text=True)
    assert "this call accepts at most 3 per speaker" in refused
    assert len(submissions(app)) == 3


def test_two_first_reviews_at_once_one_saves_the_other_is_told(
    app, client, make_conference, make_user, monkeypatch
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app)
    reviewer = make_user(roles=("reviewer",))
    one, two = app.test_client(), app.test_client()
    login(one, reviewer.email)
    login(two, reviewer.email)
    barrier = threading.Barrier(2)
    monkeypatch.setattr(services, "save_review", _held(barrier, services.save_review))
    url = f"/organize/conferences/{c.slug}/submissions/{s.code}/review"
    field = score_field(app)
    answers = _together(
        lambda: one.post(url, data={field: "4", "comment": "one"}),
        lambda: two.post(url, data={field: "2", "comment": "two"}),
    )
    assert sorted(a.status_code for a in answers) == [302, 409]
    told = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert re.search(r"Someone else saved this at the same moment", told)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionReview)) == 1


def test_two_accepts_at_once_apply_and_mail_once(
    app, client, make_conference, make_user, monkeypatch
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app)
    one, two = app.test_client(), app.test_client()
    login(one, make_user(roles=("organizer",)).email)
    login(two, make_user(roles=("organizer",)).email)
    url = f"/organize/conferences/{c.slug}/submissions/{s.code}"
    forms = [_button(one, url), _button(two, url)]
    barrier = threading.Barrier(2)
    assert one.post(f"{url}/decide", data={**forms[0], "decision": "accept"}).status_code == 302
    monkeypatch.setattr(staged, "set_submission_state", _held(barrier, staged.set_submission_state))
    send = f"/organize/conferences/{c.slug}/decisions"
    answers = _together(
        lambda: one.post(send, data=forms[0]), lambda: two.post(send, data=forms[1])
    )
    assert sorted(a.status_code for a in answers) == [200, 302]
    told = next(a for a in answers if a.status_code == 200).get_data(as_text=True)
    assert "Someone changed this submission at the same moment" in told
    with app.app_context():
        accepted = sa.select(sa.func.count()).select_from(OutboxMessage)
        assert db.session.scalar(accepted.where(OutboxMessage.template == "cfp_accepted")) == 1
        entries = sa.select(sa.func.count()).select_from(AuditEntry)
        assert db.session.scalar(entries.where(AuditEntry.action == "submission.accepted")) == 1


def _button(client: Any, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return {"csrf_token": token.group(1)} if token else {}
