"""Sending the outbox: claim a message, render it, send it, record what happened.

Each sender claims a row with ``UPDATE … WHERE id = :id AND state = 'pending' AND claim is free``
and a fresh claim token before talking to the SMTP server, so two senders (two workers, a worker
and the CLI) never send one message twice. A claim older than ``CLAIM_LEASE`` (a sender that
died mid-way) may be taken over.

The message's sealed context is opened and rendered here (``mail_texts.render_queued``), in the
worker, never in a request; once sent, the context is dropped and the body kept with every token
redacted. ``reseal`` re-seals what is queued under the current key (``flask outbox reseal``).
"""

from __future__ import annotations

import contextlib
import email.policy
import json
import secrets
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from webapp import mail_texts, sealed
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxState, SiteSettings, Subscriber, SubscriberState
from webapp.models.subscribers import ANY_STATE_TEMPLATES, MAX_BOUNCES, RECIPIENT_PREFIX
from webapp.redact import redact

CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
#: PostgreSQL channel the worker listens on; enqueue notifies it (delivered at commit).
CHANNEL = "cadence_outbox"


def _per_transaction(key: str, make: Any) -> Any:
    """``make()`` once per database transaction (a commit or rollback starts afresh)."""
    db.session.connection()  # begins the transaction if none is open
    transaction = db.session().get_transaction()
    held = db.session.info.get(key)
    if held is None or held[0] is not transaction:
        held = (transaction, make())
        db.session.info[key] = held
    return held[1]


def wake_worker() -> None:
    """On PostgreSQL, wake a listening worker when (and only if) this transaction commits.

    One notification per transaction is enough, however many messages it queues."""
    if db.session.get_bind().dialect.name == "postgresql":
        _per_transaction("cadence.outbox_notified", _notify)


def _notify() -> bool:
    db.session.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
    return True


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


class _MailFiles:
    """Development mail (``MAIL_FILE_DIR``): each message written to a file of its own,
    ``<time>-<n>.eml``, for a mail program or an editor to open; nothing leaves the machine."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, msg: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(ValueError):  # a line too long for 8bit: quoted-printable
            # Readable as text too: links whole, not cut by quoted-printable's soft breaks.
            msg.set_content(msg.get_content(), cte="8bit")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{secrets.token_hex(3)}.eml"
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(bytes(msg))
        partial.replace(self.folder / name)  # whole, or not there at all

    def close(self) -> None:
        pass


def _sender_for(config: Any) -> _Smtp | _MailFiles:
    """Where the outbox puts its mail: the SMTP server, or (development) a folder of files."""
    return _MailFiles(config["MAIL_FILE_DIR"]) if config.get("MAIL_FILE_DIR") else _Smtp(config)


#: Headers are written on one line up to RFC 5322's limit of 998 characters: at the default 78,
#: Python's email package turns a long value without spaces (a ``List-Unsubscribe`` URL with its
#: token, a long ``References``) into an RFC 2047 encoded word, which no mail program reads as a
#: URL or a Message-ID.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


def _email(row: sa.Row[Any], to: str, subject: str, body: str, sender: str) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = row.message_id
    msg["Date"] = format_datetime(row.created_at)
    msg["Auto-Submitted"] = "auto-generated"
    if row.headers:
        for name, value in json.loads(sealed.unseal(row.headers)).items():
            msg[name] = value
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


def compose(row: Any) -> tuple[str, str, str]:
    """``(subject, body, note)`` of an unsent message (a row or an ``OutboxMessage``): rendered
    from its sealed context, or (rows queued before contexts) its sealed body as it is."""
    if row.context is None:
        return row.subject, sealed.unseal(row.body), row.render_note
    context = json.loads(sealed.unseal(row.context))
    subject, body, note = mail_texts.render_queued(
        row.template, row.template_subject or "", row.template_body or "", context
    )
    link = context.get("unsubscribe_url") if isinstance(context, dict) else None
    if isinstance(link, str) and link:
        # A subscriber's copy ends with its unsubscribe link, whatever the template says.
        body = body.rstrip("\n") + f"\n\n-- \nYou subscribed to these mails. To stop them: {link}\n"
    return subject, body, note


def _recipient(conn: sa.Connection, row: sa.Row[Any]) -> tuple[str, str]:
    """``(address, why not)``: a subscriber's copy goes to the address sealed in the subscriber
    row, and only while the subscriber may get it (confirmed; the confirmation mail always)."""
    if row.subscriber_id is None:
        if row.to_addr.startswith(RECIPIENT_PREFIX):
            return "", "not sent: the subscriber was removed"
        return row.to_addr, ""
    table = cast(sa.Table, Subscriber.__table__)
    found = conn.execute(
        sa.select(table.c.address, table.c.state).where(table.c.id == row.subscriber_id)
    ).one_or_none()
    if found is None:
        return "", "not sent: the subscriber was removed"
    if row.template not in ANY_STATE_TEMPLATES and found.state != SubscriberState.CONFIRMED:
        return "", f"not sent: the subscriber is {found.state}"
    try:
        return sealed.unseal(found.address), ""
    except sealed.Unreadable as exc:
        return "", f"Unreadable: {exc}"[:500]


def _not_sent(why: str, now: datetime, report: SendReport) -> dict[str, Any]:
    """A copy that must not go out: failed, its credentials dropped."""
    report.gave_up += 1
    return {
        "claim_token": None,
        "claimed_at": None,
        "state": OutboxState.FAILED.value,
        "context": None,
        "headers": None,
        "last_error": why[:500],
        "next_attempt_at": now,
    }


def _permanent(exc: Exception) -> bool:
    """The server refused the recipient or the message for good (a 5xx at RCPT or DATA)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _bounce(conn: sa.Connection, subscriber_id: int, now: datetime) -> None:
    """Count a permanent refusal; the ``MAX_BOUNCES``th pauses a confirmed subscription."""
    table = cast(sa.Table, Subscriber.__table__)
    pause = sa.and_(
        table.c.bounces + 1 >= MAX_BOUNCES, table.c.state == SubscriberState.CONFIRMED.value
    )
    conn.execute(
        sa.update(table)
        .where(table.c.id == subscriber_id)
        .values(
            bounces=table.c.bounces + 1,
            state=sa.case((pause, SubscriberState.PAUSED.value), else_=table.c.state),
            changed_at=now,
        )
    )


