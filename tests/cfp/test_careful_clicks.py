"""Destructive clicks ask once and say who is mailed; withdrawals and declines can be undone;
the dashboard, the list and the by-state table count alike."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.cfp.conftest import CLOSES_UTC, mailed_token, post_submission, submissions
from tests.forms import read_form
from webapp.models import SubmissionState

BASE = "/organize/conferences/bhyvecon-2027"


def test_withdraw_asks_first_and_an_organizer_undoes_it(
    app, client, client_as, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    smtp_server.wait_for(1)
    token = mailed_token(smtp_server)
    asked = client.post(f"/cfp/s/{token}/withdraw")
    assert asked.status_code == 200
    assert asked.headers["Cache-Control"] == "no-store"
    page = asked.get_data(as_text=True)
    assert "Withdraw “Live migration in bhyve”?" in page
    assert "Only the organizers can undo this." in page
    form = read_form(page)
    assert ("confirmed", "1") in form["fields"]
    assert submissions(app)[0].state == SubmissionState.SUBMITTED
    assert client.post(f"/cfp/s/{token}/withdraw", data={"confirmed": "1"}).status_code == 302
    [s] = submissions(app)
    assert s.state == SubmissionState.WITHDRAWN
    organizer = client_as("organizer")
    url = f"{BASE}/submissions/{s.code}"
    assert "Undo: make it submitted again" in organizer.get(url).get_data(as_text=True)
    sent = len(smtp_server.messages)
    assert organizer.post(url + "/undo").status_code == 302
    assert submissions(app)[0].state == SubmissionState.SUBMITTED
    smtp_server.drain()
    assert len(smtp_server.messages) == sent  # nobody is mailed


def test_a_declined_talk_comes_back_until_the_conference_ends(
    app, client, client_as, clock, make_conference, smtp_server
) -> None:
    c = make_conference(starts=date(2027, 6, 10), ends=date(2027, 6, 11))
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app)
    clock.now = CLOSES_UTC + timedelta(days=1)
    organizer = client_as("organizer")
    organizer.post(f"{BASE}/submissions/{s.code}/decide", data={"decision": "accept"})
    organizer.post(f"{BASE}/decisions")
    smtp_server.wait_for(2)
    token = mailed_token(smtp_server)
    assert client.post(f"/cfp/s/{token}/confirm").status_code == 302
    asked = client.post(f"/cfp/s/{token}/decline").get_data(as_text=True)
    assert "Give up your slot for “Live migration in bhyve”?" in asked
    assert client.post(f"/cfp/s/{token}/decline", data={"confirmed": "1"}).status_code == 302
    assert submissions(app)[0].state == SubmissionState.DECLINED
    decided_at = submissions(app)[0].decided_at
    assert organizer.post(f"{BASE}/submissions/{s.code}/undo").status_code == 302
    [back] = submissions(app)
    assert (back.state, back.decided_at) == (SubmissionState.CONFIRMED, decided_at)
    # After the conference, no undo.
    client.post(f"/cfp/s/{token}/decline", data={"confirmed": "1"})
    clock.now = CLOSES_UTC + timedelta(days=120)
    organizer = client_as("organizer")
    page = organizer.get(f"{BASE}/submissions/{s.code}").get_data(as_text=True)
    assert "Undo:" not in page
    organizer.post(f"{BASE}/submissions/{s.code}/undo")
    assert submissions(app)[0].state == SubmissionState.DECLINED


def test_rejecting_an_accepted_talk_asks_first(
    app, client, client_as, clock, make_conference, smtp_server
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app)
    organizer = client_as("organizer")
    url = f"{BASE}/submissions/{s.code}/decide"
    organizer.post(url, data={"decision": "accept"})
    organizer.post(f"{BASE}/decisions")
    asked = organizer.post(url, data={"decision": "reject", "note": "Sorry"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "each of them gets the rejection mail: ada@example.org." in page
    assert submissions(app)[0].pending_state is None
    confirmed = {"decision": "reject", "note": "Sorry", "confirmed": "1"}
    assert organizer.post(url, data=confirmed).status_code == 302
    [after] = submissions(app)
    assert (after.state, after.pending_state, after.decision_note) == (
        "accepted",
        "rejected",
        "Sorry",
    )


def test_the_dashboard_the_list_and_the_by_state_table_count_alike(
    app, client, client_as, make_conference, smtp_server
) -> None:
    c = make_conference()
    for n in range(4):
        response = post_submission(client, c, title=f"Talk {n}", email=f"s{n}@example.org")
        assert response.status_code == 302
    smtp_server.wait_for(4)
    token = mailed_token(smtp_server, "s0@example.org")
    client.post(f"/cfp/s/{token}/withdraw", data={"confirmed": "1"})
    organizer = client_as("organizer")
    dashboard = organizer.get("/dashboard/").get_data(as_text=True)
    total = re.search(r'<span class="cfp-total">(\d+) submissions</span>', dashboard)
    assert total is not None
    assert total.group(1) == "4"
    assert "(1 withdrawn)" in dashboard
    by_state = dashboard.split("<h4>By state</h4>", 1)[1].split("</table>", 1)[0]
    counts = [int(n) for n in re.findall(r"</a></td><td>(\d+)</td>", by_state)]
    assert sum(counts) == 4
    assert re.search(r"all</a></th><td>4</td>", by_state)
    listing = organizer.get(f"{BASE}/submissions").get_data(as_text=True)
    assert "4 submission(s)" in listing
