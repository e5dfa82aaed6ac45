"""The conference and its call for papers: submissions, speakers, reviews, the programme.

Follows pretalx: a ``Submission`` has a short public ``code`` and a ``state`` whose allowed
changes are listed once, in ``TRANSITIONS``; every change goes through
``webapp.cfp.services.set_submission_state``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.addresses import key_or_none
from webapp.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from webapp.models.committee import (
        CustomQuestion,
        ReviewAssignment,
        ReviewCriterion,
        ReviewScore,
        SubmissionMail,
    )
    from webapp.models.users import User


class SubmissionState(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


STATE_VALUES = tuple(s.value for s in SubmissionState)
#: Named groups of states, as in pretalx.
ACTIVE_STATES = (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED, SubmissionState.CONFIRMED)
ACCEPTED_STATES = (SubmissionState.ACCEPTED, SubmissionState.CONFIRMED)
DECIDED_STATES = (
    SubmissionState.ACCEPTED,
    SubmissionState.REJECTED,
    SubmissionState.CONFIRMED,
    SubmissionState.DECLINED,
)

#: Every allowed state change and who may make it ("speaker" through the private link,
#: "organizer" in the organizer pages).
TRANSITIONS: dict[tuple[SubmissionState, SubmissionState], str] = {
    (SubmissionState.SUBMITTED, SubmissionState.WITHDRAWN): "speaker",
    (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED): "organizer",
    (SubmissionState.SUBMITTED, SubmissionState.REJECTED): "organizer",
    (SubmissionState.ACCEPTED, SubmissionState.REJECTED): "organizer",
    (SubmissionState.REJECTED, SubmissionState.ACCEPTED): "organizer",
    (SubmissionState.ACCEPTED, SubmissionState.CONFIRMED): "speaker",
    (SubmissionState.ACCEPTED, SubmissionState.DECLINED): "speaker",
    (SubmissionState.CONFIRMED, SubmissionState.DECLINED): "speaker",
    # Undo (until the conference ends): a withdrawal, or a decline back to where it was.
    (SubmissionState.WITHDRAWN, SubmissionState.SUBMITTED): "organizer",
    (SubmissionState.DECLINED, SubmissionState.ACCEPTED): "organizer",
    (SubmissionState.DECLINED, SubmissionState.CONFIRMED): "organizer",
}
#: The states an undo leaves: no mail goes out for an undo, and the decision keeps its date.
UNDOABLE_STATES = (SubmissionState.WITHDRAWN, SubmissionState.DECLINED)


@dataclass(frozen=True)
class CfpWindow:
    """The call for papers at one instant: ``conference.cfp(now).is_open``."""

    opens_at: datetime
    closes_at: datetime
    now: datetime

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.now < self.closes_at

    @property
    def before_opening(self) -> bool:
        return self.now < self.opens_at

    @property
    def after_deadline(self) -> bool:
        return self.now >= self.closes_at


class Conference(TimestampMixin, Base):
    __tablename__ = "conferences"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("cfp_closes_at > cfp_opens_at", name="cfp_window_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    call_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: The two texts above as HTML, rendered when saved (``webapp.stored_html``).
    description_html: Mapped[str | None] = mapped_column(sa.Text)
    call_text_html: Mapped[str | None] = mapped_column(sa.Text)
    cfp_opens_at: Mapped[datetime]
    cfp_closes_at: Mapped[datetime]
    anonymous_review: Mapped[bool] = mapped_column(default=False)
    #: At most this many live proposals per speaker address (0: no limit).
    proposal_limit: Mapped[int] = mapped_column(default=3, server_default="3")
    #: Speakers confirm an accepted talk within this many days of the acceptance.
    confirm_days: Mapped[int] = mapped_column(default=14, server_default="14")
    #: Organizers see every score at once (otherwise only after scoring, like reviewers).
    chair_sees_scores: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: "Assign automatically" gives each submission at least this many reviewers.
    reviews_per_submission: Mapped[int] = mapped_column(default=3, server_default="3")

    formats: Mapped[list[SessionFormat]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="SessionFormat.position"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Track.position"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Room.position"
    )
    questions: Mapped[list[CustomQuestion]] = relationship(
        back_populates="conference",
        cascade="all, delete-orphan",
        order_by="CustomQuestion.position",
    )
    criteria: Mapped[list[ReviewCriterion]] = relationship(
        back_populates="conference",
        cascade="all, delete-orphan",
        order_by="ReviewCriterion.position",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def cfp(self, now: datetime) -> CfpWindow:
        return CfpWindow(self.cfp_opens_at, self.cfp_closes_at, now)

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)


class SessionFormat(Base):
    __tablename__ = "session_formats"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "name"),
        sa.CheckConstraint("minutes > 0 AND minutes <= 600", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(60))
    minutes: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    conference: Mapped[Conference] = relationship(back_populates="formats")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.minutes} min)"


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (sa.UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    conference: Mapped[Conference] = relationship(back_populates="tracks")


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (sa.UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    conference: Mapped[Conference] = relationship(back_populates="rooms")


class Submission(TimestampMixin, Base):
    __tablename__ = "submissions"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(STATE_VALUES), name="state_known"),
        sa.CheckConstraint(
            "pending_state IS NULL OR pending_state IN ('accepted', 'rejected')",
            name="pending_state_known",
        ),
        sa.CheckConstraint(
            "(room_id IS NULL AND starts_at IS NULL AND ends_at IS NULL) OR "
            "(room_id IS NOT NULL AND starts_at IS NOT NULL AND ends_at > starts_at)",
            name="slot_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    #: Short public code, as in pretalx: talk pages and iCal UIDs use it.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=SubmissionState.SUBMITTED, index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    format_id: Mapped[int] = mapped_column(sa.ForeignKey("session_formats.id"))
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tracks.id", ondelete="SET NULL"))
    abstract: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The idempotency key: the random token of the form that created this submission.
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    # The slot in the programme (confirmed talks only).
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    #: iCal SEQUENCE: bumped whenever the slot, room or title of a placed talk changes.
    sequence: Mapped[int] = mapped_column(default=0)
    schedule_changed_at: Mapped[datetime | None]
    #: The last mail about the decision (acceptance or reminder), and the reminders sent.
    last_mail_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The committee's decision not sent yet: the speakers, the public pages and the counts
    #: still see ``state``; "Send decisions" applies it and mails it.
    pending_state: Mapped[str | None] = mapped_column(sa.String(20))
    #: An optional note to the speakers, sent with the decision.
    decision_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: Answers to the conference's custom questions: {question id (as text): answer}.
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    conference: Mapped[Conference] = relationship()
    format: Mapped[SessionFormat] = relationship()
    track: Mapped[Track | None] = relationship()
    room: Mapped[Room | None] = relationship()
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Speaker.position"
    )
    reviews: Mapped[list[SubmissionReview]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    conflicts: Mapped[list[ReviewConflict]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    mails: Mapped[list[SubmissionMail]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionMail.message_id",
    )

    @property
    def main_speaker(self) -> Speaker:
        return self.speakers[0]

    @property
    def speaker_names(self) -> str:
        return ", ".join(s.name for s in self.speakers)

    @property
    def is_placed(self) -> bool:
        return self.starts_at is not None

    @property
    def mean_score(self) -> float | None:
        """The mean of the reviews' weighted totals (abstentions and comments alone aside)."""
        totals = [t for t in (r.total for r in self.reviews) if t is not None]
        return sum(totals) / len(totals) if totals else None


