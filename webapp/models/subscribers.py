"""Personal subscriptions: people who get a series' announcements by mail, each their own copy.

An address is never stored in clear: ``address`` is sealed (``webapp.sealed``, re-sealed by
``flask outbox reseal`` after a key rotation) and ``address_hash`` is a keyed hash (HMAC with a
key derived from ``SECRET_KEY``) of the address's counting key (``webapp.addresses.key``), for
finding a subscriber and keeping one row per person and series. The confirmation token is kept
only as its SHA-256; the unsubscribe token as its SHA-256 (to find the subscriber when the link
is used) and sealed (to put the link in each copy).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, utcnow

if TYPE_CHECKING:
    from webapp.models.meetings import Series


class SubscriberState(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PAUSED = "paused"
    UNSUBSCRIBED = "unsubscribed"


SUBSCRIBER_STATES = tuple(s.value for s in SubscriberState)


class Subscriber(Base):
    __tablename__ = "subscribers"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "address_hash"),
        sa.CheckConstraint(sa.column("state").in_(SUBSCRIBER_STATES), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    #: The address as mailed (normalised by ``webapp.addresses``), sealed.
    address: Mapped[str] = mapped_column(sa.Text)
    #: HMAC-SHA256 (hex) of the address's counting key, under a key derived from SECRET_KEY.
    address_hash: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(12), default=SubscriberState.PENDING)
    #: SHA-256 (hex) of the confirmation token of the last request; None once confirmed.
    confirm_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: SHA-256 (hex) of the unsubscribe token; the token itself sealed, for the copies' links.
    unsubscribe_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    unsubscribe_token: Mapped[str | None] = mapped_column(sa.Text)
    #: Permanent refusals (5xx) of copies to this address; three pause the subscription.
    bounces: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[Series] = relationship()


#: ``to_addr`` of a subscriber's copy: this, then the masked address (never a real address).
RECIPIENT_PREFIX = "(subscriber) "
#: Mail to a subscriber that goes out whatever its state (the confirmation link); every other
#: copy only to a confirmed subscriber.
ANY_STATE_TEMPLATES = frozenset({"subscription_confirm"})
#: Permanent refusals of copies after which a subscription is paused.
MAX_BOUNCES = 3
