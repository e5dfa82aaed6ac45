"""Private calendar feeds: an account's (its followed series and its person's follow-ups) and a
speaker's (their talks in the programme), each at an address holding a secret token."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base


class PrivateFeed(Base):
    """The token of one private feed: its SHA-256 (looked up) and the token sealed (to show the
    address again on the owner's page). Exactly one owner: an account or a speaker. Resetting
    replaces the row's token, so the old address is refused at once."""

    __tablename__ = "private_feeds"
    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NULL AND speaker_id IS NOT NULL) "
            "OR (user_id IS NOT NULL AND speaker_id IS NULL)",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    speaker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("speakers.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The token sealed with the secret key (``webapp.sealed``), never in the clear.
    token_sealed: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class FeedSeriesOptOut(Base):
    """A series an account does not follow in its private feed (every series by default)."""

    __tablename__ = "feed_series_opt_outs"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), primary_key=True, index=True
    )
