"""The organizers' submissions list: pages of 50, search, filters, who may sort by score."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.cfp.conftest import score_field
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Conference, Submission, SubmissionReview, SubmissionState


def _many(app, conference, clock, n: int) -> list[str]:
    with app.app_context():
        c = db.session.get(Conference, conference.id)
        codes = []
        for i in range(n):
            data = services.SubmissionData(
                title=f"Talk number {i:03d}",
                format_id=c.formats[i % 3].id,
                track_id=None,
                abstract="About it.",
                speaker=services.SpeakerData(name=f"Speaker {i:03d}", email=f"s{i}@example.org"),
            )
            sub, _ = services.submit(c, data, f"token-{i:03d}-{'x' * 16}", clock.now)
            codes.append(sub.code)
        db.session.commit()
    return codes


def _titles(page: str) -> list[str]:
    return re.findall(r">(Talk number \d{3})</a>", page)


def test_pages_of_fifty_with_search_and_filters(app, client_as, make_conference, clock) -> None:
    c = make_conference()
    codes = _many(app, c, clock, 55)
    organizer = client_as("organizer")
    base = f"/organize/conferences/{c.slug}/submissions"
    first = organizer.get(base).get_data(as_text=True)
    assert len(_titles(first)) == 50
    assert "55 submission(s) · page 1 of 2" in first
    assert 'rel="next"' in first
    second = organizer.get(base + "?page=2").get_data(as_text=True)
    assert _titles(second) == [f"Talk number {i:03d}" for i in range(50, 55)]
    assert organizer.get(base + "?page=99999999999").status_code == 200
    # "²" is a digit to str.isdigit, but not to int(): the first page, not a 500.
    assert "page 1 of 2" in organizer.get(base + "?page=%C2%B2&track=%C2%B2").get_data(as_text=True)
    assert _titles(organizer.get(base + "?q=number 007").get_data(as_text=True)) == [
        "Talk number 007"
    ]
    assert _titles(organizer.get(base + f"?q={codes[12].lower()}").get_data(as_text=True)) == [
        "Talk number 012"
    ]
    assert _titles(organizer.get(base + "?q=Speaker 031").get_data(as_text=True)) == [
        "Talk number 031"
    ]
    assert _titles(organizer.get(base + "?q=%25").get_data(as_text=True)) == []
    with app.app_context():
        sub = db.session.scalar(sa.select(Submission).where(Submission.code == codes[3]))
        services.set_submission_state(
            sub, SubmissionState.ACCEPTED, "organizer", audit.CLI, clock.now
        )
        db.session.commit()
    assert _titles(organizer.get(base + "?unconfirmed=1").get_data(as_text=True)) == [
        "Talk number 003"
    ]
    fmt = c.formats[1].id
    assert len(_titles(organizer.get(base + f"?format={fmt}").get_data(as_text=True))) == 18


def test_needs_my_review_and_who_may_sort_by_score(app, client_as, make_conference, clock) -> None:
    c = make_conference()
    codes = _many(app, c, clock, 3)
    chair = client_as("organizer", "reviewer")
    reviewer = client_as("reviewer")
    base = f"/organize/conferences/{c.slug}/submissions"
    field = score_field(app)
    for code, score in zip(codes, (2, 5, 3), strict=True):
        reviewer.post(f"{base}/{code}/review", data={field: str(score), "comment": ""})
    chair.post(f"{base}/{codes[0]}/review", data={field: "4", "comment": ""})
    assert _titles(chair.get(base + "?mine=1").get_data(as_text=True)) == [
        "Talk number 001",
        "Talk number 002",
    ]
    # An organizer who reviews sees others' scores only after scoring, and cannot sort by them.
    page = chair.get(base + "?sort=score").get_data(as_text=True)
    assert '<option value="score"' not in page
    assert _titles(page) == ["Talk number 000", "Talk number 001", "Talk number 002"]
    assert "5.00" not in page
    with app.app_context():
        db.session.get(Conference, c.id).chair_sees_scores = True
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionReview)) == 4
    page = chair.get(base + "?sort=score").get_data(as_text=True)
    assert '<option value="score" selected' in page
    assert _titles(page) == ["Talk number 001", "Talk number 000", "Talk number 002"]
    assert "5.00" in page