class Speaker(Base):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: The address in its normalised form (``webapp.addresses``).
    email: Mapped[str] = mapped_column(sa.String(254))
    #: The address as limits count it: plus-tag folded, case-folded (``addresses.key``).
    email_key: Mapped[str] = mapped_column(
        sa.String(254), default="", server_default="", index=True
    )
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    #: When this speaker got their private link: co-speakers only once the submitting
    #: speaker has shown the address is theirs (so the form cannot relay mail).
    invited_at: Mapped[datetime | None]
    submission: Mapped[Submission] = relationship(back_populates="speakers")
    links: Mapped[list[SpeakerLink]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan"
    )

    @validates("email")
    def _keep_key(self, _name: str, value: str) -> str:
        """The counting key follows the address, whoever sets it."""
        self.email_key = key_or_none(value) or value.strip().lower()[:254]
        return value


class SpeakerLink(Base):
    """A private link of one speaker: only the SHA-256 of its token is stored."""

    __tablename__ = "speaker_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speakers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    speaker: Mapped[Speaker] = relationship(back_populates="links")


class SubmissionReview(TimestampMixin, Base):
    __tablename__ = "submission_reviews"
    __table_args__ = (sa.UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: "Abstain": the reviewer gives no score, and sees the others' scores.
    abstain: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    submission: Mapped[Submission] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    @property
    def has_verdict(self) -> bool:
        """A score or an explicit abstention: what unlocks the others' scores."""
        return self.abstain or bool(self.scores)

    @property
    def total(self) -> float | None:
        """The weighted mean of this review's scores, on the conference's largest scale: with
        criteria on one scale (the usual case), exactly the weighted mean of the scores."""
        if self.abstain or not self.scores:
            return None
        criteria = self.submission.conference.criteria
        top = max(c.scale_max for c in criteria)
        weight = sum(s.criterion.weight for s in self.scores)
        part = sum(s.criterion.weight * s.score / s.criterion.scale_max for s in self.scores)
        return top * part / weight


class ReviewConflict(Base):
    """A reviewer's declared conflict of interest: no review of that submission."""

    __tablename__ = "review_conflicts"

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]
    submission: Mapped[Submission] = relationship(back_populates="conflicts")


class LateLink(Base):
    """A late-submission link for one person: hashed token, a deadline, single use."""

    __tablename__ = "late_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    valid_until: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")
    used_at: Mapped[datetime | None]
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="SET NULL")
    )


class ProgrammeRelease(Base):
    """A published version of a conference's programme (``v1``, ``v2``, …).

    The public pages, the programme feed and ``schedule.json`` show the latest release; the
    organizers edit the working programme in between. ``talks`` is the released programme (what
    the public sees: title, abstract, speakers' names and bios, slot, and each talk's SEQUENCE);
    ``changes`` lists what differs from the previous release.
    """

    __tablename__ = "programme_releases"
    __table_args__ = (sa.UniqueConstraint("conference_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")
    talks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    @property
    def label(self) -> str:
        return f"v{self.version}"
