"""A community with years of history, built fast with bulk INSERTs (tests and bench/dashboard.py).

``build(now, years=10, submissions=2000)``: a bi-weekly series with minutes on most meetings,
follow-ups raised at every meeting (most closed at the next one, some left open), a review queue
and agenda items; a second, weekly series; a conference whose call is open with ``submissions``
submissions in every state, scored by three reviewers; an outbox with sent, pending and failed
mail; and an audit trail. The caller commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.auth import services as accounts
from webapp.cfp import services as cfp
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import Rule
from webapp.models import (
    AgendaItem,
    AuditEntry,
    FollowUp,
    Minutes,
    Occurrence,
    OutboxMessage,
    Person,
    Review,
    ReviewConflict,
    ReviewScore,
    Speaker,
    Submission,
    SubmissionReview,
    UserRole,
)

ACTOR = audit.Actor(label="bench")
STATES = (
    ["submitted"] * 10
    + ["accepted"] * 3
    + ["confirmed"] * 3
    + ["rejected"] * 2
    + ["withdrawn", "declined"]
)


def _series(
    slug: str,
    title: str,
    first: date,
    weeks: int,
    now: datetime,
    people: list[int],
    with_history: bool,
) -> int:
    series = meetings.create_series(
        slug,
        meetings.SeriesDetails(title=title),
        "America/New_York",
        first,
        time(16, 0),
        60,
        ACTOR,
        interval_weeks=weeks,
    )
    db.session.flush()
    if not with_history:
        return series.id
    rule = Rule(None, first, time(16, 0), 60, weeks, None)
    days = list(rule.dates(first, now.date() + timedelta(days=60)))
    stamp = now
    db.session.execute(
        sa.insert(Occurrence),
        [
            {
                "series_id": series.id,
                "original_date": d,
                "status": "scheduled",
                "sequence": 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for d in days
        ],
    )
    ids = dict(
        db.session.execute(
            sa.select(Occurrence.original_date, Occurrence.id).where(
                Occurrence.series_id == series.id
            )
        ).all()
    )
    past = [d for d in days if d < now.date()]
    # Minutes on all but every seventh past meeting; the latest one a draft.
    db.session.execute(
        sa.insert(Minutes),
        [
            {
                "occurrence_id": ids[d],
                "notes": f"Notes of {d}.\n",
                "decisions": "",
                "version": 1,
                "state": "draft" if d == past[-1] else "published",
                "content_hash": "",
                "published_at": None if d == past[-1] else stamp,
                "updated_by": "bench",
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i, d in enumerate(past)
            if i % 7 != 3
        ],
    )
    # Three follow-ups a meeting: closed at the next meeting, except one in ten left open.
    rows = []
    for i, d in enumerate(past[:-1]):
        for k in range(3):
            still_open = (i * 3 + k) % 10 == 0
            rows.append(
                {
                    "series_id": series.id,
                    "text": f"follow-up {k} of {d}",
                    "owner_id": people[(i + k) % len(people)],
                    "raised_occurrence_id": ids[d],
                    "state": "open" if still_open else "done",
                    "closed_occurrence_id": None if still_open else ids[past[i + 1]],
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
    db.session.execute(sa.insert(FollowUp), rows)
    db.session.execute(
        sa.insert(Review),
        [
            {
                "series_id": series.id,
                "url": f"https://reviews.freebsd.org/D{series.id}{n:05d}",
                "title": f"review {n}",
                "state": "open" if n % 4 == 0 else "landed",
                "position": n,
                "listed_occurrence_id": ids[past[n * 5 % len(past)]],
                "created_at": stamp,
                "updated_at": stamp,
            }
            for n in range(max(len(past) // 5, 1))
        ],
    )
    db.session.execute(
        sa.insert(AgendaItem),
        [
            {
                "occurrence_id": ids[d],
                "text": f"item {k}",
                "position": k,
                "added_by": "bench",
                "created_at": stamp,
                "updated_at": stamp,
            }
            for d in days
            for k in range(2)
        ],
    )
    return series.id


def build(now: datetime, *, years: int = 10, submissions: int = 2000) -> dict[str, Any]:
    for n in range(3):
        accounts.create_user(
            f"reviewer{n}@example.org", "correct horse battery staple", {"reviewer"}, ACTOR
        )
    reviewer_ids = list(
        db.session.scalars(
            sa.select(UserRole.user_id)
            .where(UserRole.role == "reviewer")
            .order_by(UserRole.user_id)
        )
    )
    db.session.execute(
        sa.insert(Person),
        [
            {
                "name": f"Person {n}",
                "email": "",
                "affiliation": "",
                "aliases": "",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(20)
        ],
    )
    people = list(db.session.scalars(sa.select(Person.id).order_by(Person.id)))
    start = (now - timedelta(days=round(365.25 * years))).date()
    start += timedelta(days=(3 - start.weekday()) % 7)  # a Thursday
    _series("bhyve", "bhyve bi-weekly call", start, 2, now, people, with_history=True)
    _series(
        "arm64", "bhyve arm64 sync", start + timedelta(days=1), 1, now, people, with_history=False
    )

    opens = now - timedelta(days=50)
    closes = now + timedelta(days=10)
    zone = cfp.zone_or_error("Europe/Amsterdam")
    conference = cfp.create_conference(
        cfp.ConferenceData(
            slug="bhyvecon",
            name="bhyvecon",
            timezone="Europe/Amsterdam",
            starts_on=(now + timedelta(days=90)).date(),
            ends_on=(now + timedelta(days=91)).date(),
            cfp_opens_local=opens.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
            cfp_closes_local=closes.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
            formats=[("Talk", 30), ("Lightning", 10), ("Tutorial", 90)],
            rooms=["Main"],
        ),
        ACTOR,
        now,
    )
    db.session.flush()
    formats = [f.id for f in conference.formats]
    span = (now - opens).total_seconds()
    db.session.execute(
        sa.insert(Submission),
        [
            {
                "conference_id": conference.id,
                "code": f"B{n:05d}",
                "state": STATES[n % len(STATES)],
                "title": f"Talk number {n}",
                "format_id": formats[n % 3],
                "abstract": "An abstract.",
                "description": "",
                "notes": "",
                "form_token": f"bench-{n}",
                "sequence": 0,
                "submitted_at": opens
                + timedelta(seconds=span * ((n * 7919) % submissions) / submissions),
                "created_at": now,
                "updated_at": now,
            }
            for n in range(submissions)
        ],
    )
    subs = list(
        db.session.scalars(
            sa.select(Submission.id).where(Submission.conference_id == conference.id)
        )
    )
    db.session.execute(
        sa.insert(Speaker),
        [
            {
                "submission_id": s,
                "position": 0,
                "name": f"Speaker {s}",
                "email": f"s{s}@example.org",
                "affiliation": "",
                "bio": "",
            }
            for s in subs
        ],
    )
    reviews = [
        {
            "submission_id": s,
            "reviewer_id": r,
            "comment": "",
            "created_at": now,
            "updated_at": now,
        }
        for i, s in enumerate(subs)
        for j, r in enumerate(reviewer_ids)
        if (i + j) % 3 != 0
    ]
    db.session.execute(sa.insert(SubmissionReview), reviews)
    criterion = conference.criteria[0].id
    db.session.execute(
        sa.insert(ReviewScore),
        [
            {"review_id": rid, "criterion_id": criterion, "score": 1 + (sid + uid) % 5}
            for rid, sid, uid in db.session.execute(
                sa.select(
                    SubmissionReview.id,
                    SubmissionReview.submission_id,
                    SubmissionReview.reviewer_id,
                )
                .join(Submission)
                .where(Submission.conference_id == conference.id)
            )
        ],
    )
    db.session.execute(
        sa.insert(ReviewConflict),
        [
            {"submission_id": s, "user_id": reviewer_ids[0], "created_at": now}
            for i, s in enumerate(subs)
            if i % 3 == 0 and i % 9 == 0
        ],
    )
    db.session.execute(
        sa.insert(OutboxMessage),
        [
            {
                "template": "cfp_received",
                "message_id": f"<bench-{n}@example.org>",
                "to_addr": f"s{n}@example.org",
                "subject": f"message {n}",
                "body": "Hello",
                "state": {0: "failed", 1: "pending"}.get(n % 20, "sent"),
                "attempts": 8 if n % 20 == 0 else 0,
                "next_attempt_at": now,
                "created_at": now,
                "last_error": "ConnectionRefusedError" if n % 20 == 0 else "",
            }
            for n in range(max(submissions * 2, 40))
        ],
    )
    db.session.execute(
        sa.insert(AuditEntry),
        [
            {
                "at": now - timedelta(minutes=n),
                "actor": "bench",
                "action": "submission.create",
                "object_type": "submission",
                "object_id": str(n),
                "summary": "bulk",
                "changes": {},
            }
            for n in range(submissions * 3)
        ],
    )
    db.session.flush()
    return {"conference": conference.slug, "series": ["bhyve", "arm64"]}


NOW = datetime(2030, 3, 14, 12, 0, tzinfo=UTC)
