"""Rendered calendar feeds, stored once per change of their data and shared by every worker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, utcnow


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


class DataVersion(Base):
    """One row: a counter bumped by every transaction that changes data (``webapp.data_version``).

    Stored renders of public pages are keyed by it: every worker and node sees the same one, and
    no table can be forgotten (the bump comes from a session hook, not from a list of tables).
    """

    __tablename__ = "data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    counter: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime]


@sa.event.listens_for(DataVersion.__table__, "after_create")
def _first_row(target: sa.Table, connection: sa.Connection, **_kw: object) -> None:
    """``db.create_all`` (tests, a first start) seeds the row the migration seeds."""
    connection.execute(target.insert().values(id=1, counter=0, changed_at=utcnow()))
