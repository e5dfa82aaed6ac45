"""Demo: bhyvecon with an open call for papers, reviews, decisions and a published programme."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.cfp import services
from webapp.cfp.services.questions import QuestionSpec
from webapp.extensions import db
from webapp.models import (
    Conference,
    ReviewScore,
    Speaker,
    SpeakerLink,
    Submission,
    SubmissionReview,
    SubmissionState,
    User,
)

ACTOR = audit.Actor(label="demo")

TALKS = [
    # title, format, track, state, speaker, placed (room index, day index, HH:MM)
    (
        "Live migration of bhyve guests",
        "Talk",
        "Core",
        SubmissionState.CONFIRMED,
        "Ada Lovelace",
        (0, 0, "10:00"),
    ),
    (
        "bhyve on arm64: where we are",
        "Talk",
        "Core",
        SubmissionState.CONFIRMED,
        "Grace Hopper",
        (0, 0, "10:45"),
    ),
    (
        "Running Windows guests with UEFI",
        "Tutorial",
        "Operations",
        SubmissionState.CONFIRMED,
        "Linus Pauling",
        (1, 0, "10:00"),
    ),
    (
        "vm-bhyve in production",
        "Lightning",
        "Operations",
        SubmissionState.CONFIRMED,
        "Edsger Dijkstra",
        (1, 0, "13:00"),
    ),
    (
        "Nested virtualization status",
        "Talk",
        "Core",
        SubmissionState.CONFIRMED,
        "Barbara Liskov",
        (0, 1, "09:30"),
    ),
    (
        "PCI passthrough pitfalls",
        "Talk",
        "Operations",
        SubmissionState.ACCEPTED,
        "Ken Thompson",
        None,
    ),
    (
        "Yet another hypervisor benchmark",
        "Talk",
        "Core",
        SubmissionState.REJECTED,
        "Niklaus Wirth",
        None,
    ),
    ("A bhyve GUI", "Lightning", "Operations", SubmissionState.WITHDRAWN, "Dennis Ritchie", None),
    (
        "Jails and bhyve side by side",
        "Talk",
        "Operations",
        SubmissionState.DECLINED,
        "Frances Allen",
        None,
    ),
    (
        "Virtio-net performance",
        "Talk",
        "Core",
        SubmissionState.SUBMITTED,
        "Margaret Hamilton",
        None,
    ),
    ("Memory ballooning for bhyve", "Talk", "Core", SubmissionState.SUBMITTED, "John Backus", None),
    ("Teaching with bhyve", "Lightning", None, SubmissionState.SUBMITTED, "Radia Perlman", None),
    (
        "bhyve and ZFS clones for CI",
        "Talk",
        "Operations",
        SubmissionState.ACCEPTED,
        "Leslie Lamport",
        None,
    ),
    ("GPU passthrough adventures", "Tutorial", "Core", SubmissionState.REJECTED, "Alan Kay", None),
    (
        "bhyve on a Raspberry Pi",
        "Lightning",
        "Core",
        SubmissionState.WITHDRAWN,
        "Sophie Wilson",
        None,
    ),
    (
        "Cloud-init for bhyve guests",
        "Talk",
        "Operations",
        SubmissionState.DECLINED,
        "Hedy Lamarr",
        None,
    ),
]


def _conference(now: datetime) -> Conference:
    zone_name = "Europe/Amsterdam"
    starts = (now + timedelta(days=120)).date()
    zone = services.zone_or_error(zone_name)
    opens_local = (
        (now - timedelta(days=30)).astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    )
    closes_local = datetime.combine(
        (now + timedelta(days=30)).astimezone(zone).date(), time(23, 59)
    )
    return services.create_conference(
        services.ConferenceData(
            slug="bhyvecon-2027",
            name="bhyvecon 2027",
            timezone=zone_name,
            starts_on=starts,
            ends_on=starts + timedelta(days=1),
            cfp_opens_local=opens_local,
            cfp_closes_local=closes_local,
            place="Amsterdam, Science Park",
            description=(
                "**bhyvecon** is the conference of the bhyve hypervisor community: "
                "two days of talks, tutorials and hallway conversations about virtualization "
                "on FreeBSD and friends.\n\n"
                "Everyone is welcome; the "
                "[code of conduct](https://www.freebsd.org/internal/code-of-conduct/) applies."
            ),
            call_text=(
                "We welcome talks about bhyve internals, operations, tooling and experience "
                "reports. First-time speakers are very welcome: write to us if you want help "
                "with your proposal."
            ),
            formats=[("Talk", 30), ("Lightning", 10), ("Tutorial", 90)],
            tracks=["Core", "Operations"],
            criteria=[("Relevance", 2, 5), ("Clarity", 1, 5)],
            questions=[
                QuestionSpec("Is this your first talk at bhyvecon?", "yes_no", True, "reviewers"),
                QuestionSpec(
                    "Audience level",
                    "choice",
                    False,
                    "public",
                    ["Beginner", "Intermediate", "Expert"],
                ),
                QuestionSpec(
                    "Anything we should know for your travel?", "long_text", False, "organizers"
                ),
            ],
            rooms=["Main hall", "Workshop room"],
        ),
        ACTOR,
        now,
    )


def _submission(conference: Conference, n: int, talk: tuple[Any, ...], now: datetime) -> Submission:
    title, fmt, track, state, speaker, _slot = talk
    formats = {f.name: f for f in conference.formats}
    tracks = {t.name: t for t in conference.tracks}
    submitted = now - timedelta(days=25 - n)
    decided = submitted + timedelta(days=3) if state != SubmissionState.SUBMITTED else None
    sub = Submission(
        conference=conference,
        code=services.new_code(),
        state=state,
        title=title,
        format=formats[fmt],
        track=tracks[track] if track else None,
        abstract=f"{title}: what we did, what we learned, and what comes next for bhyve.",
        description="A longer description for the reviewers.",
        form_token=secrets.token_urlsafe(24),
        submitted_at=submitted,
        created_at=submitted,
        updated_at=submitted,
        decided_at=decided,
        last_mail_at=decided,
    )
    sub.speakers.append(
        Speaker(
            position=0,
            name=speaker,
            email=speaker.lower().replace(" ", ".") + "@example.org",
            affiliation="The bhyve community",
            bio=f"{speaker} works on virtualization.",
            invited_at=submitted,
        )
    )
    # A demo link nobody knows: speakers in the demo do not sign in.
    sub.speakers[0].links.append(
        SpeakerLink(token_hash=services.hash_token(secrets.token_urlsafe(32)), created_at=submitted)
    )
    return sub


def _review(sub: Submission, n: int, reviewers: list[User]) -> None:
    for i, reviewer in enumerate(reviewers):
        review = SubmissionReview(
            reviewer_id=reviewer.id,
            comment="Demo review.",
            created_at=sub.submitted_at,
            updated_at=sub.submitted_at,
        )
        for j, criterion in enumerate(sub.conference.criteria):
            score = (n + i + j) % (criterion.scale_max + 1)
            review.scores.append(ReviewScore(criterion=criterion, score=score))
        sub.reviews.append(review)


def _place(
    sub: Submission, conference: Conference, slot: tuple[int, int, str], now: datetime
) -> None:
    room_index, day_index, hhmm = slot
    hour, minute = map(int, hhmm.split(":"))
    local = datetime.combine(conference.starts_on + timedelta(days=day_index), time(hour, minute))
    sub.room = conference.rooms[room_index]
    sub.starts_at = services.local_to_utc(local, conference.zone)
    sub.ends_at = sub.starts_at + timedelta(minutes=sub.format.minutes)
    sub.sequence = 0
    sub.schedule_changed_at = now


def load(now: datetime) -> None:
    """Add bhyvecon-2027 (flush only: the caller commits)."""
    conference = _conference(now)
    reviewers = list(
        db.session.scalars(
            sa.select(User).where(User.email.in_(["reviewer@example.org", "organizer@example.org"]))
        )
    )
    subs = []
    for n, talk in enumerate(TALKS):
        sub = _submission(conference, n, talk, now)
        db.session.add(sub)
        _review(sub, n, reviewers)
        if talk[5] is not None:
            _place(sub, conference, talk[5], now)
        subs.append(sub)
    db.session.flush()
    _lunch(conference, now)
    _committee(conference, subs, now)
    _lifecycle(conference, subs, now)


def _lunch(conference: Conference, now: datetime) -> None:
    """Lunch across all rooms each day (in the first release, like the talks)."""
    for index in range((conference.ends_on - conference.starts_on).days + 1):
        day = conference.starts_on + timedelta(days=index)
        services.save_block(
            conference,
            None,
            services.BlockData("Lunch", "break", None, datetime.combine(day, time(12, 0)), 60),
            ACTOR,
            now,
        )


def _committee(conference: Conference, subs: list[Submission], now: datetime) -> None:
    """Answers to the custom questions, reviewers assigned, and decisions taken but not sent."""
    first, level, travel = (str(q.id) for q in conference.questions)
    levels = ["Beginner", "Intermediate", "Expert"]
    for n, sub in enumerate(subs):
        sub.answers = {
            first: "yes" if n % 3 == 0 else "no",
            level: levels[n % 3],
            travel: "Arriving the day before." if n % 4 == 0 else "",
        }
    services.assign_automatically(conference, ACTOR, now)
    waiting = [s for s in subs if s.state == SubmissionState.SUBMITTED]
    if len(waiting) >= 2:
        services.stage_decision(waiting[0], SubmissionState.ACCEPTED, ACTOR, "A great fit.")
        services.stage_decision(waiting[1], SubmissionState.REJECTED, ACTOR)
    db.session.flush()


def _lifecycle(conference: Conference, subs: list[Submission], now: datetime) -> None:
    """Two releases with changes between them; one accepted talk past its confirmation
    deadline; one reminder sent for another."""
    services.release(conference, "The first programme.", ACTOR, now - timedelta(days=6), False)
    moved = next(s for s in subs if s.title == "vm-bhyve in production")
    _place(moved, conference, (1, 1, "11:00"), now)
    day = conference.starts_on + timedelta(days=1)
    note = f"vm-bhyve moves to {day:%A} at 11:00."  # the day and time _place just gave it
    services.release(conference, note, ACTOR, now - timedelta(days=2), False)
    reminded = next(s for s in subs if s.title == "PCI passthrough pitfalls")
    reminded.decided_at = now - timedelta(days=5)
    reminded.reminders_sent = 1
    reminded.last_mail_at = now - timedelta(days=1)
    audit.record(ACTOR, "submission.remind", "submission", reminded.code, "reminder 1 of 3")
    silent = next(s for s in subs if s.title == "bhyve and ZFS clones for CI")
    silent.decided_at = silent.last_mail_at = now - timedelta(days=conference.confirm_days + 2)
    db.session.flush()
