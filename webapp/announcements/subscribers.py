"""Personal subscriptions: a person asks for a series' announcements by mail, confirms by a
link, and gets a copy of each with a one-click unsubscribe (RFC 8058).

- ``request`` (the page ``/series/SLUG/subscribe``): the same for a known and an unknown
  address; it queues a confirmation mail with a fresh link, and nothing else changes until the
  link is used. A confirmed subscriber who asks again gets a link again (using it changes
  nothing), so the answer never tells whether the address is subscribed.
- ``confirm`` and ``unsubscribe``: by token (kept only as its SHA-256).
- ``subscriber_copies``: every confirmed subscriber's own copy of a list mail, with the
  ``List-Unsubscribe`` headers and a visible link (``webapp.mail_send`` appends the link to the
  body whatever the template says). Called where the list mail is queued, in the transaction of
  the announcement's log row, so each copy is queued once.
- ``remove`` (the organizers' page), ``reseal`` (``flask outbox reseal`` after a rotation).

Addresses are sealed and found by a keyed hash (``webapp.sealed``); pages show them masked.
Each copy in the outbox carries only the masked address; the sender opens the real one from the
subscriber row at sending time, and sends nothing to one who left, was paused or removed.
Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from webapp import addresses, audit, mail, sealed
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxState, Series, Subscriber, SubscriberState
from webapp.models.subscribers import RECIPIENT_PREFIX
from webapp.urls import external_url

#: How long a confirmation link works.
CONFIRM_FOR = timedelta(days=7)
CONFIRM_TEMPLATE = "subscription_confirm"


class LinkInvalid(ValueError):
    """A confirmation or unsubscribe link that is unknown, used or expired."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def masked(address: str) -> str:
    """``a***@example.org``: enough for an organizer to recognise, not to write to."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def address_of(subscriber: Subscriber) -> str:
    return sealed.unseal(subscriber.address)


def masked_address(subscriber: Subscriber) -> str:
    try:
        return masked(address_of(subscriber))
    except sealed.Unreadable:
        return "(sealed under a key no longer configured)"


def _find(series: Series, key: str) -> Subscriber | None:
    return db.session.scalar(
        sa.select(Subscriber).where(
            Subscriber.series_id == series.id,
            Subscriber.address_hash.in_(sealed.lookup_hashes(key)),
        )
    )


def find(series: Series, address: str) -> Subscriber | None:
    key = addresses.key_or_none(address)
    return _find(series, key) if key else None


def unsubscribe_url(token: str) -> str:
    return external_url(f"/subscriptions/unsubscribe/{token}")


def confirm_url(token: str) -> str:
    return external_url(f"/subscriptions/confirm/{token}")


def _queue(
    subscriber: Subscriber,
    to: str,
    template: str,
    context: dict[str, Any],
    now: datetime,
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
) -> OutboxMessage:
    message = mail.enqueue(
        RECIPIENT_PREFIX + masked(to),
        template,
        context,
        now,
        headers=headers,
        message_id=message_id,
    )
    message.subscriber_id = subscriber.id
    return message


def request(series: Series, address: str, now: datetime) -> None:
    """Someone asks for ``series``' announcements at ``address`` (normalised already): queue a
    confirmation link to it. The same whether or not the address is known."""
    forget_unconfirmed(now)
    key = addresses.key(address)
    subscriber = _find(series, key)
    if subscriber is None:
        subscriber = Subscriber(
            series_id=series.id,
            address=sealed.seal(address),
            address_hash=sealed.lookup_hash(key),
            state=SubscriberState.PENDING,
            bounces=0,
        )
        db.session.add(subscriber)
    elif subscriber.state != SubscriberState.CONFIRMED:
        # Mail goes to the address as typed now; confirming makes it the one on file.
        subscriber.address = sealed.seal(address)
        subscriber.state = SubscriberState.PENDING
    to = address_of(subscriber)
    token = secrets.token_urlsafe(32)
    subscriber.confirm_hash = _digest(token)
    subscriber.requested_at = subscriber.changed_at = now
    db.session.flush()
    context = {
        "series": {"title": series.title, "slug": series.slug},
        "link": confirm_url(token),
        "series_url": external_url(f"/series/{series.slug}"),
        "days": CONFIRM_FOR.days,
        # Told only to the address itself, in its mail; the page says the same to everyone.
        "subscribed": subscriber.state == SubscriberState.CONFIRMED,
    }
    _queue(subscriber, to, CONFIRM_TEMPLATE, context, now)


def forget_unconfirmed(now: datetime) -> int:
    """Delete the subscribers (of every series) who asked more than ``CONFIRM_FOR`` ago and
    never confirmed: their link no longer works, and their address is kept for nothing."""
    result = db.session.execute(
        sa.delete(Subscriber).where(
            Subscriber.state == SubscriberState.PENDING,
            Subscriber.confirmed_at.is_(None),
            Subscriber.requested_at < now - CONFIRM_FOR,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def by_confirm_token(token: str, now: datetime) -> Subscriber:
    subscriber = db.session.scalar(
        sa.select(Subscriber).where(Subscriber.confirm_hash == _digest(token))
    )
    if subscriber is None or subscriber.requested_at + CONFIRM_FOR < now:
        raise LinkInvalid(
            "This confirmation link does not work (any more): it was used already, or it is "
            f"older than {CONFIRM_FOR.days} days. Ask again on the series page."
        )
    return subscriber


def confirm(token: str, now: datetime) -> Subscriber:
    """The subscriber of the confirmation ``token``, confirmed (the link works once)."""
    subscriber = by_confirm_token(token, now)
    subscriber.confirm_hash = None
    if subscriber.state != SubscriberState.CONFIRMED:
        subscriber.state = SubscriberState.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.bounces = 0
    if subscriber.unsubscribe_hash is None:
        unsubscribe_token = secrets.token_urlsafe(32)
        subscriber.unsubscribe_hash = _digest(unsubscribe_token)
        subscriber.unsubscribe_token = sealed.seal(unsubscribe_token)
    subscriber.changed_at = now
    db.session.flush()
    return subscriber


def by_unsubscribe_token(token: str) -> Subscriber:
    subscriber = db.session.scalar(
        sa.select(Subscriber).where(Subscriber.unsubscribe_hash == _digest(token))
    )
    if subscriber is None:
        raise LinkInvalid(
            "This unsubscribe link is not known: the subscription was removed already."
        )
    return subscriber


def unsubscribe(token: str, now: datetime) -> Subscriber:
    """The subscriber of ``token``, unsubscribed (again is fine: the same answer)."""
    subscriber = by_unsubscribe_token(token)
    if subscriber.state != SubscriberState.UNSUBSCRIBED:
        subscriber.state = SubscriberState.UNSUBSCRIBED
        subscriber.changed_at = now
    subscriber.confirm_hash = None
    db.session.flush()
    return subscriber


def subscriber_copies(
    series: Series,
    template: str,
    context: dict[str, Any],
    now: datetime,
    addressed: Callable[[str], tuple[dict[str, str], str]],
) -> int:
    """Queue ``template`` with ``context`` to every confirmed subscriber of ``series``, each
    with their own unsubscribe link (``List-Unsubscribe``, RFC 8058 one-click, and
    ``unsubscribe_url`` in the context, which the sender shows at the end of the body); how
    many were queued. ``addressed(tag)`` gives the list mail's headers and Message-ID for the
    recipient ``tag`` (``s`` and the subscriber's number; ``webapp.announcements.deliver``)."""
    subscribers = db.session.scalars(
        sa.select(Subscriber)
        .where(Subscriber.series_id == series.id, Subscriber.state == SubscriberState.CONFIRMED)
        .order_by(Subscriber.id)
    ).all()
    count = 0
    for subscriber in subscribers:
        if subscriber.unsubscribe_token is None:
            continue
        try:
            to = address_of(subscriber)
            link = unsubscribe_url(sealed.unseal(subscriber.unsubscribe_token))
        except sealed.Unreadable:
            continue  # sealed under a key no longer configured: nothing can be sent
        headers, own_id = addressed(f"s{subscriber.id}")
        extra = {
            **headers,
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        _queue(subscriber, to, template, {**context, "unsubscribe_url": link}, now, extra, own_id)
        count += 1
    return count


def of_series(series: Series) -> list[Subscriber]:
    return list(
        db.session.scalars(
            sa.select(Subscriber).where(Subscriber.series_id == series.id).order_by(Subscriber.id)
        )
    )


def get(series: Series, subscriber_id: int) -> Subscriber | None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    return subscriber if subscriber is not None and subscriber.series_id == series.id else None


def remove(series: Series, subscriber: Subscriber, actor: audit.Actor, now: datetime) -> str:
    """Delete ``subscriber`` (its address with it); unsent copies to it are not sent. The
    masked address, for the page."""
    shown = masked_address(subscriber)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.subscriber_id == subscriber.id,
            OutboxMessage.state != OutboxState.SENT,
        )
        .values(
            state=OutboxState.FAILED,
            context=None,
            headers=None,
            last_error="not sent: the subscriber was removed",
            subscriber_id=None,
        )
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.subscriber_id == subscriber.id)
        .values(subscriber_id=None)
    )
    db.session.delete(subscriber)
    db.session.flush()
    audit.record(actor, "subscriber.remove", "series", series.slug, f"removed subscriber {shown}")
    return shown


def reseal() -> tuple[int, int]:
    """Seal every subscriber's address and unsubscribe token again under ``SECRET_KEY`` and
    store its keyed hash under it (after a rotation, before the fallback goes). Flushes;
    returns how many were re-sealed and how many no key opens."""
    count = unreadable = 0
    for subscriber in db.session.scalars(sa.select(Subscriber).order_by(Subscriber.id)):
        try:
            address = sealed.reseal(subscriber.address)
            token = (
                sealed.reseal(subscriber.unsubscribe_token)
                if subscriber.unsubscribe_token
                else None
            )
            key_hash = sealed.lookup_hash(addresses.key(sealed.unseal(address)))
        except (sealed.Unreadable, addresses.AddressInvalid):
            unreadable += 1
            continue
        subscriber.address, subscriber.unsubscribe_token = address, token
        subscriber.address_hash = key_hash
        count += 1
    db.session.flush()
    return count, unreadable
