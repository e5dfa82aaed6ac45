"""Turning one list mail into outbox rows: the only place that does (agenda, notices, minutes).

Every announcement of a series goes to each of its list addresses as one outbox message with:

- a deterministic ``Message-ID``, ``<KEY.TAG@host>``: ``KEY`` names the mail
  (``agenda.bhyve.2026-01-15``, ``minutes.bhyve.2026-01-15``, ``moved.bhyve.2026-01-29.3``) and
  ``TAG`` the recipient (the first hex digits of the SHA-256 of the address), because the outbox
  holds each Message-ID once and a list address is one recipient among several;
- ``In-Reply-To`` and ``References`` to that recipient's copy of ``reply_to_key`` (the change
  notices and the minutes of a meeting answer its agenda mail, so a mail reader threads them),
  computed, not looked up: the agenda need not have gone out yet (a move notice before the
  agenda); a reader that has not seen the parent still threads the mails together;
- ``List-Id`` (``"Series title" <slug.lists.host>``, RFC 2919) and ``Precedence: list``.

``deliver`` is the single place a list mail becomes outbox rows, so a per-recipient copy (a
personal subscriber, with its own ``List-Unsubscribe``) is added here and nowhere else.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from webapp import mail
from webapp.announcements.subscribers import subscriber_copies
from webapp.models import AnnouncementSettings, Series
from webapp.urls import site_host


def _tag(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:10]


def message_id(key: str, address: str) -> str:
    """``<KEY.TAG@host>``: the Message-ID of mail ``key`` as sent to ``address``."""
    return tagged_id(key, _tag(address))


def tagged_id(key: str, tag: str) -> str:
    """``<KEY.TAG@host>``; a subscriber's ``TAG`` is ``s`` and its number (never hex digits),
    so the subscriber's address takes no part in it."""
    return f"<{key}.{tag}@{site_host()}>"


def addressed(
    series: Series, message_key: str, reply_to_key: str | None, tag: str
) -> tuple[dict[str, str], str]:
    """The list and threading headers and the Message-ID of mail ``message_key`` to the
    recipient ``tag``."""
    headers = list_headers(series)
    if reply_to_key is not None:
        parent = tagged_id(reply_to_key, tag)
        headers["In-Reply-To"] = parent
        headers["References"] = parent
    return headers, tagged_id(message_key, tag)


def agenda_key(series: Series, day: Any) -> str:
    return f"agenda.{series.slug}.{day.isoformat()}"


def list_id(series: Series) -> str:
    """``"Hypervisor call" <call.lists.cadence.example.org>``: the title as a quoted phrase."""
    title = " ".join(series.title.replace("\\", "").replace('"', "").split())[:200]
    return f'"{title}" <{series.slug}.lists.{site_host()}>'


def list_headers(series: Series) -> dict[str, str]:
    return {"List-Id": list_id(series), "Precedence": "list"}


def deliver(
    series: Series,
    settings: AnnouncementSettings,
    template: str,
    context: dict[str, Any],
    now: datetime,
    *,
    message_key: str,
    reply_to_key: str | None = None,
) -> int:
    """Queue ``template`` with ``context`` to every list address of the series and a personal
    copy to each confirmed subscriber (``subscriber_copies``); the number of messages queued.
    The caller has written the announcement's log row first (its unique key makes the mail
    once), in the same transaction."""
    count = 0
    for address in settings.address_list:
        headers, own_id = addressed(series, message_key, reply_to_key, _tag(address))
        mail.enqueue(address, template, context, now, headers=headers, message_id=own_id)
        count += 1
    return count + subscriber_copies(
        series,
        template,
        context,
        now,
        lambda tag: addressed(series, message_key, reply_to_key, tag),
    )
