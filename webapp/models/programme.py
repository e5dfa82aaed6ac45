"""Blocks of the working programme that are not talks: breaks, keynotes, socials and others."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, TimestampMixin
from webapp.models.cfp import Conference, Room


class BlockKind(enum.StrEnum):
    BREAK = "break"
    KEYNOTE = "keynote"
    SOCIAL = "social"
    OTHER = "other"


BLOCK_KINDS = tuple(k.value for k in BlockKind)


class ProgrammeBlock(TimestampMixin, Base):
    """A block in one room, or in every room (``room_id`` NULL), placed like a talk.

    Its public UID is ``block-<conference>-<id>@<host>``; like a talk's, its SEQUENCE is counted
    per release (``ProgrammeRelease.blocks``).
    """

    __tablename__ = "programme_blocks"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="block_ends_after_start"),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in BLOCK_KINDS) + ")", name="block_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default=BlockKind.BREAK)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    conference: Mapped[Conference] = relationship()
    room: Mapped[Room | None] = relationship()

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def room_name(self) -> str:
        return self.room.name if self.room is not None else "All rooms"
