"""Conflicts of interest close the submission; only reviewers' scores count as "scored by all"."""

from __future__ import annotations

from tests.cfp.conftest import post_submission, score_field, submissions


def _review(client, code: str, score: int):
    return client.post(
        f"/organize/conferences/bhyvecon-2027/submissions/{code}/review",
        data={score_field(client.application): str(score), "comment": ""},
    )


def test_a_reviewer_with_a_conflict_cannot_open_the_submission(
    client, client_as, make_conference
) -> None:
    c = make_conference()
    assert (
        post_submission(client, c, description="Only for reviewers without conflict").status_code
        == 302
    )
    [s] = submissions(app=client.application)
    reviewer = client_as("reviewer")
    url = f"/organize/conferences/bhyvecon-2027/submissions/{s.code}"
    assert reviewer.get(url).status_code == 200
    assert reviewer.post(url + "/conflict").status_code == 302
    page = reviewer.get(url)
    assert page.status_code == 403
    body = page.get_data(as_text=True)
    assert "You declared a conflict of interest with this submission." in body
    assert "Only for reviewers without conflict" not in body
    # The organizers, and reviewers without a conflict, still open it.
    assert client_as("organizer").get(url).status_code == 200
    assert client_as("reviewer").get(url).status_code == 200


def test_scored_by_every_reviewer_counts_reviewers_scores_only(
    client, client_as, make_conference
) -> None:
    c = make_conference()
    assert post_submission(client, c).status_code == 302
    [s] = submissions(app=client.application)
    reviewer = client_as("reviewer")
    organizer = client_as("organizer")
    assert _review(organizer, s.code, 3).status_code == 302
    page = organizer.get("/dashboard/").get_data(as_text=True)
    assert "Scored by every reviewer: 0" in page  # the organizer's score is not a reviewer's
    assert _review(reviewer, s.code, 4).status_code == 302
    page = organizer.get("/dashboard/").get_data(as_text=True)
    assert "Scored by every reviewer: 1" in page
