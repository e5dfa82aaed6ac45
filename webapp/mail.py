"""Mail through an outbox.

``enqueue`` writes an ``OutboxMessage`` in the caller's transaction, so a message exists exactly
when the change that caused it was committed. No request ever talks to the mail server: the
outbox worker (``flask outbox work``, ``webapp.outbox_worker``) sends committed messages within
seconds. Whatever could not be sent stays ``pending`` and is retried with exponential backoff;
after ``MAIL_MAX_ATTEMPTS`` it is ``failed`` (organizers can retry it from /organize/outbox).

A body holds a working private link until it is sent, so it is stored sealed (encrypted with a
key derived from ``SECRET_KEY``, ``webapp.sealed``); once sent, the body is kept with every
token redacted (``webapp.redact``), for the organizers' record.

Each sender claims a row with ``UPDATE … WHERE id = :id AND state = 'pending' AND claim is free``
and a fresh claim token before talking to the SMTP server, so two senders (two workers, a worker
and the CLI) never send one message twice. A claim older than ``CLAIM_LEASE`` (a sender that
died mid-way) may be taken over.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from webapp import sealed
from webapp.extensions import db
from webapp.mail_sandbox import render_text
from webapp.models import MailTemplate, OutboxMessage, OutboxState, SiteSettings
from webapp.redact import redact

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
#: PostgreSQL channel the worker listens on; enqueue notifies it (delivered at commit).
CHANNEL = "cadence_outbox"


@dataclass(frozen=True)
class DefaultTemplate:
    subject: str
    body: str
    help: str


#: The default text of every message; organizers can replace each (MailTemplate rows).
DEFAULTS: dict[str, DefaultTemplate] = {
    "cfp_received": DefaultTemplate(
        "[{{ conference.name }}] We received “{{ submission.title }}”",
        """Hello {{ speaker.name }},

thank you for submitting “{{ submission.title }}” ({{ submission.format }}) to \
{{ conference.name }}.
Its code is {{ submission.code }}.

Your private link, to see, change or withdraw the submission until the call closes
({{ conference.deadline }}), and later to see our decision:

    {{ link }}

Keep this link to yourself: anyone who has it can change the submission.

The {{ conference.name }} organizers
""",
        "To each speaker (main and co-speakers) when a submission arrives.",
    ),
    "cfp_new_submission": DefaultTemplate(
        "[{{ conference.name }}] New submission {{ submission.code }}: {{ submission.title }}",
        """A new submission arrived for {{ conference.name }}:

    {{ submission.title }} ({{ submission.format }})
    by {{ submission.speakers }}

Review it at {{ link }}
""",
        "To every organizer when a submission arrives.",
    ),
    "cfp_accepted": DefaultTemplate(
        "[{{ conference.name }}] Accepted: {{ submission.title }}",
        """Hello {{ speaker.name }},

we are glad to tell you that “{{ submission.title }}” is accepted for {{ conference.name }}
({{ conference.dates }}, {{ conference.place }}).

