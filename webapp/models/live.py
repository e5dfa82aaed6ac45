"""The shared notes of the call page: a Yjs document per minutes, stored as its updates.

Every update a browser sends is a row of ``live_updates`` before the server acknowledges it; from
time to time the rows already kept in a minutes revision are merged into ``LiveDocument.snapshot``
(one Yjs update holding the whole state), so that loading a document stays fast.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, utcnow


class LiveDocument(Base):
    __tablename__ = "live_documents"

    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), primary_key=True
    )
    #: Random, per document: names the browser's offline copy, so a copy never meets another doc.
    key: Mapped[str] = mapped_column(sa.String(32))
    #: The merged state of every update up to ``snapshot_seq`` (a Yjs update).
    snapshot: Mapped[bytes] = mapped_column(sa.LargeBinary)
    snapshot_seq: Mapped[int] = mapped_column(default=0)
    #: Updates up to this seq are in a minutes revision (and so may be merged into the snapshot).
    revised_seq: Mapped[int] = mapped_column(default=0)
    revised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveUpdate(Base):
    """One Yjs update as a browser (or the no-JS form) sent it, in the order it was stored."""

    __tablename__ = "live_updates"
    # SQLite would reuse the seq of deleted (compacted) rows: AUTOINCREMENT never does.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Who typed it (the account's name or e-mail), kept for the revision's "typed by".
    actor: Mapped[str] = mapped_column(sa.String(254), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LivePresence(Base):
    """Who is on a call page and where their cursor is, for processes that share nothing but the
    database (SQLite, polled): the latest awareness entry of each editor. Never part of the
    minutes; old rows are dropped."""

    __tablename__ = "live_presence"

    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), primary_key=True
    )
    #: The Yjs client id of one browser tab.
    client_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    clock: Mapped[int]
    #: One awareness entry (client id, clock, state JSON) as y-protocols encodes it.
    entry: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: The process that wrote it (it does not read its own rows back).
    origin: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