def _attempt(
    row: sa.Row[Any],
    to: str,
    smtp: _Smtp | _MailFiles,
    sender: str,
    now: datetime,
    report: SendReport,
    max_attempts: int,
) -> dict[str, Any]:
    """Send one claimed row to ``to``; the values to store, whatever happened. A subscriber's
    copy refused for good fails at once and says so (``bounced``, not stored)."""
    values: dict[str, Any] = {"attempts": row.attempts + 1, "claim_token": None, "claimed_at": None}
    try:
        subject, body, note = compose(row)
        values.update(subject=subject, render_note=note)
        smtp.send(_email(row, to, subject, body, sender))
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        bounced = row.subscriber_id is not None and _permanent(exc)
        if row.subscriber_id is not None:  # the error names the address: never at rest
            error = error.replace(to, row.to_addr.removeprefix(RECIPIENT_PREFIX))
        # A body no key opens will not open later either.
        gave_up = (
            bounced
            or values["attempts"] >= max_attempts
            or isinstance(exc, sealed.Unreadable | mail_texts.RenderFailed)
        )
        if bounced:
            values["bounced"] = True
        values.update(
            last_error=error[:500],
            next_attempt_at=now + backoff(values["attempts"]),
        )
        if gave_up:
            values["state"] = OutboxState.FAILED.value
            report.gave_up += 1
        report.failed_attempts += 1
        return values
    # No working link stays at rest once it is sent: the context goes, the body is redacted.
    values.update(
        state=OutboxState.SENT.value,
        body=redact(body),
        context=None,
        headers=None,
        template_subject=None,
        template_body=None,
        sent_at=now,
        last_error="",
    )
    report.sent += 1
    return values


def send_ids(ids: list[int], now: datetime, due_only: bool = False) -> SendReport:
    """Claim and send the given messages; failures stay pending (or become failed)."""
    config = current_app.config
    report = SendReport()
    smtp = _sender_for(config)
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
                to, why_not = _recipient(conn, row)
            if why_not:
                values = _not_sent(why_not, now, report)
            else:
                values = _attempt(row, to, smtp, sender, now, report, max_attempts)
            bounced = values.pop("bounced", False)
            with db.engine.begin() as conn:
                stored = conn.execute(
                    sa.update(table)
                    .where(table.c.id == message_id, table.c.claim_token == token)
                    .values(**values)
                )
                if bounced and stored.rowcount == 1:
                    _bounce(conn, row.subscriber_id, now)
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


def reseal() -> tuple[int, int]:
    """Seal every unsent message's context and body again under ``SECRET_KEY`` (they may be
    sealed under a key of ``SECRET_KEY_FALLBACKS``), so that the fallback can be removed.
    Flushes; returns how many messages were re-sealed and how many no key opens (left as they
    are: they fail when sent)."""
    count = unreadable = 0
    query = sa.select(OutboxMessage).where(OutboxMessage.state != OutboxState.SENT)
    for message in db.session.scalars(query.order_by(OutboxMessage.id)):
        try:
            context = sealed.reseal(message.context) if message.context else message.context
            body = sealed.reseal(message.body) if sealed.is_sealed(message.body) else message.body
            headers = sealed.reseal(message.headers) if message.headers else message.headers
        except sealed.Unreadable:
            unreadable += 1
            continue
        if (context, body, headers) != (message.context, message.body, message.headers):
            message.context, message.body, message.headers = context, body, headers
            count += 1
    db.session.flush()
    return count, unreadable