Please confirm that you will give it, or decline, on your private page:

    {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker when the organizers accept a submission.",
    ),
    "cfp_rejected": DefaultTemplate(
        "[{{ conference.name }}] About your submission “{{ submission.title }}”",
        """Hello {{ speaker.name }},

thank you for submitting “{{ submission.title }}” to {{ conference.name }}. We received many
more proposals than the programme can hold, and we could not include yours this time.

Your submission stays on your private page: {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker when the organizers reject a submission.",
    ),
}

#: Sample values for previews and for checking an edited template before saving it.
SAMPLE_CONTEXT: dict[str, Any] = {
    "conference": {
        "name": "bhyvecon 2027",
        "slug": "bhyvecon-2027",
        "deadline": "2027-03-01 23:59 Europe/Amsterdam",
        "dates": "2027-06-10 – 2027-06-11",
        "place": "Amsterdam",
    },
    "submission": {
        "code": "ABC123",
        "title": "Live migration in bhyve",
        "format": "Talk (30 min)",
        "speakers": "Ada Lovelace, Alan Turing",
    },
    "speaker": {"name": "Ada Lovelace", "email": "ada@example.org"},
    "link": "https://cadence.example.org/cfp/s/…",
}


class TemplateInvalid(ValueError):
    """An edited mail template that does not render; the message names the problem."""


def _per_transaction(key: str, make: Callable[[], Any]) -> Any:
    """``make()`` once per database transaction (a commit or rollback starts afresh)."""
    db.session.connection()  # begins the transaction if none is open
    transaction = db.session().get_transaction()
    held = db.session.info.get(key)
    if held is None or held[0] is not transaction:
        held = (transaction, make())
        db.session.info[key] = held
    return held[1]


def _edited_templates() -> dict[str, tuple[str, str]]:
    return {
        row.name: (row.subject, row.body) for row in db.session.scalars(sa.select(MailTemplate))
    }


def template_text(name: str) -> tuple[str, str]:
    """The subject and body of template ``name``: the organizers' edit, else the default.

    The edited templates are read once per transaction (a submission mails several people).
    """
    edited = _per_transaction("cadence.mail_templates", _edited_templates)
    if name in edited:
        return edited[name]
    default = DEFAULTS[name]
    return default.subject, default.body


def check_template(subject: str, body: str) -> None:
    try:
        render_text(subject, SAMPLE_CONTEXT)
        render_text(body, SAMPLE_CONTEXT)
    except Exception as exc:  # syntax, sandbox and runtime errors alike
        raise TemplateInvalid(f"The template does not render: {exc}") from None


def render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of message ``name``; an edited template that fails falls back to the
    default."""
    subject, body = template_text(name)
    try:
        out = render_text(subject, context), render_text(body, context)
    except Exception:  # an edited template that fails at runtime
        log.exception("mail template %s does not render; using the default", name)
        default = DEFAULTS[name]
        out = render_text(default.subject, context), render_text(default.body, context)
    # A header holds one line: no CR/LF can come in from a title.
    return " ".join(out[0].split())[:300], out[1]


def enqueue(to: str, template: str, context: dict[str, Any], now: datetime) -> OutboxMessage:
    """Queue one message in the current transaction; the outbox worker sends it after the
    commit. Its body is stored sealed: it may hold a private link."""
    subject, body = render(template, context)
    host = urlsplit(current_app.config.get("CADENCE_BASE_URL", "")).hostname or "localhost"
    message = OutboxMessage(
        template=template,
        message_id=make_msgid(domain=host),
        to_addr=to,
        subject=subject,
        body=sealed.seal(body),
        state=OutboxState.PENDING,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)  # flushed with the caller's change: one INSERT for all messages
    wake_worker()
    return message


def wake_worker() -> None:
    """On PostgreSQL, wake a listening worker when (and only if) this transaction commits.

    One notification per transaction is enough, however many messages it queues."""
    if db.session.get_bind().dialect.name == "postgresql":
        _per_transaction("cadence.outbox_notified", _notify)


def _notify() -> bool:
    db.session.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
    return True


# -- sending -----------------------------------------------------------------------------------


def _table() -> sa.Table:
    return cast(sa.Table, OutboxMessage.__table__)


def backoff(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min … after the 1st, 2nd, 3rd failure; at most MAX_BACKOFF."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(conn: sa.Connection, message_id: int, now: datetime, due_only: bool) -> str | None:
    token = secrets.token_hex(16)
    table = _table()
    cond = [
        table.c.id == message_id,
        table.c.state == OutboxState.PENDING.value,
        sa.or_(table.c.claim_token.is_(None), table.c.claimed_at < now - CLAIM_LEASE),
    ]
    if due_only:
        cond.append(table.c.next_attempt_at <= now)
    result = conn.execute(sa.update(table).where(*cond).values(claim_token=token, claimed_at=now))
    return token if result.rowcount == 1 else None


class _Smtp:
    """One SMTP connection for a batch, opened on first use and reopened after a failure."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.conn: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        if self.conn is None:
            self.conn = self._connect()
        try:
            self.conn.send_message(msg)
        except Exception:
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        host, port, timeout = c["MAIL_SERVER"], int(c["MAIL_PORT"]), float(c["MAIL_TIMEOUT"])
        # Our own name in EHLO: socket.getfqdn() can wait on a reverse DNS lookup.
        local = urlsplit(c.get("CADENCE_BASE_URL", "")).hostname or "localhost"
        conn: smtplib.SMTP
        if c.get("MAIL_USE_SSL"):
            conn = smtplib.SMTP_SSL(
                host,
                port,
                local_hostname=local,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            conn = smtplib.SMTP(host, port, local_hostname=local, timeout=timeout)
        if conn.sock is not None:
            # SMTP is a chatty request/response protocol: Nagle + delayed ACK cost ~40 ms a turn.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not c.get("MAIL_USE_SSL") and c.get("MAIL_USE_TLS"):
            conn.starttls(context=ssl.create_default_context())
        if c.get("MAIL_USERNAME"):
            conn.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
        return conn

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.conn.quit()
            self.conn = None


def _email(row: sa.Row[Any], body: str, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Message-ID"] = row.message_id
    msg["Date"] = format_datetime(row.created_at)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)  # text/plain; charset=utf-8: nothing in it is ever markup
    return msg


def _sender(config: Any) -> str:
    """The From of every message: the admin's site setting, else ``MAIL_DEFAULT_SENDER``.

    Read on a connection of its own: sending runs right after a commit, where the session
    may not emit SQL (``webapp.settings.current`` would use the session)."""
    try:
        with db.engine.connect() as conn:
            chosen = conn.scalar(sa.select(SiteSettings.mail_sender).where(SiteSettings.id == 1))
    except sa.exc.SQLAlchemyError:  # not migrated yet: the config's sender
        chosen = None
    return chosen or config["MAIL_DEFAULT_SENDER"]


@dataclass
class SendReport:
    sent: int = 0
    failed_attempts: int = 0
    gave_up: int = 0


def send_ids(ids: list[int], now: datetime, due_only: bool = False) -> SendReport:
    """Claim and send the given messages; failures stay pending (or become failed)."""
    config = current_app.config
    report = SendReport()
    smtp = _Smtp(config)
    table = _table()
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 8))
    sender = _sender(config)
    try:
        for message_id in ids:
            with db.engine.begin() as conn:
                token = _claim(conn, message_id, now, due_only)
            if token is None:
                continue  # someone else has it, or it is no longer pending
            with db.engine.connect() as conn:
                row = conn.execute(sa.select(table).where(table.c.id == message_id)).one()
            try:
                body = sealed.unseal(row.body)
                smtp.send(_email(row, body, sender))
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                attempts = row.attempts + 1
                # A body no key opens will not open later either.
                gave_up = attempts >= max_attempts or isinstance(exc, sealed.Unreadable)
                values = {
                    "attempts": attempts,
                    "last_error": f"{type(exc).__name__}: {exc}"[:500],
                    "next_attempt_at": now + backoff(attempts),
                    "claim_token": None,
                    "claimed_at": None,
                }
                if gave_up:
                    values["state"] = OutboxState.FAILED.value
                    report.gave_up += 1
                report.failed_attempts += 1
            else:
                values = {
                    "state": OutboxState.SENT.value,
                    "body": redact(body),  # no working link stays at rest once it is sent
                    "attempts": row.attempts + 1,
                    "sent_at": now,
                    "last_error": "",
                    "claim_token": None,
                    "claimed_at": None,
                }
                report.sent += 1
            with db.engine.begin() as conn:
                conn.execute(
                    sa.update(table)
                    .where(table.c.id == message_id, table.c.claim_token == token)
                    .values(**values)
                )
    finally:
        smtp.close()
    return report


def send_due(now: datetime, limit: int = 500) -> SendReport:
    """Send every pending message whose next attempt is due (``flask outbox send``)."""
    table = _table()
    with db.engine.connect() as conn:
        ids = list(
            conn.scalars(
                sa.select(table.c.id)
                .where(table.c.state == OutboxState.PENDING.value, table.c.next_attempt_at <= now)
                .order_by(table.c.id)
                .limit(limit)
            )
        )
    return send_ids(ids, now, due_only=True)


class BeingSent(ValueError):
    """A sender holds the message right now: a retry would send it twice."""


def retry(message: OutboxMessage, now: datetime) -> None:
    """Make a pending or failed message due again (organizers' retry button). Flushes; after
    the caller's commit the outbox worker sends it within seconds. A message a sender has
    claimed (and whose lease runs) is refused: its sender reports back first."""
    claimed = message.claimed_at
    if message.claim_token is not None and claimed is not None:
        if claimed.tzinfo is None:  # SQLite gives naive UTC
            claimed = claimed.replace(tzinfo=UTC)
        if claimed > now - CLAIM_LEASE:
            raise BeingSent(
                "That message is being sent right now; look again in a minute before retrying."
            )
    message.state = OutboxState.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.claim_token = None
    message.claimed_at = None
    wake_worker()
