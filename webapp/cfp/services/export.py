"""The organizers' CSV of a conference's submissions (cells defused for spreadsheets)."""

from __future__ import annotations

import io

import sqlalchemy as sa

from webapp import csvsafe
from webapp.extensions import db
from webapp.models import Conference, Submission


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
            "reviews",
            "submitted at (UTC)",
            "abstract",
        ]
    )
    rows = db.session.scalars(
        sa.select(Submission)
        .where(Submission.conference_id == conference.id)
        .order_by(Submission.submitted_at, Submission.id)
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
                len(s.reviews),
                s.submitted_at.strftime("%Y-%m-%d %H:%M"),
                s.abstract,
            ]
        )
    return out.getvalue()
