"""Organizers' own text for each kind of mail (the defaults live beside the outbox)."""

from __future__ import annotations

from datetime import datetime

from webapp import audit, mail
from webapp.extensions import db
from webapp.models import MailTemplate


def save_template(
    name: str, subject: str, body: str, actor: audit.Actor, now: datetime
) -> MailTemplate:
    """Store an edited template; one that does not render is refused (``TemplateInvalid``)."""
    mail.check_template(subject, body, name)
    row = db.session.get(MailTemplate, name) or MailTemplate(name=name)
    row.subject, row.body = subject, body
    row.updated_by, row.updated_at = actor.label, now
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "mail_template.edit", "mail_template", name, "edited")
    return row


def reset_template(name: str, actor: audit.Actor) -> None:
    row = db.session.get(MailTemplate, name)
    if row is not None:
        db.session.delete(row)
    db.session.flush()
    audit.record(actor, "mail_template.reset", "mail_template", name, "back to the default")


def retry_message(message_id: int, to_addr: str, actor: audit.Actor) -> None:
    audit.record(actor, "outbox.retry", "outbox_message", message_id, f"retry mail to {to_addr}")
