"""Custom questions: set in the conference settings, asked on the CFP and the edit form alike,
shown to whom their visibility says, in the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import link_token, post_submission, submissions
from tests.forms import resubmit
from webapp.extensions import db
from webapp.models import CustomQuestion

BASE = "/organize/conferences/bhyvecon-2027"
QUESTIONS = "\n".join(
    [
        "yes/no | required | reviewers | Is this your first talk?",
        "choices | optional | public | Which bhyve versions? | 13.x; 14.x; 15.x",
        "long text | optional | organizers | Anything about travel?",
        "url | optional | reviewers | Slides of an earlier talk",
    ]
)


@pytest.fixture
def asked(app, client_as, make_conference):
    conference = make_conference()
    organizer = client_as("organizer")
    response = resubmit(organizer, f"{BASE}/edit", {"questions": QUESTIONS})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        ids = {q.text: f"q{q.id}" for q in db.session.scalars(sa.select(CustomQuestion))}
    return organizer, ids, conference


def test_a_required_question_is_asked_and_refused_when_empty(
    app, client, client_as, asked, smtp_server
) -> None:
    organizer, ids, conf = asked
    page = client.get("/conferences/bhyvecon-2027/cfp").get_data(as_text=True)
    assert "Is this your first talk?" in page
    assert "Which bhyve versions?" in page
    first, versions = ids["Is this your first talk?"], ids["Which bhyve versions?"]
    refused = post_submission(client, conf)
    assert refused.status_code == 200
    errors = re.search(rf'id="{first}-errors"[^>]*>([^<]+)<', refused.get_data(as_text=True))
    assert errors is not None
    assert errors.group(1) == "Please answer this question."
    assert submissions(app) == []
    bad_url = post_submission(
        client, conf, **{first: "yes", ids["Slides of an earlier talk"]: "not a url"}
    )
    assert f'id="{ids["Slides of an earlier talk"]}-errors"' in bad_url.get_data(as_text=True)
    answers = {
        first: "yes",
        versions: ["14.x", "15.x"],
        ids["Anything about travel?"]: "From Toronto",
        ids["Slides of an earlier talk"]: "https://example.org/slides",
    }
    assert post_submission(client, conf, **answers).status_code == 302
    [s] = submissions(app)
    assert s.answers[first[1:]] == "yes"
    assert s.answers[versions[1:]] == ["14.x", "15.x"]
    # Reviewers see the reviewers' and the public answers, not the organizers' own.
    reviewer = client_as("reviewer")
    page = reviewer.get(f"{BASE}/submissions/{s.code}").get_data(as_text=True)
    assert "Is this your first talk?" in page
    assert "14.x, 15.x" in page
    assert "From Toronto" not in page
    assert "From Toronto" in organizer.get(f"{BASE}/submissions/{s.code}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(organizer.get(f"{BASE}/submissions.csv").text)))
    assert rows[0]["Is this your first talk?"] == "yes"
    assert rows[0]["Which bhyve versions?"] == "14.x, 15.x"
    # The speaker's edit form asks the same, with the same rules, and keeps the answers.
    smtp_server.wait_for(1)
    token = link_token(smtp_server.links(smtp_server.to("ada@example.org")[-1])[0])
    assert resubmit(client, f"/cfp/s/{token}/edit").status_code == 302
    assert submissions(app)[0].answers == s.answers
    blank = resubmit(client, f"/cfp/s/{token}/edit", {first: ""})
    assert f'id="{first}-errors"' in blank.get_data(as_text=True)


def test_questions_are_written_one_per_line(asked, app) -> None:
    organizer, _, _ = asked
    page = organizer.get(f"{BASE}/edit").get_data(as_text=True)
    assert "choices | optional | public | Which bhyve versions? | 13.x; 14.x; 15.x" in page
    for bad, message in [
        ("poll | required | public | Q", "Question kind"),
        ("choice | required | public | Level? | only one", "at least two choices"),
        ("text | maybe | public | Q", "say &#39;required&#39; or &#39;optional&#39;"),
        ("text | required | everyone | Q", "shown to reviewers, organizers, public"),
    ]:
        response = resubmit(organizer, f"{BASE}/edit", {"questions": bad})
        assert message in response.get_data(as_text=True), bad


def test_public_answers_go_out_with_the_next_release(app, client, programme) -> None:
    from tests.cfp.conftest import _release
    from webapp.models import Submission

    conference, codes, organizer = programme
    questions = "choice | optional | public | Level | Beginner; Expert\n" + (
        "text | optional | reviewers | Secret"
    )
    assert resubmit(organizer, f"{BASE}/edit", {"questions": questions}).status_code == 302
    with app.app_context():
        level, secret = db.session.scalars(
            sa.select(CustomQuestion.id).order_by(CustomQuestion.position)
        ).all()
        talk = db.session.scalar(sa.select(Submission).where(Submission.code == codes["tutorial"]))
        talk.answers = {str(level): "Beginner", str(secret): "only reviewers"}
        db.session.commit()
    url = f"/conferences/bhyvecon-2027/talks/{codes['tutorial']}"
    assert "Beginner" not in client.get(url).get_data(as_text=True)  # not released yet
    _release(organizer, "Levels")
    page = client.get(url).get_data(as_text=True)
    assert "<dt>Level</dt>" in page
    assert "only reviewers" not in page
    schedule = client.get("/conferences/bhyvecon-2027/schedule.json").get_json()
    events = [
        e
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
    ]
    [event] = [e for e in events if e["code"] == codes["tutorial"]]
    assert event["answers"] == [{"question": "Level", "answer": "Beginner"}]
    assert "only reviewers" not in str(schedule)
