"""Mail through an outbox.

``enqueue`` writes an ``OutboxMessage`` in the caller's transaction, so a message exists exactly
when the change that caused it was committed. No request ever talks to the mail server, and no
request renders a template: the message stores its context (plain JSON data, sealed, because it
holds a private link) and the template's text as it is when the message is queued; the outbox
worker (``flask outbox work``, ``webapp.outbox_worker``) renders it in the sandbox's child
process (``webapp.mail_render``) and sends it within seconds (``webapp.mail_send``). A template
that fails then gives way to the default text, and the outbox page says why. Whatever could not
be sent stays ``pending`` and is retried with exponential backoff; after ``MAIL_MAX_ATTEMPTS`` it
is ``failed`` (organizers can retry it from /organize/outbox).

Contexts and bodies are sealed with keys derived from ``SECRET_KEY`` and its fallbacks
(``webapp.sealed``); ``flask outbox reseal`` re-seals the queue after a key rotation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from webapp import sealed
from webapp.extensions import db
from webapp.mail_send import (
    CHANNEL,
    CLAIM_LEASE,
    MAX_BACKOFF,
    BeingSent,
    SendReport,
    _per_transaction,
    backoff,
    compose,
    reseal,
    retry,
    send_due,
    send_ids,
    wake_worker,
)
from webapp.mail_texts import (
    DEFAULTS,
    SAMPLE_CONTEXT,
    DefaultTemplate,
    RenderFailed,
    TemplateInvalid,
    _edited_templates,
    check_template,
    hostile_contexts,
    preview,
    render_queued,
    template_text,
)
from webapp.models import OutboxMessage, OutboxState

__all__ = [
    "CHANNEL",
    "CLAIM_LEASE",
    "DEFAULTS",
    "MAX_BACKOFF",
    "SAMPLE_CONTEXT",
    "BeingSent",
    "DefaultTemplate",
    "NotPlainData",
    "RenderFailed",
    "SendReport",
    "TemplateInvalid",
    "backoff",
    "check_template",
    "compose",
    "enqueue",
    "hostile_contexts",
    "preview",
    "render_queued",
    "reseal",
    "retry",
    "send_due",
    "send_ids",
    "template_text",
    "wake_worker",
]


class NotPlainData(TypeError):
    """A mail context holds something other than JSON data (an ORM object, a date)."""


def _templates_now(name: str) -> tuple[str, str]:
    """The template's text as it is now, read once per transaction (a submission mails
    several people)."""
    edited = _per_transaction("cadence.mail_templates", _edited_templates)
    return template_text(name, edited)


#: The extra headers a message may carry (``enqueue(headers=...)``); the rest are the sender's.
EXTRA_HEADERS = frozenset(
    {
        "In-Reply-To",
        "References",
        "List-Id",
        "List-Post",
        "List-Archive",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Precedence",
    }
)


def _sealed_headers(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for name, value in headers.items():
        if name not in EXTRA_HEADERS:
            raise ValueError(f"the header {name!r} is not one a message may set")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0") or len(value) > 900:
            raise ValueError(f"the header {name!r} must be one line of text under 900 characters")
    return sealed.seal(json.dumps(dict(headers), ensure_ascii=False))


def enqueue(
    to: str,
    template: str,
    context: dict[str, Any],
    now: datetime,
    *,
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
) -> OutboxMessage:
    """Queue message ``template`` to ``to`` in the current transaction; the outbox worker
    renders and sends it after the commit. ``context`` is plain JSON data (str, numbers, bool,
    None, lists, dicts); it is stored sealed, with the template's current text.

    ``headers`` adds list and threading headers (names in ``EXTRA_HEADERS``), stored sealed
    like the context; ``message_id`` (``<...@host>``) replaces the generated Message-ID, for a
    message that later ones answer (``In-Reply-To``); it must be unique in the outbox."""
    if template not in DEFAULTS:
        raise KeyError(f"no mail template {template!r}")
    extra = _sealed_headers(headers)
    try:
        data = json.dumps(context, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise NotPlainData(f"a mail context must be plain JSON data: {exc}") from None
    subject_text, body_text = _templates_now(template)
    host = urlsplit(current_app.config.get("CADENCE_BASE_URL", "")).hostname or "localhost"
    message = OutboxMessage(
        template=template,
        message_id=message_id or make_msgid(domain=host),
        to_addr=to,
        subject="",
        body="",
        context=sealed.seal(data),
        headers=extra,
        template_subject=subject_text,
        template_body=body_text,
        state=OutboxState.PENDING,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)  # flushed with the caller's change: one INSERT for all messages
    wake_worker()
    return message
