"""Outgoing mail: an outbox row per message, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, utcnow


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


OUTBOX_STATES = tuple(s.value for s in OutboxState)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(OUTBOX_STATES), name="state_known"),
        sa.Index("ix_outbox_messages_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The template it came from (for the organizers' outbox page).
    template: Mapped[str] = mapped_column(sa.String(60), default="")
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    #: Written by the worker when it renders the message (empty until then).
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: Empty until sent, then the body with every token redacted. (Rows queued before
    #: contexts existed hold their sealed body here.)
    body: Mapped[str] = mapped_column(sa.Text)
    #: The message's data (JSON), sealed like bodies were: it holds a private link. Dropped
    #: once the message is sent.
    context: Mapped[str | None] = mapped_column(sa.Text)
    #: Extra headers (JSON object: ``List-Id``, ``In-Reply-To``, ``List-Unsubscribe``...),
    #: sealed like the context (an unsubscribe link is a credential); dropped once sent.
    headers: Mapped[str | None] = mapped_column(sa.Text)
    #: The template's text when the message was queued; the worker renders it.
    template_subject: Mapped[str | None] = mapped_column(sa.Text)
    template_body: Mapped[str | None] = mapped_column(sa.Text)
    #: Why the worker used the default text instead of the organizers' edited one.
    render_note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    state: Mapped[str] = mapped_column(sa.String(10), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Set by the sender that claimed the row; another sender's UPDATE then matches nothing.
    claim_token: Mapped[str | None] = mapped_column(sa.String(40))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: A subscriber's personal copy: ``to_addr`` then holds only the masked address, and the
    #: sender reads the sealed address from the subscriber (and sends nothing to a subscriber
    #: who left, was paused or removed meanwhile).
    subscriber_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscribers.id", ondelete="SET NULL"), index=True
    )


class MailTemplate(Base):
    """An organizer's edited text of one message; defaults live in ``webapp.mail.DEFAULTS``."""

    __tablename__ = "mail_templates"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(sa.String(254), default="")
