"""Announcements: what a series tells its mailing list, and the log that makes each mail once.

``AnnouncementSettings`` holds a series' list addresses, how many hours before a meeting the
agenda goes out, the extra zones its times are shown in, and whether it is on. Each announcement
is a row of ``announcements`` written in the same transaction as its outbox messages; its UNIQUE
key (series, meeting's original date, kind, sequence) is what keeps a second worker, a second
node or a second run from queueing it again (the insert fails; nothing is checked first).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, TimestampMixin, utcnow

DEFAULT_HOURS_BEFORE = 24
MAX_HOURS_BEFORE = 24 * 14


class AnnouncementKind(enum.StrEnum):
    AGENDA = "agenda"
    CANCELLED = "cancelled"
    MOVED = "moved"
    ADDED = "added"
    RESTORED = "restored"
    #: The whole schedule changed (``flask series retime``): sequence is the new rule's id.
    RETIMED = "retimed"
    #: The minutes mail, when the meeting's minutes are published (once per meeting).
    MINUTES = "minutes"


ANNOUNCEMENT_KINDS = tuple(k.value for k in AnnouncementKind)


class AnnouncementSettings(TimestampMixin, Base):
    __tablename__ = "announcement_settings"
    __table_args__ = (
        sa.CheckConstraint(
            f"hours_before BETWEEN 1 AND {MAX_HOURS_BEFORE}", name="hours_before_range"
        ),
    )

    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), primary_key=True
    )
    #: The list addresses, one a line (normalised by ``webapp.addresses``).
    addresses: Mapped[str] = mapped_column(sa.Text, default="")
    hours_before: Mapped[int] = mapped_column(default=DEFAULT_HOURS_BEFORE)
    #: IANA zones shown beside the series' own and UTC, one a line.
    zones: Mapped[str] = mapped_column(sa.Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)

    @property
    def address_list(self) -> list[str]:
        return [a for a in self.addresses.splitlines() if a]

    @property
    def zone_list(self) -> list[str]:
        return [z for z in self.zones.splitlines() if z]


class Announcement(Base):
    """One announcement queued (to every list address) for one meeting."""

    __tablename__ = "announcements"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "meeting_date", "kind", "sequence"),
        sa.CheckConstraint(sa.column("kind").in_(ANNOUNCEMENT_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("series.id", ondelete="CASCADE"))
    #: The meeting's identity: its original local date.
    meeting_date: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: The occurrence's SEQUENCE for change notices (a meeting moved twice is told twice); 0
    #: for the agenda.
    sequence: Mapped[int] = mapped_column(default=0)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
