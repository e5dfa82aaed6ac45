"""Rendered calendar feeds, stored once per change of their data and shared by every worker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base


class RenderedFeed(Base):
    """The bytes of one feed (``key`` e.g. ``series:bhyve``) as last rendered.

    ``data_version`` says what they were rendered from; a request whose current version differs
    renders again. ``last_modified`` changes only when the bytes do (``etag`` is their hash).
    """

    __tablename__ = "rendered_feeds"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(80))
    last_modified: Mapped[datetime]
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    data_version: Mapped[str] = mapped_column(sa.String(500))
    rendered_at: Mapped[datetime]
