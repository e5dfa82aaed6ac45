"""Site settings that admins change in the web UI (one row); app config gives the defaults."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, TimestampMixin


class SiteSettings(TimestampMixin, Base):
    __tablename__ = "site_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint(
            "feed_past_months IS NULL OR feed_past_months BETWEEN 1 AND 120", name="feed_span"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    community_name: Mapped[str | None] = mapped_column(sa.String(120))
    default_timezone: Mapped[str | None] = mapped_column(sa.String(64))
    mail_sender: Mapped[str | None] = mapped_column(sa.String(254))
    feed_past_months: Mapped[int | None]
    #: ``[{"pattern": regex, "url": template}, ...]`` (``{0}`` the match, ``{1}``… its groups);
    #: None means the app config's ``REFERENCE_PATTERNS`` or the defaults.
    reference_patterns: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
