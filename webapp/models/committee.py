"""The programme committee's tools: review criteria and their scores, assignments of submissions
to reviewers.

A review (``SubmissionReview``) holds a comment, an explicit abstention, or one score per
criterion of the conference; its total is the weighted mean of its scores
(``webapp.cfp.services.scoring``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base

if TYPE_CHECKING:
    from webapp.models.cfp import Conference, Submission, SubmissionReview
    from webapp.models.outbox import OutboxMessage
    from webapp.models.users import User


class ReviewCriterion(Base):
    """One thing reviewers score (``Overall``, ``Relevance``…), from 0 to ``scale_max``."""

    __tablename__ = "review_criteria"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "name"),
        sa.CheckConstraint("weight >= 1 AND weight <= 100", name="weight_range"),
        sa.CheckConstraint("scale_max >= 1 AND scale_max <= 100", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    weight: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)
    conference: Mapped[Conference] = relationship(back_populates="criteria")

    @property
    def label(self) -> str:
        return f"{self.name} (0–{self.scale_max}, weight {self.weight})"


class ReviewScore(Base):
    """A reviewer's score on one criterion."""

    __tablename__ = "review_scores"
    __table_args__ = (sa.CheckConstraint("score >= 0", name="score_not_negative"),)

    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission_reviews.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("review_criteria.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int]
    review: Mapped[SubmissionReview] = relationship(back_populates="scores")
    criterion: Mapped[ReviewCriterion] = relationship()


class ReviewAssignment(Base):
    """An organizer asked this reviewer to review this submission."""

    __tablename__ = "review_assignments"

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]
    #: When the reviewer was told by mail (None: not yet).
    notified_at: Mapped[datetime | None]
    submission: Mapped[Submission] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship()


class SubmissionMail(Base):
    """A message queued about a submission, and why (``kind``): what the speakers were told."""

    __tablename__ = "submission_mails"

    # No surrogate key: the rows of one request go in one batched INSERT.
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(60))
    message: Mapped[OutboxMessage] = relationship()
    submission: Mapped[Submission] = relationship(back_populates="mails")


QUESTION_KINDS = ("text", "long_text", "choice", "choices", "yes_no", "url")
QUESTION_VISIBILITY = ("reviewers", "organizers", "public")


class CustomQuestion(Base):
    """A question of one conference's CFP beyond the fixed fields; answers live in
    ``Submission.answers`` keyed by the question's id."""

    __tablename__ = "custom_questions"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(QUESTION_KINDS), name="kind_known"),
        sa.CheckConstraint(
            sa.column("visibility").in_(QUESTION_VISIBILITY), name="visibility_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(20), default="text")
    required: Mapped[bool] = mapped_column(default=False)
    #: Who sees the answers: reviewers (and organizers), organizers only, or everyone.
    visibility: Mapped[str] = mapped_column(sa.String(20), default="reviewers")
    #: The options of a single or multiple choice.
    choices: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    conference: Mapped[Conference] = relationship(back_populates="questions")
