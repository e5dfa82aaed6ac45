"""Meeting series, the rules that generate their occurrences, and the occurrences that differ.

A series' occurrences follow from its schedule rules (first local date and time, interval in
weeks, optional last date, in the series' IANA zone). Only what differs from a rule is stored: a
cancelled, moved or extra occurrence, or one that something else (minutes, follow-ups) is attached
to. An occurrence is identified by its series, its original local date and a suffix: empty for
the date's meeting, a short word (``guests``) for a second meeting that day (``2019-02-07-guests``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, TimestampMixin

INTERVALS = (1, 2, 4)


class OccurrenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"
    EXTRA = "extra"


STATUS_VALUES = tuple(s.value for s in OccurrenceStatus)


class Series(TimestampMixin, Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str | None] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    join_url: Mapped[str] = mapped_column(sa.String(500), default="")
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    agenda_template: Mapped[str] = mapped_column(sa.Text, default="")
    agenda_template_html: Mapped[str | None] = mapped_column(sa.Text)
    public: Mapped[bool] = mapped_column(default=True)

    rules: Mapped[list[ScheduleRule]] = relationship(
        back_populates="series",
        cascade="all, delete-orphan",
        order_by="ScheduleRule.first_date",
        lazy="selectin",
    )
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="series",
        cascade="all, delete-orphan",
        order_by="Occurrence.original_date",
        lazy="selectin",
    )

    @property
    def current_rule(self) -> ScheduleRule:
        return self.rules[-1]

    @property
    def until(self) -> date | None:
        return self.rules[-1].until_date if self.rules else None

    def __repr__(self) -> str:
        return f"<Series {self.slug}>"


class ScheduleRule(TimestampMixin, Base):
    """One stretch of a series' schedule. A permanent change of time or weekday ends the current
    rule (``until_date``) and starts a new one, so earlier occurrences keep their identity."""

    __tablename__ = "schedule_rules"
    __table_args__ = (
        sa.CheckConstraint(sa.column("interval_weeks").in_(INTERVALS), name="interval_known"),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration_range"),
        sa.CheckConstraint(
            "until_date IS NULL OR until_date >= first_date", name="until_after_first"
        ),
        sa.UniqueConstraint("series_id", "first_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    first_date: Mapped[date]
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    interval_weeks: Mapped[int] = mapped_column(default=2)
    #: The last local date this rule may produce (inclusive), or None for no end.
    until_date: Mapped[date | None]
    #: Bumped on every change to the rule or its occurrences (iCal SEQUENCE of the master event).
    sequence: Mapped[int] = mapped_column(default=0)

    series: Mapped[Series] = relationship(back_populates="rules")


class Occurrence(TimestampMixin, Base):
    """An occurrence that differs from its rule, is extra, or has something attached to it."""

    __tablename__ = "occurrences"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "original_date", "suffix"),
        sa.CheckConstraint(sa.column("status").in_(STATUS_VALUES), name="status_known"),
        # A same-day meeting is an extra meeting (possibly cancelled), never a rule's date.
        sa.CheckConstraint(
            "suffix = '' OR status IN ('extra', 'cancelled')", name="suffix_only_extra"
        ),
        # Moved and extra occurrences have their own start; a cancelled extra keeps it.
        sa.CheckConstraint(
            "status NOT IN ('moved', 'extra') OR start_at IS NOT NULL", name="start_when_moved"
        ),
        sa.CheckConstraint(
            "status != 'scheduled' OR start_at IS NULL", name="rule_start_when_scheduled"
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 1440", name="duration_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    #: The local date the rule gave it (for an extra meeting: its own local date). Its identity.
    original_date: Mapped[date]
    #: '' for the date's meeting; for a second meeting that day, the word after the date in its
    #: key (``webapp.dates.parse_meeting``).
    suffix: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=OccurrenceStatus.SCHEDULED)
    #: The actual start of a moved or extra occurrence; None means "as the rule says".
    start_at: Mapped[datetime | None]
    #: The length when it differs from the rule's (always set for extra meetings).
    duration_minutes: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Counts this occurrence's own changes; its iCal SEQUENCE adds the rule's.
    sequence: Mapped[int] = mapped_column(default=0)

    series: Mapped[Series] = relationship(back_populates="occurrences")

    @property
    def key(self) -> str:
        """``2019-02-07`` or ``2019-02-07-guests``: how addresses, UIDs and exports name it."""
        return (
            f"{self.original_date.isoformat()}-{self.suffix}"
            if self.suffix
            else (self.original_date.isoformat())
        )
