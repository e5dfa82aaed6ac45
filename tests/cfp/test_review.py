"""SubmissionReview: visibility of others' scores, anonymous review, conflicts, filters,
decisions, CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import post_submission, score_field, submissions
from webapp.extensions import db
from webapp.models import SubmissionReview


@pytest.fixture
def three(app, client, make_conference):
    c = make_conference()
    for title, fmt, track, name in [
        ("Alpha talk", 0, 0, "Ada Lovelace"),
        ("Beta tutorial", 2, 1, "Bob Builder"),
        ("Gamma lightning", 1, 0, "Cy Young"),
    ]:
        r = post_submission(
            client,
            c,
            title=title,
            format=str(c.formats[fmt].id),
            track=str(c.tracks[track].id),
            speaker_name=name,
            email=f"{name.split()[0].lower()}@example.org",
        )
        assert r.status_code == 302
    return c, {s.title: s.code for s in submissions(app)}


def _review(client, code: str, score: int, comment: str):
    return client.post(
        f"/organize/conferences/bhyvecon-2027/submissions/{code}/review",
        data={score_field(client.application): str(score), "comment": comment},
    )


def test_reviewer_sees_others_scores_only_after_scoring(app, client_as, three) -> None:
    _, codes = three
    code = codes["Alpha talk"]
    first, second = client_as("reviewer"), client_as("reviewer")
    assert _review(first, code, 5, "Brilliant, first reviewer").status_code == 302
    page = second.get(f"/organize/conferences/bhyvecon-2027/submissions/{code}").get_data(
        as_text=True
    )
    assert "Brilliant, first reviewer" not in page
    assert "appear once you have scored" in page
    listing = second.get("/organize/conferences/bhyvecon-2027/submissions").get_data(as_text=True)
    assert "5.00" not in listing  # no mean score either
    assert _review(second, code, 2, "Meh, second reviewer").status_code == 302
    page = second.get(f"/organize/conferences/bhyvecon-2027/submissions/{code}").get_data(
        as_text=True
    )
    assert "Brilliant, first reviewer" in page
    assert re.search(r"Mean score: <strong[^>]*>3.50</strong> \(2 reviews;", page)
    # One review per (reviewer, submission): scoring again updates it.
    assert _review(second, code, 3, "Changed my mind").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionReview)) == 2


@pytest.mark.parametrize("score", ["-1", "6", "x"])
def test_score_must_be_0_to_5(app, client_as, three, score) -> None:
    _, codes = three
    field = score_field(app)
    response = client_as("reviewer").post(
        f"/organize/conferences/bhyvecon-2027/submissions/{codes['Alpha talk']}/review",
        data={field: score},
    )
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionReview)) == 0


def test_conflict_of_interest_blocks_review(app, client_as, three) -> None:
    _, codes = three
    code = codes["Beta tutorial"]
    reviewer = client_as("reviewer")
    _review(reviewer, code, 4, "before the conflict")
    assert (
        reviewer.post(
            f"/organize/conferences/bhyvecon-2027/submissions/{code}/conflict"
        ).status_code
        == 302
    )
    page = reviewer.get(f"/organize/conferences/bhyvecon-2027/submissions/{code}").get_data(
        as_text=True
    )
    assert "You declared a conflict of interest" in page
    assert "Save my review" not in page
    response = _review(reviewer, code, 5, "sneaky")
    # Refused before anything of the submission is shown (the refusal page showed it all).
    assert response.status_code == 403
    refusal = response.get_data(as_text=True)
    assert "You declared a conflict of interest with this submission." in refusal
    assert "Beta tutorial" not in refusal
    assert "About Beta tutorial" not in refusal
    bad_score = _review(reviewer, code, 9, "sneaky")
    assert bad_score.status_code == 403
    assert "Beta tutorial" not in bad_score.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionReview)) == 0
        )  # the earlier one is gone


def test_anonymous_review_hides_speakers_from_reviewers(
    app, client, client_as, make_conference
) -> None:
    c = make_conference(anonymous_review=True)
    post_submission(client, c, speaker_name="Secret Speaker")
    [s] = submissions(app)
    reviewer = client_as("reviewer")
    for url in (
        "/organize/conferences/bhyvecon-2027/submissions",
        f"/organize/conferences/bhyvecon-2027/submissions/{s.code}",
    ):
        page = reviewer.get(url).get_data(as_text=True)
        assert "Secret Speaker" not in page
        assert "ada@example.org" not in page
    # Nor can a reviewer find them by searching for a name.
    found = reviewer.get("/organize/conferences/bhyvecon-2027/submissions?q=Secret").get_data(
        as_text=True
    )
    assert s.code not in found
    assert "Secret Speaker" in client_as("organizer").get(
        f"/organize/conferences/bhyvecon-2027/submissions/{s.code}"
    ).get_data(as_text=True)


def test_filter_and_sort(app, client_as, three) -> None:
    c, codes = three
    organizer = client_as("organizer")
    _review(organizer, codes["Beta tutorial"], 5, "")
    _review(organizer, codes["Gamma lightning"], 3, "")
    _review(organizer, codes["Alpha talk"], 1, "")
    base = "/organize/conferences/bhyvecon-2027/submissions"

    def titles(query: str) -> list[tuple[int, str]]:
        """The titles listed, in page order."""
        page = organizer.get(base + query).get_data(as_text=True)
        return sorted(
            (page.index(t), t)
            for t in ("Alpha talk", "Beta tutorial", "Gamma lightning")
            if t in page
        )

    assert [t for _, t in titles("?sort=score")] == [
        "Beta tutorial",
        "Gamma lightning",
        "Alpha talk",
    ]
    assert [t for _, t in titles("?sort=title")] == [
        "Alpha talk",
        "Beta tutorial",
        "Gamma lightning",
    ]
    assert [t for _, t in titles(f"?format={c.formats[2].id}")] == ["Beta tutorial"]
    assert [t for _, t in titles(f"?track={c.tracks[0].id}")] == ["Alpha talk", "Gamma lightning"]
    assert [t for _, t in titles("?state=accepted")] == []
    assert organizer.get(base + "?state=bogus&sort=bogus&format=x").status_code == 200


def test_bulk_decisions_wait_for_send_and_reviewers_cannot_decide(
    app, client_as, three, smtp_server
) -> None:
    _, codes = three
    smtp_server.drain()  # the submissions' own mail has gone out
    smtp_server.messages.clear()
    reviewer = client_as("reviewer")
    url = "/organize/conferences/bhyvecon-2027/submissions/decide"
    assert (
        reviewer.post(url, data={"decision": "accept", "code": [codes["Alpha talk"]]}).status_code
        == 403
    )
    organizer = client_as("organizer")
    assert 'name="note"' in organizer.get("/organize/conferences/bhyvecon-2027/submissions").text
    response = organizer.post(
        url,
        data={
            "decision": "accept",
            "code": [codes["Alpha talk"], codes["Beta tutorial"]],
            "note": "  Please bring a demo.  ",
        },
        follow_redirects=True,
    )
    assert "2 submission(s) now pending accepted" in response.get_data(as_text=True)
    organizer.post(
        f"/organize/conferences/bhyvecon-2027/submissions/{codes['Gamma lightning']}/decide",
        data={"decision": "reject"},
    )
    # Nothing is sent, and nothing shows, until "Send decisions".
    assert {s.state for s in submissions(app)} == {"submitted"}
    assert reviewer.post("/organize/conferences/bhyvecon-2027/decisions").status_code == 403
    preview = organizer.get("/organize/conferences/bhyvecon-2027/decisions").get_data(as_text=True)
    assert "<strong>2</strong> Acceptance mail(s)" in preview
    assert "<strong>1</strong> Rejection mail(s)" in preview
    sent = organizer.post("/organize/conferences/bhyvecon-2027/decisions", follow_redirects=True)
    assert "3 decision(s) sent" in sent.get_data(as_text=True)
    states = {s.title: s.state for s in submissions(app)}
    assert states == {
        "Alpha talk": "accepted",
        "Beta tutorial": "accepted",
        "Gamma lightning": "rejected",
    }
    messages = smtp_server.wait_for(3)
    assert sorted(str(m["To"]) for m in messages) == [
        "ada@example.org",
        "bob@example.org",
        "cy@example.org",
    ]
    notes = {str(m["To"]): "Please bring a demo." in smtp_server.body(m) for m in messages}
    assert sum(notes.values()) == 2  # the two accepted together; the one rejected alone: none


def test_a_bulk_decision_without_a_note_keeps_each_ones_own(app, client_as, three) -> None:
    _, codes = three
    organizer = client_as("organizer")
    base = "/organize/conferences/bhyvecon-2027/submissions"
    organizer.post(
        f"{base}/{codes['Alpha talk']}/decide", data={"decision": "accept", "note": "Own words."}
    )
    chosen = [codes["Alpha talk"], codes["Beta tutorial"]]
    organizer.post(f"{base}/decide", data={"decision": "reject", "code": chosen, "note": " "})
    notes = {s.title: (s.pending_state, s.decision_note) for s in submissions(app)}
    assert notes["Alpha talk"] == ("rejected", "Own words.")
    assert notes["Beta tutorial"] == ("rejected", "")


def test_csv_export_defuses_formulas(app, client, client_as, make_conference) -> None:
    c = make_conference()
    post_submission(
        client,
        c,
        title='=HYPERLINK("http://evil")',
        abstract="+1+1",
        speaker_name="@SUM(A1)",
        affiliation="-x",
    )
    response = client_as("organizer").get("/organize/conferences/bhyvecon-2027/submissions.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["code", "state", "title"]
    row = rows[1]
    assert row[2] == '\'=HYPERLINK("http://evil")'
    assert row[5] == "'@SUM(A1)"
    assert row[-1] == "'+1+1"
    assert (
        client_as("reviewer").get("/organize/conferences/bhyvecon-2027/submissions.csv").status_code
        == 403
    )
