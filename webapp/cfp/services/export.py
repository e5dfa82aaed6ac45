"""The organizers' CSV of a conference's submissions (cells defused for spreadsheets)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import csvsafe
from webapp.cfp.services.questions import shown_answers
from webapp.extensions import db
from webapp.models import Conference, ReviewScore, Submission, SubmissionReview


def export_csv(conference: Conference) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)  # defuses formulas in every cell
    writer.writerow(
        [
            "code",
            "state",
            "title",
            "format",
            "track",
            "speakers",
            "emails",
            "mean score",
            *(f"mean {c.name} (0-{c.scale_max}, weight {c.weight})" for c in conference.criteria),
            *(q.text for q in conference.questions),
            "reviews",
            "submitted at (UTC)",
            "abstract",
        ]
    )
    rows = db.session.scalars(
        sa.select(Submission)
        .where(Submission.conference_id == conference.id)
        .order_by(Submission.submitted_at, Submission.id)
        .options(
            selectinload(Submission.speakers),
            selectinload(Submission.reviews)
            .selectinload(SubmissionReview.scores)
            .joinedload(ReviewScore.criterion),
        )
    )
    for s in rows:
        mean = s.mean_score
        writer.writerow(
            [
                s.code,
                s.state,
                s.title,
                s.format.name,
                s.track.name if s.track else "",
                s.speaker_names,
                ", ".join(sp.email for sp in s.speakers),
                f"{mean:.2f}" if mean is not None else "",
                *(_criterion_mean(s, c.id) for c in conference.criteria),
                *(answer for _q, answer in shown_answers(s, "organizer")),
                len(s.reviews),
                s.submitted_at.strftime("%Y-%m-%d %H:%M"),
                s.abstract,
            ]
        )
    return out.getvalue()


def _criterion_mean(submission: Submission, criterion_id: int) -> str:
    scores = [
        sc.score
        for r in submission.reviews
        for sc in r.scores
        if sc.criterion_id == criterion_id and not r.abstain
    ]
    return f"{sum(scores) / len(scores):.2f}" if scores else ""
