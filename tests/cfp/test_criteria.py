"""Reviews: a comment alone, an abstention, scores per criterion and their weighted mean."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import post_submission, score_field, submissions
from tests.forms import resubmit
from webapp.extensions import db
from webapp.models import ReviewScore, SubmissionReview

BASE = "/organize/conferences/bhyvecon-2027"


@pytest.fixture
def two(app, client, make_conference):
    c = make_conference()
    for title, email in (("Alpha talk", "ada@example.org"), ("Beta talk", "bob@example.org")):
        assert post_submission(client, c, title=title, email=email).status_code == 302
    return c, {s.title: s.code for s in submissions(app)}


def _mean(page: str) -> str:
    match = re.search(r'Mean score: <strong class="mean-score">([^<]+)</strong>', page)
    assert match, "no mean score shown"
    return match.group(1)


def test_a_comment_alone_is_a_review_and_sets_no_score(app, client_as, two) -> None:
    _, codes = two
    url = f"{BASE}/submissions/{codes['Alpha talk']}"
    first, second = client_as("reviewer"), client_as("reviewer")
    field = score_field(app)
    assert first.post(url + "/review", data={field: "5", "comment": "Great"}).status_code == 302
    # The form presets no score.
    page = second.get(url).get_data(as_text=True)
    assert '<option selected value="">— no score —</option>' in page
    assert second.post(url + "/review", data={"comment": "Only a remark"}).status_code == 302
    with app.app_context():
        review = db.session.scalar(
            sa.select(SubmissionReview).where(SubmissionReview.comment == "Only a remark")
        )
        assert review.scores == []
        assert review.total is None
    # A comment does not unlock the others' scores; the mean counts only scores.
    page = second.get(url).get_data(as_text=True)
    assert "Great" not in page
    assert "appear once you have scored" in page
    assert "Mean score: <strong" in client_as("organizer").get(url).get_data(as_text=True)
    assert _mean(client_as("organizer").get(url).get_data(as_text=True)) == "5.00"
    # Abstaining does.
    abstain = {"abstain": "y", "comment": "Only a remark"}
    assert second.post(url + "/review", data=abstain).status_code == 302
    page = second.get(url).get_data(as_text=True)
    assert "Great" in page
    assert _mean(page) == "5.00"
    # Nothing at all is not a review; abstaining with a score is refused.
    empty = second.post(url + "/review", data={"comment": " "})
    assert empty.status_code == 409
    assert "Write a comment, give a score, or abstain." in empty.get_data(as_text=True)
    both = second.post(url + "/review", data={field: "3", "abstain": "y"})
    assert "Abstain, or give scores: not both." in both.get_data(as_text=True)


def test_the_mean_is_weighted_by_the_criteria(app, client_as, two) -> None:
    _, codes = two
    organizer = client_as("organizer")
    criteria = "Relevance:2:5\nClarity:1:5"
    response = resubmit(organizer, f"{BASE}/edit", {"criteria": criteria})
    assert response.status_code == 302
    relevance, clarity = score_field(app, name="Relevance"), score_field(app, name="Clarity")
    reviewer = client_as("reviewer")
    # Alpha: 5 and 2 → (2·5 + 2) / 3 = 4.00 (the plain mean would be 3.50).
    # Beta: 3 and 5 → (2·3 + 5) / 3 = 3.67 (the plain mean would be 4.00).
    for title, (r, c) in (("Alpha talk", (5, 2)), ("Beta talk", (3, 5))):
        url = f"{BASE}/submissions/{codes[title]}/review"
        assert reviewer.post(url, data={relevance: str(r), clarity: str(c)}).status_code == 302
    alpha = organizer.get(f"{BASE}/submissions/{codes['Alpha talk']}").get_data(as_text=True)
    assert _mean(alpha) == "4.00"
    assert "Relevance 5/5, Clarity 2/5" in alpha
    listing = organizer.get(f"{BASE}/submissions?sort=score").get_data(as_text=True)
    assert listing.index("Alpha talk") < listing.index("Beta talk")
    rows = list(csv.DictReader(io.StringIO(organizer.get(f"{BASE}/submissions.csv").text)))
    means = {r["title"]: r["mean score"] for r in rows}
    assert means == {"Alpha talk": "4.00", "Beta talk": "3.67"}
    assert rows[0]["mean Relevance (0-5, weight 2)"] in ("5.00", "3.00")
    # A criterion that holds scores cannot be dropped, nor its scale cut below them.
    refused = resubmit(organizer, f"{BASE}/edit", {"criteria": "Relevance:2:5"})
    assert "Review criterion &#39;Clarity&#39; has scores" in refused.get_data(as_text=True)
    refused = resubmit(organizer, f"{BASE}/edit", {"criteria": "Relevance:2:4\nClarity:1:5"})
    assert "has scores up to 5" in refused.get_data(as_text=True)
    bad = resubmit(organizer, f"{BASE}/edit", {"criteria": "Relevance:two:5"})
    assert "the weight is a whole number from 1 to 100" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 4


def test_save_and_next_goes_to_the_next_submission(app, client_as, two) -> None:
    _, codes = two
    reviewer = client_as("reviewer")
    field = score_field(app)
    url = f"{BASE}/submissions/{codes['Alpha talk']}/review"
    response = reviewer.post(url, data={field: "4", "save_next": "1"})
    assert response.headers["Location"].endswith(f"/submissions/{codes['Beta talk']}")
    url = f"{BASE}/submissions/{codes['Beta talk']}/review"
    response = reviewer.post(url, data={field: "3", "save_next": "1"})
    assert response.headers["Location"].endswith("/submissions")
